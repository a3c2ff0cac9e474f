package plextvsim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Redacted replaces token values in the request log.
const Redacted = "REDACTED"

// Request is one logged request. X-Plex-Token values, in headers or query,
// read Redacted: a test can see that a token was sent, never which one.
type Request struct {
	Time   time.Time   `json:"time"`
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query,omitempty"`
	Header http.Header `json:"header"`
	// Status is the HTTP status answered, 0 while the request is running
	// or if no answer was sent (hang, client gave up).
	Status int `json:"status"`
}

// HasToken reports whether the request carried an X-Plex-Token, in a
// header or in the query.
func (r Request) HasToken() bool {
	if r.Header.Get("X-Plex-Token") != "" {
		return true
	}
	q, _ := url.ParseQuery(r.Query)
	return tokenInQuery(q)
}

// Violation is a request to plex.tv's API that broke one of the rules the
// app must keep (see Sim.Violations).
type Violation struct {
	Request Request `json:"request"`
	Problem string  `json:"problem"`
}

type violation struct {
	req     *Request // the log entry, so its final Status shows
	problem string
}

// Problems reported as Violation.Problem.
const (
	ProblemTokenInQuery     = "X-Plex-Token in the URL query"
	ProblemNoClientID       = "no X-Plex-Client-Identifier header"
	ProblemNoProduct        = "no X-Plex-Product header"
	ProblemNotAcceptingJSON = "Accept header does not ask for application/json"
)

// newRequest makes the log entry for r, with tokens redacted.
func newRequest(r *http.Request, now time.Time) *Request {
	h := r.Header.Clone()
	if h.Get("X-Plex-Token") != "" {
		h.Set("X-Plex-Token", Redacted)
	}
	q := r.URL.Query()
	for k := range q {
		if strings.EqualFold(k, "X-Plex-Token") {
			q[k] = []string{Redacted}
		}
	}
	return &Request{Time: now, Method: r.Method, Path: r.URL.Path, Query: q.Encode(), Header: h}
}

func tokenInQuery(q url.Values) bool {
	for k := range q {
		if strings.EqualFold(k, "X-Plex-Token") {
			return true
		}
	}
	return false
}

func acceptsJSON(h http.Header) bool {
	return strings.Contains(strings.ToLower(strings.Join(h.Values("Accept"), ",")), "application/json")
}

// isAPI reports whether path is one of plex.tv's API endpoints: /api/…,
// and the XML device list (/devices.xml, /devices/{id}.xml).
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/devices.xml" || strings.HasPrefix(path, "/devices/")
}

// problems lists the rules a plex.tv API request breaks. The device list
// is XML only, so it need not ask for JSON.
func problems(r *http.Request) []string {
	var ps []string
	if tokenInQuery(r.URL.Query()) {
		ps = append(ps, ProblemTokenInQuery)
	}
	if r.Header.Get("X-Plex-Client-Identifier") == "" {
		ps = append(ps, ProblemNoClientID)
	}
	if r.Header.Get("X-Plex-Product") == "" {
		ps = append(ps, ProblemNoProduct)
	}
	if !acceptsJSON(r.Header) && strings.HasPrefix(r.URL.Path, "/api/") {
		ps = append(ps, ProblemNotAcceptingJSON)
	}
	return ps
}

// logged records every request except the control API's.
func (s *Sim) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sim/") {
			next.ServeHTTP(w, r)
			return
		}
		entry := newRequest(r, s.now())
		s.mu.Lock()
		s.log = append(s.log, entry)
		if isAPI(r.URL.Path) {
			for _, p := range problems(r) {
				s.violations = append(s.violations, violation{entry, p})
			}
			if id := r.Header.Get("X-Plex-Client-Identifier"); id != "" && !slices.Contains(s.clientIDs, id) {
				s.clientIDs = append(s.clientIDs, id)
			}
		}
		s.mu.Unlock()

		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)

		s.mu.Lock()
		entry.Status = sw.status
		s.mu.Unlock()
	})
}

// Requests returns a copy of the request log, oldest first. Control API
// (/_sim/) requests are not logged.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = *r
	}
	return out
}

// ClearLog empties the request log, the violations and the client
// identifiers seen.
func (s *Sim) ClearLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.violations, s.clientIDs = nil, nil, nil
}

// Violations lists every plex.tv API request (/api/…) that carried a token
// in the URL query, lacked X-Plex-Client-Identifier or X-Plex-Product, or
// did not ask for JSON with Accept: application/json. One request can give
// several violations.
func (s *Sim) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Violation, len(s.violations))
	for i, v := range s.violations {
		out[i] = Violation{Request: *v.req, Problem: v.problem}
	}
	return out
}

// ClientIdentifiers lists the distinct X-Plex-Client-Identifier values seen
// on API requests, in the order first seen. One install should show one.
func (s *Sim) ClientIdentifiers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.clientIDs)
}
