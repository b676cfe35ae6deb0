//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// takeStdout returns a private handle to the process's stdout and points
// fd 1 at stderr, so that nothing but the READY line can reach stdout.
func takeStdout() *os.File {
	fd, err := unix.Dup(1)
	if err != nil {
		out := os.Stdout
		os.Stdout = os.Stderr
		return out
	}
	unix.CloseOnExec(fd)
	if err := unix.Dup2(2, 1); err != nil {
		_ = unix.Close(fd)
		out := os.Stdout
		os.Stdout = os.Stderr
		return out
	}
	return os.NewFile(uintptr(fd), "/dev/stdout")
}
