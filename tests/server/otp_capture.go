package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// otpCodesFile is where the dev server records one-time passwords, one JSON
// object per line: {"email":"...","password":"..."}.
const otpCodesFile = "otp_codes.jsonl"

// registerMailCapture makes the server usable offline: outgoing mail is dropped
// (a dev server has no mail transport), and OTP codes are written to
// <dir>/otp_codes.jsonl before request-otp answers, so a test can read the code
// right after the call and complete an OTP sign-in.
func registerMailCapture(app core.App, dir string) {
	var mu sync.Mutex
	app.OnRecordRequestOTPRequest().BindFunc(func(e *core.RecordCreateOTPRequestEvent) error {
		if e.Record != nil {
			line, err := json.Marshal(map[string]string{"email": e.Record.Email(), "password": e.Password})
			if err != nil {
				return err
			}
			mu.Lock()
			err = appendLine(filepath.Join(dir, otpCodesFile), line)
			mu.Unlock()
			if err != nil {
				return fmt.Errorf("record OTP code: %w", err)
			}
		}
		return e.Next()
	})
	app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error {
		return nil // dropped on purpose: never call e.Next(), which would send
	})
}

func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
