//go:build !unix

package main

import "os"

// takeStdout returns the process's stdout and makes os.Stdout point at
// stderr, so that nothing but the READY line reaches stdout.
func takeStdout() *os.File {
	out := os.Stdout
	os.Stdout = os.Stderr
	return out
}
