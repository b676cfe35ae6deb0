package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

const (
	msgNoCollection     = "Missing or invalid collection context."
	msgNoAuthCollection = "Missing or invalid auth collection context."
)

func TestFullFlowUsersAndSuperusers(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	for _, tc := range []struct{ collection, email, password string }{
		{"users", userEmail, userPassword},
		{superusersName, adminEmail, adminPassword},
	} {
		t.Run(tc.collection, func(t *testing.T) {
			s.t = t
			token := "device-" + tc.collection

			expectNoContent(t, s.bind(tc.collection, tc.email, tc.password, token))
			jwt := expectAuth(t, s.authWithToken(tc.collection, token), tc.collection, tc.email)

			// the issued token is a normal PocketBase auth token (auth-refresh accepts it)
			r := s.do(http.MethodPost, "/api/collections/"+tc.collection+"/auth-refresh", "", nil, "Authorization", jwt)
			expectAuth(t, r, tc.collection, tc.email)

			// the collection may also be addressed by id
			id := s.collection(tc.collection).Id
			expectAuth(t, s.authWithToken(id, token), tc.collection, tc.email)

			// binding again is idempotent
			expectNoContent(t, s.bind(id, tc.email, tc.password, token))
			expectAuth(t, s.authWithToken(tc.collection, token), tc.collection, tc.email)

			// an Authorization header is ignored by bind/unbind
			raw := []byte(`{"email":"` + tc.email + `","password":"` + tc.password + `","token":"` + token + `"}`)
			expectNoContent(t, s.do(http.MethodPost, "/api/collections/"+tc.collection+"/unbind-token",
				"application/json", raw, "Authorization", "garbage"))
			expectError(t, s.authWithToken(tc.collection, token), 400, msgAuthFailed)
		})
	}
}

func TestCollectionEnforcement(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	expectNoContent(t, s.bind("users", userEmail, userPassword, "users-token"))
	expectNoContent(t, s.bind(superusersName, adminEmail, adminPassword, "admin-token"))

	expectError(t, s.authWithToken(superusersName, "users-token"), 400, msgAuthFailed)
	expectError(t, s.authWithToken("users", "admin-token"), 400, msgAuthFailed)

	// credentials of one collection do not work in another
	expectError(t, s.bind(superusersName, userEmail, userPassword, "x"), 400, msgBindFailed)
	expectError(t, s.bind("users", adminEmail, adminPassword, "x"), 400, msgBindFailed)

	// the same token in both collections: independent bindings
	expectNoContent(t, s.bind("users", userEmail, userPassword, "shared"))
	expectNoContent(t, s.bind(superusersName, adminEmail, adminPassword, "shared"))
	expectAuth(t, s.authWithToken("users", "shared"), "users", userEmail)
	expectAuth(t, s.authWithToken(superusersName, "shared"), superusersName, adminEmail)

	expectNoContent(t, s.unbind("users", userEmail, userPassword, "shared"))
	expectError(t, s.authWithToken("users", "shared"), 400, msgAuthFailed)
	expectAuth(t, s.authWithToken(superusersName, "shared"), superusersName, adminEmail)
}

func TestBadCredentialsDoNotCreateTable(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	expectError(t, s.bind("users", userEmail, "wrong-password", "t"), 400, msgBindFailed)
	expectError(t, s.bind("users", "nobody@example.com", userPassword, "t"), 400, msgBindFailed)
	// email lookup is exact (the default email index is not NOCASE)
	expectError(t, s.bind("users", strings.ToUpper(userEmail), userPassword, "t"), 400, msgBindFailed)
	// nothing is trimmed
	expectError(t, s.bind("users", userEmail, userPassword+" ", "t"), 400, msgBindFailed)
	expectError(t, s.unbind("users", userEmail, "wrong-password", "t"), 400, msgUnbindFailed)
	expectError(t, s.unbind("users", "nobody@example.com", userPassword, "t"), 400, msgUnbindFailed)

	if s.tableExists() {
		t.Fatal("a failed bind must not create the " + tokenBindingsTable + " table")
	}
}

func TestUnknownToken(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	// the table does not exist yet
	expectError(t, s.authWithToken("users", "never-bound"), 400, msgAuthFailed)
	if s.tableExists() {
		t.Fatal("auth-with-token must not create the table")
	}

	expectNoContent(t, s.bind("users", userEmail, userPassword, "bound"))
	expectError(t, s.authWithToken("users", "never-bound"), 400, msgAuthFailed)
	// hashed byte-for-byte: no trimming, no case folding
	expectError(t, s.authWithToken("users", "bound "), 400, msgAuthFailed)
	expectError(t, s.authWithToken("users", "BOUND"), 400, msgAuthFailed)
}

func TestUnbindUnboundToken(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	// no table yet
	expectNoContent(t, s.unbind("users", userEmail, userPassword, "nothing"))
	if s.tableExists() {
		t.Fatal("unbind must not create the table")
	}

	expectNoContent(t, s.bind("users", otherEmail, otherPassword, "others"))
	expectNoContent(t, s.unbind("users", userEmail, userPassword, "nothing"))
	// bound to a different record: 204 but nothing removed
	expectNoContent(t, s.unbind("users", userEmail, userPassword, "others"))
	expectAuth(t, s.authWithToken("users", "others"), "users", otherEmail)
}

func TestRebindMovesToken(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)

	expectNoContent(t, s.bind("users", userEmail, userPassword, "moving"))
	expectAuth(t, s.authWithToken("users", "moving"), "users", userEmail)

	expectNoContent(t, s.bind("users", otherEmail, otherPassword, "moving"))
	expectAuth(t, s.authWithToken("users", "moving"), "users", otherEmail)
	if n := s.countBindings(); n != 1 {
		t.Fatalf("want 1 binding, got %d", n)
	}

	// the former owner can no longer unbind it
	expectNoContent(t, s.unbind("users", userEmail, userPassword, "moving"))
	expectAuth(t, s.authWithToken("users", "moving"), "users", otherEmail)

	// one record may hold many tokens
	expectNoContent(t, s.bind("users", userEmail, userPassword, "a"))
	expectNoContent(t, s.bind("users", userEmail, userPassword, "b"))
	expectAuth(t, s.authWithToken("users", "a"), "users", userEmail)
	expectAuth(t, s.authWithToken("users", "b"), "users", userEmail)
	if n := s.countBindings(); n != 3 {
		t.Fatalf("want 3 bindings, got %d", n)
	}
}

func lengthError(max int) string {
	return `{"code":"validation_length_out_of_range","message":"The length must be between 1 and ` +
		itoa(max) + `.","params":{"max":` + itoa(max) + `,"min":1}}`
}

func itoa(n int) string { return strconv.Itoa(n) }

func coreRule(label string, maxRequests int, durationSec int64) core.RateLimitRule {
	return core.RateLimitRule{Label: label, MaxRequests: maxRequests, Duration: durationSec}
}

func TestValidation(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	blank := `{"code":"validation_required","message":"Cannot be blank."}`

	// token length is counted in bytes
	tok1024 := strings.Repeat("x", 1024)
	expectNoContent(t, s.bind("users", userEmail, userPassword, tok1024))
	expectAuth(t, s.authWithToken("users", tok1024), "users", userEmail)

	mb1024 := strings.Repeat("é", 512) // 512 runes, 1024 bytes
	expectNoContent(t, s.bind("users", userEmail, userPassword, mb1024))
	expectAuth(t, s.authWithToken("users", mb1024), "users", userEmail)

	for _, tok := range []string{strings.Repeat("x", 1025), strings.Repeat("é", 513)} {
		expectErrorData(t, s.bind("users", userEmail, userPassword, tok), 400, msgValidationFailed,
			`{"token":`+lengthError(1024)+`}`)
		expectErrorData(t, s.unbind("users", userEmail, userPassword, tok), 400, msgValidationFailed,
			`{"token":`+lengthError(1024)+`}`)
		expectErrorData(t, s.authWithToken("users", tok), 400, msgValidationFailed,
			`{"token":`+lengthError(1024)+`}`)
	}

	// password and email: 1-255 bytes (length is reported before the email format)
	expectErrorData(t, s.bind("users", userEmail, strings.Repeat("ü", 128), "t"), 400, msgValidationFailed,
		`{"password":`+lengthError(255)+`}`)
	longEmail := strings.Repeat("a", 250) + "@example.com"
	expectErrorData(t, s.bind("users", longEmail, userPassword, "t"), 400, msgValidationFailed,
		`{"email":`+lengthError(255)+`}`)
	expectErrorData(t, s.bind("users", "not-an-email", userPassword, "t"), 400, msgValidationFailed,
		`{"email":{"code":"validation_is_email","message":"Must be a valid email address."}}`)

	// empty bodies: every field "Cannot be blank."
	allBlank := `{"email":` + blank + `,"password":` + blank + `,"token":` + blank + `}`
	for _, ep := range []string{"bind-token", "unbind-token"} {
		path := "/api/collections/users/" + ep
		expectErrorData(t, s.do(http.MethodPost, path, "", nil), 400, msgValidationFailed, allBlank)
		expectErrorData(t, s.do(http.MethodPost, path, "application/json", []byte(`{}`)), 400, msgValidationFailed, allBlank)
		// malformed JSON, wrong JSON type and unsupported content type are load errors
		expectError(t, s.do(http.MethodPost, path, "application/json", []byte(`{"email":`)), 400, msgLoadFailed)
		expectError(t, s.do(http.MethodPost, path, "application/json",
			[]byte(`{"email":"`+userEmail+`","password":"`+userPassword+`","token":123}`)), 400, msgLoadFailed)
		expectError(t, s.do(http.MethodPost, path, "text/plain", []byte(`hello`)), 400, msgLoadFailed)
	}
	path := "/api/collections/users/auth-with-token"
	expectErrorData(t, s.do(http.MethodPost, path, "", nil), 400, msgValidationFailed, `{"token":`+blank+`}`)
	expectErrorData(t, s.do(http.MethodPost, path, "application/json", []byte(`{"token":""}`)), 400, msgValidationFailed, `{"token":`+blank+`}`)
	expectError(t, s.do(http.MethodPost, path, "application/json", []byte(`{"token":123}`)), 400, msgLoadFailed)
	expectError(t, s.do(http.MethodPost, path, "application/json", []byte(`nope`)), 400, msgLoadFailed)
	expectError(t, s.do(http.MethodPost, path, "text/plain", []byte(`x`)), 400, msgLoadFailed)

	// multipart and urlencoded bodies use the same field names
	fields := map[string]string{"email": userEmail, "password": userPassword, "token": "form-token"}
	ct, body := multipartBody(t, fields)
	expectNoContent(t, s.do(http.MethodPost, "/api/collections/users/bind-token", ct, body))
	ct, body = multipartBody(t, map[string]string{"token": "form-token"})
	expectAuth(t, s.do(http.MethodPost, path, ct, body), "users", userEmail)
	expectAuth(t, s.do(http.MethodPost, path, "application/x-www-form-urlencoded",
		urlencodedBody(map[string]string{"token": "form-token"})), "users", userEmail)
	expectNoContent(t, s.do(http.MethodPost, "/api/collections/users/unbind-token",
		"application/x-www-form-urlencoded", urlencodedBody(fields)))
	expectError(t, s.authWithToken("users", "form-token"), 400, msgAuthFailed)
}

func TestOnlyHashIsStored(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	token := "raw-secret-token-ÿ"
	expectNoContent(t, s.bind("users", userEmail, userPassword, token))

	var rows []struct {
		Id            string `db:"id"`
		CollectionRef string `db:"collectionRef"`
		RecordRef     string `db:"recordRef"`
		TokenHash     string `db:"tokenHash"`
		Created       string `db:"created"`
		Updated       string `db:"updated"`
	}
	if err := s.app.DB().NewQuery("SELECT * FROM " + tokenBindingsTable).All(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("want 1 row, got %d", len(rows))
	}
	sum := sha256.Sum256([]byte(token))
	want := hex.EncodeToString(sum[:])
	row := rows[0]
	if row.TokenHash != want || row.TokenHash != security.SHA256(token) || len(row.TokenHash) != 64 {
		t.Fatalf("tokenHash = %q, want %q", row.TokenHash, want)
	}
	if row.CollectionRef != s.collection("users").Id || row.RecordRef != s.recordId("users", userEmail) {
		t.Fatalf("unexpected refs: %+v", row)
	}
	if row.Id == "" || row.Created == "" || row.Updated == "" {
		t.Fatalf("missing id/timestamps: %+v", row)
	}
	for _, v := range []string{row.Id, row.CollectionRef, row.RecordRef, row.TokenHash, row.Created, row.Updated} {
		if strings.Contains(v, "raw-secret") {
			t.Fatalf("raw token stored: %+v", row)
		}
	}

	// schema: exact index names and uniqueness
	var indexes []struct {
		Name string `db:"name"`
		Sql  string `db:"sql"`
	}
	err := s.app.DB().NewQuery("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name={:t} AND sql IS NOT NULL ORDER BY name").
		Bind(map[string]any{"t": tokenBindingsTable}).All(&indexes)
	if err != nil {
		t.Fatal(err)
	}
	if len(indexes) != 2 ||
		indexes[0].Name != "idx__token_bindings_record" || strings.Contains(indexes[0].Sql, "UNIQUE") ||
		indexes[1].Name != "idx__token_bindings_token" || !strings.Contains(indexes[1].Sql, "UNIQUE") {
		t.Fatalf("unexpected indexes: %+v", indexes)
	}
}

func TestPasswordAuthDisabled(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "pre-bound"))

	users := s.collection("users")
	users.PasswordAuth.Enabled = false
	s.save(users)

	for _, ep := range []string{"bind-token", "unbind-token"} {
		path := "/api/collections/users/" + ep
		// checked before the body is read: a malformed body still gives 403
		expectError(t, s.do(http.MethodPost, path, "application/json", []byte(`{not json`)), 403, msgNoPasswordAuth)
		expectError(t, s.do(http.MethodPost, path, "text/plain", []byte(`x`)), 403, msgNoPasswordAuth)
		expectError(t, s.bind("users", userEmail, userPassword, "pre-bound"), 403, msgNoPasswordAuth)
	}

	// login by token still works
	expectAuth(t, s.authWithToken("users", "pre-bound"), "users", userEmail)
}

func TestCollectionNotFound(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	postsId := s.collection(postsCollection).Id

	for _, ep := range []string{"bind-token", "unbind-token", "auth-with-token"} {
		for _, name := range []string{"missing", "pbc_0000000000"} {
			expectError(t, s.do(http.MethodPost, "/api/collections/"+name+"/"+ep, "application/json", []byte(`{bad`)),
				404, msgNoCollection)
		}
		for _, name := range []string{postsCollection, postsId} {
			expectError(t, s.do(http.MethodPost, "/api/collections/"+name+"/"+ep, "application/json", []byte(`{bad`)),
				404, msgNoAuthCollection)
		}
	}
}

func TestAuthRule(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "ruled"))

	users := s.collection("users")
	users.AuthRule = types.Pointer("verified = false")
	s.save(users)

	expectError(t, s.authWithToken("users", "ruled"), 403,
		"The request doesn't satisfy the collection requirements to authenticate.")

	// rules see @request.context = "token"
	users.AuthRule = types.Pointer(`@request.context = "token"`)
	s.save(users)
	expectAuth(t, s.authWithToken("users", "ruled"), "users", userEmail)
	r := s.postJSON("/api/collections/users/auth-with-password", map[string]string{"identity": userEmail, "password": userPassword})
	expectError(t, r, 403, "The request doesn't satisfy the collection requirements to authenticate.")
}

func TestMFA(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "mfa-token"))

	users := s.collection("users")
	users.MFA.Enabled = true
	users.OTP.Enabled = true // PocketBase requires >= 2 built-in auth methods for MFA
	s.save(users)

	firstFactor := func() string {
		t.Helper()
		r := s.authWithToken("users", "mfa-token")
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("want 401, got %d %s", r.Status, r.Body)
		}
		m := r.json(t)
		id, _ := m["mfaId"].(string)
		if len(m) != 1 || id == "" {
			t.Fatalf("want body {\"mfaId\":...}, got %s", r.Body)
		}
		return id
	}

	// token + token is rejected (mfaId via body and via query)
	mfaId := firstFactor()
	expectError(t, s.postJSON("/api/collections/users/auth-with-token", map[string]string{"token": "mfa-token", "mfaId": mfaId}),
		400, "A different authentication method is required.")
	expectError(t, s.postJSON("/api/collections/users/auth-with-token?mfaId="+mfaId, map[string]string{"token": "mfa-token"}),
		400, "A different authentication method is required.")

	// token + password succeeds (mfaId in the body)
	r := s.postJSON("/api/collections/users/auth-with-password",
		map[string]string{"identity": userEmail, "password": userPassword, "mfaId": mfaId})
	expectAuth(t, r, "users", userEmail)

	// the MFA session is consumed
	expectError(t, s.postJSON("/api/collections/users/auth-with-password",
		map[string]string{"identity": userEmail, "password": userPassword, "mfaId": mfaId}),
		400, "Invalid or expired MFA session.")

	// token + password with ?mfaId=
	mfaId = firstFactor()
	r = s.postJSON("/api/collections/users/auth-with-password?mfaId="+mfaId,
		map[string]string{"identity": userEmail, "password": userPassword})
	expectAuth(t, r, "users", userEmail)

	// password first, token second
	r = s.postJSON("/api/collections/users/auth-with-password", map[string]string{"identity": userEmail, "password": userPassword})
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("want 401, got %d %s", r.Status, r.Body)
	}
	mfaId, _ = r.json(t)["mfaId"].(string)
	expectAuth(t, s.postJSON("/api/collections/users/auth-with-token", map[string]string{"token": "mfa-token", "mfaId": mfaId}),
		"users", userEmail)

	// an mfaId of another record is rejected
	expectNoContent(t, s.bind("users", otherEmail, otherPassword, "other-token"))
	mfaId = firstFactor()
	expectError(t, s.postJSON("/api/collections/users/auth-with-password",
		map[string]string{"identity": otherEmail, "password": otherPassword, "mfaId": mfaId}),
		400, "Invalid MFA session.")

	// bind/unbind never involve MFA
	expectNoContent(t, s.bind("users", userEmail, userPassword, "another"))
	expectNoContent(t, s.unbind("users", userEmail, userPassword, "another"))
}

func TestBindingsRemovedWithRecordAndCollection(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "u1"))
	expectNoContent(t, s.bind("users", otherEmail, otherPassword, "o1"))
	expectNoContent(t, s.bind(superusersName, adminEmail, adminPassword, "o1"))

	other, err := s.app.FindAuthRecordByEmail("users", otherEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.app.Delete(other); err != nil {
		t.Fatal(err)
	}
	expectError(t, s.authWithToken("users", "o1"), 400, msgAuthFailed)
	expectAuth(t, s.authWithToken(superusersName, "o1"), superusersName, adminEmail)
	if n := s.countBindings(); n != 2 {
		t.Fatalf("want 2 bindings, got %d", n)
	}

	// an extra auth collection that gets deleted
	if err := s.app.Delete(s.collection("users")); err != nil {
		t.Fatal(err)
	}
	if n := s.countBindings(); n != 1 {
		t.Fatalf("want 1 binding after deleting users, got %d", n)
	}
}

func TestVerifiedNotRequiredForBind(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	u, err := s.app.FindAuthRecordByEmail("users", userEmail)
	if err != nil {
		t.Fatal(err)
	}
	u.SetVerified(false)
	s.save(u)
	expectNoContent(t, s.bind("users", userEmail, userPassword, "unverified"))
	expectAuth(t, s.authWithToken("users", "unverified"), "users", userEmail)
}

func TestSeedAndPosts(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	for i := 0; i < 2; i++ { // idempotent
		app, err := newApp(testConfig(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range []Account{testConfig(dir).User, testConfig(dir).Other, testConfig(dir).Superuser} {
			r, err := app.FindAuthRecordByEmail(acc.Collection, acc.Email)
			if err != nil || !r.ValidatePassword(acc.Password) || !r.Verified() {
				t.Fatalf("account %s/%s not seeded correctly: %v", acc.Collection, acc.Email, err)
			}
		}
		if n, _ := app.CountRecords("users"); n != 2 {
			t.Fatalf("want 2 users, got %d", n)
		}
		if n, _ := app.CountRecords(superusersName); n != 1 {
			t.Fatalf("want 1 superuser, got %d", n)
		}
		c, err := app.FindCollectionByNameOrId(postsCollection)
		if err != nil || !c.IsBase() || c.ListRule == nil || *c.ListRule != "" || c.ViewRule == nil || *c.ViewRule != "" {
			t.Fatalf("posts collection not seeded correctly: %v", err)
		}
		_ = app.ResetBootstrapState()
	}

	s := newTestServer(t)
	r := s.do(http.MethodGet, "/api/collections/posts/records", "", nil)
	if r.Status != 200 {
		t.Fatalf("posts list: %d %s", r.Status, r.Body)
	}
}

func TestRateLimitLabels(t *testing.T) {
	t.Parallel()

	s := newTestServer(t)
	s.app.Settings().RateLimits.Enabled = true
	s.app.Settings().RateLimits.Rules = append(s.app.Settings().RateLimits.Rules[:0:0],
		coreRule("users:authWithToken", 2, 60))

	expectError(t, s.authWithToken("users", "x"), 400, msgAuthFailed)
	expectError(t, s.authWithToken("users", "x"), 400, msgAuthFailed)
	expectError(t, s.authWithToken("users", "x"), 429, "Too Many Requests.")
	// other collection/endpoint not affected
	expectError(t, s.authWithToken(superusersName, "x"), 400, msgAuthFailed)
	// unknown collection is still a 404 first
	expectError(t, s.authWithToken("missing", "x"), 404, msgNoCollection)
}
