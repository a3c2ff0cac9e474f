package plextvsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusFaults(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.DemoAccount().Token
	user := func() answer { return call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok) }

	if err := s.AddFault(Fault{Endpoint: EndpointUser, Status: 429, RetryAfter: 5, Count: 2}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		a := user()
		want := `{"errors":[{"code":1003,"message":"API rate limit exceeded","status":429}]}`
		if a.status != 429 || a.header.Get("Retry-After") != "5" || strings.TrimSpace(string(a.body)) != want {
			t.Fatalf("429 fault: %d %q %s", a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	if a := user(); a.status != 200 {
		t.Fatalf("after a 2-count fault: %d", a.status)
	}

	// Faults for other endpoints do not apply; AllEndpoints does.
	s.AddFault(Fault{Endpoint: EndpointResources, Status: 500})
	if a := user(); a.status != 200 {
		t.Errorf("resources fault hit /user: %d", a.status)
	}
	s.ClearFaults()
	s.AddFault(Fault{Status: 502})
	a := user()
	if a.status != 502 || !strings.Contains(string(a.body), "502 Bad Gateway") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Errorf("502 fault: %d %s", a.status, a.body)
	}
	if a := call(t, "POST", s.URL()+"/api/v2/pins", nil); a.status != 502 {
		t.Errorf("all-endpoints fault on create PIN: %d", a.status)
	}
	if len(s.Faults()) != 1 {
		t.Errorf("persistent fault gone: %v", s.Faults())
	}
	s.ClearFaults()

	s.AddFault(Fault{Endpoint: EndpointCheckPIN, Status: 429, Count: 1})
	if a := call(t, "GET", s.URL()+"/api/v2/pins/1", nil); a.header.Get("Retry-After") != "1" {
		t.Errorf("default Retry-After = %q, want 1", a.header.Get("Retry-After"))
	}
	if err := s.AddFault(Fault{Endpoint: "nope"}); err == nil {
		t.Error("unknown endpoint accepted")
	}
}

func TestBodyFaults(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.DemoAccount().Token
	s.AddResource(Resource{Name: "Box", Provides: "server"})

	s.AddFault(Fault{Endpoint: EndpointCreatePIN, Body: BodyTruncated, Count: 1})
	a := call(t, "POST", s.URL()+"/api/v2/pins", nil)
	if a.status != http.StatusCreated || json.Valid(a.body) || !strings.HasPrefix(string(a.body), `{"id":`) {
		t.Errorf("truncated: %d %s", a.status, a.body)
	}

	s.AddFault(Fault{Endpoint: EndpointUser, Body: BodyHTML, Count: 1})
	a = call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok)
	if a.status != 200 || !strings.HasPrefix(string(a.body), "<!DOCTYPE html>") {
		t.Errorf("html: %d %s", a.status, a.body)
	}

	for _, ep := range []Endpoint{EndpointResources, EndpointUser} {
		s.AddFault(Fault{Endpoint: ep, Body: BodyOversized, Count: 1})
		path := map[Endpoint]string{EndpointResources: "/api/v2/resources", EndpointUser: "/api/v2/user"}[ep]
		a = call(t, "GET", s.URL()+path, nil, "X-Plex-Token", tok)
		if a.status != 200 || len(a.body) < 5<<20 || len(a.body) > 5<<20+4096 || !json.Valid(a.body) {
			t.Errorf("oversized %s: %d, %d bytes, valid JSON %v", ep, a.status, len(a.body), json.Valid(a.body))
		}
	}
	s.AddFault(Fault{Endpoint: EndpointResources, Body: BodyOversized, Size: 100 << 10, Status: 503, Count: 1})
	a = call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", tok)
	if a.status != 503 || len(a.body) < 100<<10 || len(a.body) > 110<<10 {
		t.Errorf("sized oversized: %d, %d bytes", a.status, len(a.body))
	}
	if len(s.Faults()) != 0 {
		t.Errorf("count-limited faults left: %v", s.Faults())
	}
}

func TestDelayFault(t *testing.T) {
	s := startSim(t, Options{})
	s.AddFault(Fault{Endpoint: EndpointCreatePIN, Delay: 50 * time.Millisecond, Count: 1})
	start := time.Now()
	a := call(t, "POST", s.URL()+"/api/v2/pins", nil)
	if took := time.Since(start); a.status != http.StatusCreated || took < 50*time.Millisecond {
		t.Errorf("delayed create: %d after %v", a.status, took)
	}
}

func TestHangFault(t *testing.T) {
	s := startSim(t, Options{})
	s.AddFault(Fault{Endpoint: EndpointCheckPIN, Hang: true})

	// The client gives up once its request is in: it gets its own
	// cancellation, not an answer.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/api/v2/pins/1", nil)
		req.Header.Set("X-Plex-Client-Identifier", testClientID)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		first <- err
	}()
	waitFor(t, "the first request to arrive", func() bool { return len(s.Requests()) == 1 })
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("hang: err = %v, want the client's own cancellation", err)
	}

	// A client that waits forever is released when the Sim closes.
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", s.URL()+"/api/v2/pins/2", nil)
		req.Header.Set("X-Plex-Client-Identifier", testClientID)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the second request to arrive", func() bool { return len(s.Requests()) == 2 })
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("hung request got an answer after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a hung request")
	}
	for _, r := range s.Requests() {
		if r.Status != 0 {
			t.Errorf("hung request logged with status %d", r.Status)
		}
	}
}
