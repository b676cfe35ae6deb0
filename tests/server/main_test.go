package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

var readyRe = regexp.MustCompile(`^READY http://127\.0\.0\.1:([1-9][0-9]*)\n$`)

func TestParseFlags(t *testing.T) {
	t.Parallel()

	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP != "127.0.0.1:0" || cfg.User.Email != userEmail || cfg.User.Password != userPassword ||
		cfg.Other.Email != otherEmail || cfg.Other.Password != otherPassword ||
		cfg.Superuser.Email != adminEmail || cfg.Superuser.Password != adminPassword || cfg.ExitOnStdinEOF {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}

	cfg, err = parseFlags([]string{"--dir", "/tmp/x", "--http", "[::1]:0", "--user-email", "a@b.c",
		"--exit-on-stdin-eof", "--superuser-password", "pw"})
	if err != nil || cfg.Dir != "/tmp/x" || cfg.HTTP != "[::1]:0" || cfg.User.Email != "a@b.c" ||
		!cfg.ExitOnStdinEOF || cfg.Superuser.Password != "pw" {
		t.Fatalf("unexpected: %+v %v", cfg, err)
	}

	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.1:80", "example.com:80", "[::]:0", "127.0.0.1"} {
		if _, err := parseFlags([]string{"--http", addr}); err == nil {
			t.Errorf("address %q should be refused", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.2:8090", "localhost:0", "[::1]:0"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("address %q should be accepted: %v", addr, err)
		}
	}
}

// TestRunReadyAndStdinEOF runs the server in-process on a free port.
func TestRunReadyAndStdinEOF(t *testing.T) {
	t.Parallel()

	cfg := testConfig(t.TempDir())
	cfg.ExitOnStdinEOF = true

	outR, outW := io.Pipe()
	stdinR, stdinW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(cfg, outW, stdinR)
		outW.Close()
		done <- err
	}()

	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no READY line: %v (run: %v)", err, <-done)
	}
	if !readyRe.MatchString(line) {
		t.Fatalf("bad READY line %q", line)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "READY "))

	resp, err := http.Get(base + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}

	body := `{"email":"` + userEmail + `","password":"` + userPassword + `","token":"net"}`
	resp, err = http.Post(base+"/api/collections/users/bind-token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("bind: %d", resp.StatusCode)
	}

	if _, err := os.Stat(filepath.Join(cfg.Dir, "data.db")); err != nil {
		t.Fatalf("data.db not in --dir: %v", err)
	}

	stdinW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop after stdin EOF")
	}
}

// buildBinary builds the dev server binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping binary build in -short mode")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("go toolchain not found")
		}
	}
	out := filepath.Join(t.TempDir(), "bosbase-dev-server")
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return out
}

type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func startBinary(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return p
}

// wait reads the rest of stdout and waits for the exit code.
func (p *proc) wait(t *testing.T) (rest string, code int) {
	t.Helper()
	type result struct {
		rest string
		code int
	}
	ch := make(chan result, 1)
	go func() {
		b, _ := io.ReadAll(p.stdout)
		err := p.cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
		}
		ch <- result{string(b), code}
	}()
	select {
	case r := <-ch:
		return r.rest, r.code
	case <-time.After(60 * time.Second):
		t.Fatalf("process did not exit; stderr:\n%s", p.stderr)
		return "", 0
	}
}

func TestBinary(t *testing.T) {
	t.Parallel()

	bin := buildBinary(t)

	t.Run("ready line and SIGTERM", func(t *testing.T) {
		dir := t.TempDir()
		p := startBinary(t, bin, "--dir", dir, "--http", "127.0.0.1:0",
			"--user-email", userEmail, "--user-password", userPassword,
			"--other-email", otherEmail, "--other-password", otherPassword,
			"--superuser-email", adminEmail, "--superuser-password", adminPassword)
		line, err := p.stdout.ReadString('\n')
		if err != nil || !readyRe.MatchString(line) {
			t.Fatalf("bad READY line %q (%v); stderr:\n%s", line, err, p.stderr)
		}
		base := strings.TrimSpace(strings.TrimPrefix(line, "READY "))

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/collections/_superusers/auth-with-token",
			strings.NewReader(`{"token":"nope"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("auth-with-token: %d", resp.StatusCode)
		}

		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		rest, code := p.wait(t)
		if code != 0 || rest != "" {
			t.Fatalf("exit code %d, extra stdout %q; stderr:\n%s", code, rest, p.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "data.db")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("exit on stdin EOF", func(t *testing.T) {
		p := startBinary(t, bin, "--dir", t.TempDir(), "--exit-on-stdin-eof")
		line, err := p.stdout.ReadString('\n')
		if err != nil || !readyRe.MatchString(line) {
			t.Fatalf("bad READY line %q (%v); stderr:\n%s", line, err, p.stderr)
		}
		p.stdin.Close()
		rest, code := p.wait(t)
		if code != 0 || rest != "" {
			t.Fatalf("exit code %d, extra stdout %q; stderr:\n%s", code, rest, p.stderr)
		}
	})

	t.Run("non-loopback refused", func(t *testing.T) {
		p := startBinary(t, bin, "--dir", t.TempDir(), "--http", "0.0.0.0:0")
		rest, code := p.wait(t)
		if code == 0 || rest != "" || !strings.Contains(p.stderr.String(), "non-loopback") {
			t.Fatalf("exit code %d, stdout %q, stderr %q", code, rest, p.stderr)
		}
	})

	t.Run("startup failure", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		p := startBinary(t, bin, "--dir", file)
		rest, code := p.wait(t)
		if code == 0 || rest != "" || !strings.Contains(p.stderr.String(), "error") {
			t.Fatalf("exit code %d, stdout %q, stderr %q", code, rest, p.stderr)
		}
	})
}
