package main

import (
	"errors"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// collectionRateLimit mirrors PocketBase's (unexported) collectionPathRateLimit
// middleware as BosBase uses it for the custom-token routes:
//
//   - an unknown collection (name or id) gives 404 "Missing or invalid collection context."
//     even when rate limiting is disabled;
//   - labels are tried in the order "<name>:<tag>"..., "*:<tag>"..., "POST <path>", "<path>";
//   - disabled by default (settings), superusers are never limited.
//
// It uses the same handler id as PocketBase's global rate limiter so that it
// replaces it for these routes (as the built-in collection routes do).
func collectionRateLimit(baseTags ...string) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       apis.DefaultRateLimitMiddlewareId,
		Priority: apis.DefaultRateLimitMiddlewarePriority,
		Func: func(e *core.RequestEvent) error {
			collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
			if err != nil {
				return e.NotFoundError("Missing or invalid collection context.", err)
			}

			settings := e.App.Settings().RateLimits
			if !settings.Enabled || e.HasSuperuserAuth() {
				return e.Next()
			}

			labels := make([]string, 0, 2*len(baseTags)+2)
			rtId := collection.Id + e.Request.Pattern
			for _, tag := range baseTags {
				rtId += tag
				labels = append(labels, collection.Name+":"+tag)
			}
			for _, tag := range baseTags {
				labels = append(labels, "*:"+tag)
			}
			labels = append(labels, e.Request.Method+" "+e.Request.URL.Path, e.Request.URL.Path)

			audience := []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceGuest}
			if e.Auth != nil {
				audience = []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceAuth}
			}

			rule, ok := settings.FindRateLimitRule(labels, audience...)
			if ok && !limiter.allow(rtId+rule.Audience+"|"+rule.String()+"|"+e.RealIP(), rule.MaxRequests, rule.Duration) {
				return e.TooManyRequestsError("", errors.New("triggered rate limit rule: "+rule.String()))
			}

			return e.Next()
		},
	}
}

// fixedWindowLimiter is a tiny fixed-window limiter (same strategy as PocketBase's).
type fixedWindowLimiter struct {
	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start     int64
	available int
}

var limiter = &fixedWindowLimiter{windows: map[string]*window{}}

func (l *fixedWindowLimiter) allow(key string, maxRequests int, intervalSec int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	now := time.Now().Unix()

	// drop stale windows to keep the map small
	if len(l.windows) > 10000 {
		for k, w := range l.windows {
			if now-w.start > 3600 {
				delete(l.windows, k)
			}
		}
	}

	w, ok := l.windows[key]
	if !ok {
		w = &window{}
		l.windows[key] = w
	}
	if !ok || now-w.start >= intervalSec {
		w.start = now
		w.available = maxRequests
	}
	if w.available <= 0 {
		return false
	}
	w.available--
	return true
}
