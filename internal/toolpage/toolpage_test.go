package toolpage

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/localpage"
	"github.com/plextray/plextray/internal/plextv"
)

var refreshRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:[0-9]+/[A-Za-z0-9_-]+)"`)

type served struct {
	url   string
	done  <-chan Result
	clock *clock.Fake
	made  chan string
}

// serve starts a page whose Make gives "tok-<name>", or fails for "bad".
func serve(t *testing.T) *served {
	t.Helper()
	srv, err := localpage.Listen(filepath.Join(t.TempDir(), "pages"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := &served{clock: clock.NewFake(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), made: make(chan string, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	launch, done, err := Serve(ctx, Options{Clock: s.clock, Server: srv, Make: func(_ context.Context, name string) (plextv.Token, error) {
		defer func() { s.made <- name }()
		if name == "bad" {
			return "", errors.New("plex.tv said no")
		}
		return plextv.Token("tok-" + name), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.done = done
	t.Cleanup(func() {
		cancel()
		for range done {
		}
	})
	u, _ := url.Parse(launch)
	b, err := os.ReadFile(u.Path)
	if err != nil {
		t.Fatal(err)
	}
	m := refreshRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("launch file:\n%s", b)
	}
	s.url = m[1]
	return s
}

func (s *served) get(t *testing.T) (string, *http.Response) {
	t.Helper()
	resp, err := http.Get(s.url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp
}

func (s *served) post(t *testing.T, name string) {
	t.Helper()
	u, _ := url.Parse(s.url)
	req, _ := http.NewRequest("POST", s.url, strings.NewReader(url.Values{"name": {name}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+u.Host)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %s", resp.Status)
	}
	<-s.made
}

func TestTokenShownOnceWithCopyScriptAllowed(t *testing.T) {
	s := serve(t)
	if body, _ := s.get(t); !strings.Contains(body, `name="name"`) {
		t.Fatalf("no form:\n%s", body)
	}
	s.post(t, "bad")
	if body, _ := s.get(t); !strings.Contains(body, "Couldn&#39;t make the token: plex.tv said no") {
		t.Fatalf("the failure is not on the form:\n%s", body)
	}
	s.post(t, "Kometa")
	body, resp := s.get(t)
	for _, want := range []string{`<pre id="token">tok-Kometa</pre>`, "PLEX_TOKEN=tok-Kometa", "      - PLEX_TOKEN=tok-Kometa", `data-copy="compose"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("the token page lacks %q:\n%s", want, body)
		}
	}
	// The one script on the page is the one the policy allows.
	m := regexp.MustCompile(`(?s)<script>(.*)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no copy script")
	}
	h := sha256.Sum256([]byte(m[1]))
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(h[:])+"'") {
		t.Fatalf("the policy does not allow the page's script: %s", csp)
	}
	if r := <-s.done; r.Err != nil || r.Name != "Kometa" {
		t.Fatalf("result %+v", r)
	}
	if again, _ := s.get(t); strings.Contains(again, "tok-Kometa") || !strings.Contains(again, "was shown once") {
		t.Fatalf("a reload:\n%s", again)
	}
}

func TestPageExpires(t *testing.T) {
	s := serve(t)
	if !s.clock.WaitForTimers(1, 10*time.Second) {
		t.Fatal("no expiry timer")
	}
	s.clock.Advance(DefaultTTL)
	if r := <-s.done; !errors.Is(r.Err, ErrExpired) {
		t.Fatalf("result %+v", r)
	}
	if body, resp := s.get(t); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("after expiry: %s\n%s", resp.Status, body)
	}
}
