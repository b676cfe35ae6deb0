package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// lastOTPCode returns the newest code recorded for email in <dir>/otp_codes.jsonl.
func lastOTPCode(t *testing.T, dir, email string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, otpCodesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var entry map[string]string
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		if entry["email"] == email {
			code = entry["password"]
		}
	}
	if code == "" {
		t.Fatalf("no OTP code recorded for %s", email)
	}
	return code
}

func TestOTPCodeIsRecordedAndCompletesMFA(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	users := s.collection("users")
	users.MFA.Enabled = true
	users.OTP.Enabled = true
	s.save(users)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "otp-mfa-token"))

	r := s.authWithToken("users", "otp-mfa-token")
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("want 401, got %d %s", r.Status, r.Body)
	}
	mfaId, _ := r.json(t)["mfaId"].(string)

	r = s.postJSON("/api/collections/users/request-otp", map[string]string{"email": userEmail})
	if r.Status != http.StatusOK {
		t.Fatalf("request-otp: %d %s", r.Status, r.Body)
	}
	otpId, _ := r.json(t)["otpId"].(string)
	code := lastOTPCode(t, s.app.DataDir(), userEmail)

	expectAuth(t, s.postJSON("/api/collections/users/auth-with-otp",
		map[string]string{"otpId": otpId, "password": code, "mfaId": mfaId}), "users", userEmail)

	// unknown emails record nothing (and still get an otpId)
	r = s.postJSON("/api/collections/users/request-otp", map[string]string{"email": "nobody@example.com"})
	if r.Status != http.StatusOK {
		t.Fatalf("request-otp unknown: %d %s", r.Status, r.Body)
	}
	raw, err := os.ReadFile(filepath.Join(s.app.DataDir(), otpCodesFile))
	if err != nil {
		t.Fatal(err)
	}
	if countLines(raw) != 1 {
		t.Fatalf("want exactly one recorded code, got %q", raw)
	}
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}
