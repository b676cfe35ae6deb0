package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func (s *testServer) count(collection, query string, headers ...string) response {
	s.t.Helper()
	path := "/api/collections/" + collection + "/records/count"
	if query != "" {
		path += "?" + query
	}
	return s.do(http.MethodGet, path, "", nil, headers...)
}

func expectCount(t *testing.T, r response, want int) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("want 200, got %d %s", r.Status, r.Body)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got) != 1 || string(got["count"]) != itoa(want) {
		t.Fatalf("want {\"count\":%d}, got %s", want, r.Body)
	}
}

func TestRecordsCount(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)

	posts := s.collection(postsCollection)
	for _, title := range []string{"alpha", "beta", "beta"} {
		r := core.NewRecord(posts)
		r.Set("title", title)
		s.save(r)
	}

	expectCount(t, s.count(postsCollection, ""), 3)
	expectCount(t, s.count(postsCollection, "filter="+url.QueryEscape("title = 'beta'")), 2)
	expectCount(t, s.count(postsCollection, "filter="+url.QueryEscape("title = 'none'")), 0)
	expectCount(t, s.count(postsCollection, "skipTotal=true"), -1)
	expectCount(t, s.count(postsCollection, "skipTotal=1&filter="+url.QueryEscape("title = 'beta'")), -1)
	expectCount(t, s.count(postsCollection, "skipTotal=false"), 3)
	// paging parameters do not change the count
	expectCount(t, s.count(postsCollection, "page=3&perPage=1"), 3)

	expectError(t, s.count("missing", ""), 404, "Missing collection context.")
	expectError(t, s.count(postsCollection, "filter="+url.QueryEscape("title = ")), 400,
		"Something went wrong while processing your request.")
	expectError(t, s.count(postsCollection, "skipTotal=maybe"), 400,
		"Something went wrong while processing your request.")
	expectError(t, s.count(postsCollection, "filter="+url.QueryEscape("@request.auth.id != ''")), 403,
		"Only superusers can filter by @request.")

	// list rules apply: a guest sees no users and may not list superusers at all
	expectCount(t, s.count("users", ""), 0)
	expectError(t, s.count(superusersName, ""), 403, "Only superusers can perform this action.")

	jwt := expectAuth(t, s.postJSON("/api/collections/"+superusersName+"/auth-with-password",
		map[string]string{"identity": adminEmail, "password": adminPassword}), superusersName, adminEmail)
	expectCount(t, s.count("users", "", "Authorization", jwt), 2)
	expectCount(t, s.count(superusersName, "", "Authorization", jwt), 1)

	userJwt := expectAuth(t, s.postJSON("/api/collections/users/auth-with-password",
		map[string]string{"identity": userEmail, "password": userPassword}), "users", userEmail)
	expectCount(t, s.count("users", "", "Authorization", userJwt), 1)
}
