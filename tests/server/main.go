// Command bosbase-dev-server is a development/test server for the bosbase-cpp
// SDK: upstream PocketBase (SQLite) extended with BosBase's custom-token
// endpoints (bind-token, unbind-token, auth-with-token).
//
// Contract (relied upon by the C++ test harness and the demo script):
//   - listens only on the given loopback address (port 0 = pick a free port);
//   - once accepting connections it prints exactly one line to stdout,
//     "READY http://<host>:<port>", and nothing else ever goes to stdout;
//   - exits cleanly on SIGINT/SIGTERM, and on stdin EOF with --exit-on-stdin-eof;
//   - exits non-zero with a message on stderr if startup fails.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

func main() {
	// Everything written to fd 1 by anyone else (PocketBase, libraries) is
	// redirected to stderr; only the READY line goes to the real stdout.
	readyOut := takeStdout()

	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bosbase-dev-server:", err)
		os.Exit(2)
	}

	if err := run(cfg, readyOut, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "bosbase-dev-server: error:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (Config, error) {
	cfg := Config{
		User:      Account{Collection: "users"},
		Other:     Account{Collection: "users"},
		Superuser: Account{Collection: core.CollectionNameSuperusers},
	}

	fs := flag.NewFlagSet("bosbase-dev-server", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&cfg.Dir, "dir", "bosbase-dev-data", "data directory (SQLite data.db lives here)")
	fs.StringVar(&cfg.HTTP, "http", "127.0.0.1:0", "loopback address to listen on (port 0 = pick a free port)")
	fs.StringVar(&cfg.User.Email, "user-email", "user@example.com", "email of the seeded users account")
	fs.StringVar(&cfg.User.Password, "user-password", "user-password", "password of the seeded users account")
	fs.StringVar(&cfg.Other.Email, "other-email", "other@example.com", "email of the second seeded users account")
	fs.StringVar(&cfg.Other.Password, "other-password", "other-password", "password of the second seeded users account")
	fs.StringVar(&cfg.Superuser.Email, "superuser-email", "admin@example.com", "email of the seeded _superusers account")
	fs.StringVar(&cfg.Superuser.Password, "superuser-password", "admin-password", "password of the seeded _superusers account")
	fs.BoolVar(&cfg.ExitOnStdinEOF, "exit-on-stdin-eof", false, "shut down when stdin is closed")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if cfg.Dir == "" {
		return cfg, errors.New("--dir must not be empty")
	}
	if err := checkLoopback(cfg.HTTP); err != nil {
		return cfg, err
	}
	if cfg.User.Email == cfg.Other.Email {
		return cfg, errors.New("--user-email and --other-email must differ")
	}
	return cfg, nil
}

// checkLoopback refuses any address whose host is not a loopback IP or "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid --http address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to listen on non-loopback address %q (use e.g. 127.0.0.1:0)", addr)
	}
	return nil
}

// run starts the server and blocks until it has been shut down.
func run(cfg Config, readyOut io.Writer, stdin io.Reader) error {
	// watch for stop requests as early as possible
	stop := make(chan struct{})
	var stopOnce sync.Once
	requestStop := func() { stopOnce.Do(func() { close(stop) }) }

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			requestStop()
		case <-stop:
		}
	}()
	if cfg.ExitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			requestStop()
		}()
	}

	app, err := newApp(cfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		_ = app.ResetBootstrapState()
		return fmt.Errorf("listen on %s: %w", cfg.HTTP, err)
	}
	serving := make(chan struct{})
	readyLn := &readyListener{
		Listener: ln,
		onFirstAccept: func() {
			fmt.Fprintf(readyOut, "READY http://%s\n", ln.Addr().String())
			if f, ok := readyOut.(interface{ Sync() error }); ok {
				_ = f.Sync()
			}
			close(serving)
		},
	}

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Listener = readyLn
		se.InstallerFunc = nil // no superuser installer / browser opening
		return se.Next()
	})

	// shut down on request, but only once Serve has bound its graceful-shutdown hook
	serveDone := make(chan struct{})
	var stopping atomic.Bool
	terminated := make(chan error, 1)
	go func() {
		select {
		case <-stop:
		case <-serveDone:
			return
		}
		select {
		case <-serving:
		case <-serveDone:
			return
		}
		stopping.Store(true)
		fmt.Fprintln(os.Stderr, "bosbase-dev-server: shutting down")
		event := &core.TerminateEvent{App: app}
		terminated <- app.OnTerminate().Trigger(event, func(e *core.TerminateEvent) error {
			return e.App.ResetBootstrapState()
		})
	}()

	serveErr := apis.Serve(app, apis.ServeConfig{HttpAddr: cfg.HTTP, ShowStartBanner: false})
	close(serveDone)

	if stopping.Load() {
		if err := <-terminated; err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && !errors.Is(serveErr, net.ErrClosed) {
			return serveErr
		}
		return nil
	}

	_ = app.ResetBootstrapState()
	if serveErr == nil {
		return errors.New("server stopped unexpectedly")
	}
	return serveErr
}

// readyListener calls onFirstAccept right before the first Accept, i.e. once
// the HTTP server loop is running.
type readyListener struct {
	net.Listener
	once          sync.Once
	onFirstAccept func()
}

func (l *readyListener) Accept() (net.Conn, error) {
	l.once.Do(l.onFirstAccept)
	return l.Listener.Accept()
}
