package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

const (
	userEmail      = "user@example.com"
	userPassword   = "user-password"
	otherEmail     = "other@example.com"
	otherPassword  = "other-password"
	adminEmail     = "admin@example.com"
	adminPassword  = "admin-password"
	superusersName = core.CollectionNameSuperusers
)

func testConfig(dir string) Config {
	return Config{
		Dir:       dir,
		HTTP:      "127.0.0.1:0",
		User:      Account{Collection: "users", Email: userEmail, Password: userPassword},
		Other:     Account{Collection: "users", Email: otherEmail, Password: otherPassword},
		Superuser: Account{Collection: superusersName, Email: adminEmail, Password: adminPassword},
	}
}

// testServer is an in-process app + router; requests go straight to the mux
// (no network).
type testServer struct {
	t       *testing.T
	app     *core.BaseApp
	handler http.Handler
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	app, err := newApp(testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })

	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	se := &core.ServeEvent{App: app, Router: r}
	var handler http.Handler
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, app: app, handler: handler}
}

type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %q", err, r.Body)
	}
	return m
}

// do sends a request with a raw body and content type ("" = no header).
func (s *testServer) do(method, path, contentType string, body []byte, headers ...string) response {
	s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}
}

func (s *testServer) postJSON(path string, body any, headers ...string) response {
	s.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.do(http.MethodPost, path, "application/json", raw, headers...)
}

func (s *testServer) bind(collection, email, password, token string) response {
	s.t.Helper()
	return s.postJSON("/api/collections/"+collection+"/bind-token",
		map[string]string{"email": email, "password": password, "token": token})
}

func (s *testServer) unbind(collection, email, password, token string) response {
	s.t.Helper()
	return s.postJSON("/api/collections/"+collection+"/unbind-token",
		map[string]string{"email": email, "password": password, "token": token})
}

func (s *testServer) authWithToken(collection, token string) response {
	s.t.Helper()
	return s.postJSON("/api/collections/"+collection+"/auth-with-token", map[string]string{"token": token})
}

func (s *testServer) tableExists() bool {
	return s.app.HasTable(tokenBindingsTable)
}

func (s *testServer) countBindings() int {
	s.t.Helper()
	if !s.tableExists() {
		return 0
	}
	var n int
	if err := s.app.DB().NewQuery("SELECT COUNT(*) FROM " + tokenBindingsTable).Row(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *testServer) recordId(collection, email string) string {
	s.t.Helper()
	r, err := s.app.FindAuthRecordByEmail(collection, email)
	if err != nil {
		s.t.Fatal(err)
	}
	return r.Id
}

func (s *testServer) collection(name string) *core.Collection {
	s.t.Helper()
	c, err := s.app.FindCollectionByNameOrId(name)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *testServer) save(m core.Model) {
	s.t.Helper()
	if err := s.app.Save(m); err != nil {
		s.t.Fatal(err)
	}
}

// expectNoContent checks for a 204 with an empty body.
func expectNoContent(t *testing.T, r response) {
	t.Helper()
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("want 204 with empty body, got %d %q", r.Status, r.Body)
	}
}

// expectError checks an error envelope with the given status, message and empty data.
func expectError(t *testing.T, r response, status int, message string) {
	t.Helper()
	expectErrorData(t, r, status, message, `{}`)
}

// expectErrorData checks an error envelope including its JSON data (compared semantically).
func expectErrorData(t *testing.T, r response, status int, message string, data string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want status %d, got %d %s", status, r.Status, r.Body)
	}
	var got struct {
		Data    json.RawMessage `json:"data"`
		Message string          `json:"message"`
		Status  int             `json:"status"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("bad envelope %q: %v", r.Body, err)
	}
	if got.Message != message || got.Status != status {
		t.Fatalf("want %d %q, got %s", status, message, r.Body)
	}
	if !jsonEqual(t, got.Data, []byte(data)) {
		t.Fatalf("want data %s, got %s", data, got.Data)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("invalid json %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("invalid json %q: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// expectAuth checks a 200 auth response for the given collection/email and returns the token.
func expectAuth(t *testing.T, r response, collection, email string) string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("want 200 auth response, got %d %s", r.Status, r.Body)
	}
	var got struct {
		Meta   any            `json:"meta"`
		Record map[string]any `json:"record"`
		Token  string         `json:"token"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Token == "" || got.Record["email"] != email || got.Record["collectionName"] != collection || got.Meta != nil {
		t.Fatalf("unexpected auth response for %s/%s: %s", collection, email, r.Body)
	}
	if _, ok := got.Record["password"]; ok {
		t.Fatalf("password leaked: %s", r.Body)
	}
	return got.Token
}

func multipartBody(t *testing.T, fields map[string]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

func urlencodedBody(fields map[string]string) []byte {
	v := url.Values{}
	for k, val := range fields {
		v.Set(k, val)
	}
	return []byte(v.Encode())
}
