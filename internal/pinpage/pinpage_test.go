package pinpage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
)

// fixed is a Submit that accepts only want, counting its calls.
type fixed struct {
	want  string
	calls atomic.Int32
}

func (f *fixed) submit(ctx context.Context, pin string) error {
	f.calls.Add(1)
	if pin != f.want {
		return fmt.Errorf("plex.tv switch profile: HTTP 403: %w", plextv.ErrProfilePIN)
	}
	return nil
}

// serve starts a page with a fake clock that the test moves.
func serve(t *testing.T, o Options) (string, <-chan Result, *clock.Fake, context.CancelFunc) {
	t.Helper()
	fc := clock.NewFake(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	o.Clock = fc
	ctx, cancel := context.WithCancel(context.Background())
	u, done, err := Serve(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range done {
		}
	})
	return u, done, fc, cancel
}

type reply struct {
	status int
	body   string
}

// do sends one request on its own connection (no keep-alive, so a
// stopped server is seen at once).
func tryDo(t *testing.T, method, u, host string, form url.Values, hdr ...string) (reply, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.Close = true
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}, nil
}

// do is tryDo that fails the test when there is no answer.
func do(t *testing.T, method, u, host string, form url.Values, hdr ...string) reply {
	t.Helper()
	r, err := tryDo(t, method, u, host, form, hdr...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func post(t *testing.T, u, pin string) reply {
	t.Helper()
	pu, _ := url.Parse(u)
	return do(t, "POST", u, "", url.Values{"pin": {pin}}, "Origin", "http://"+pu.Host, "Sec-Fetch-Site", "same-origin")
}

func wait(t *testing.T, done <-chan Result) Result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the page did not stop")
		return Result{}
	}
}

func TestURLIsLoopbackWithASecretPath(t *testing.T) {
	f := &fixed{want: "1234"}
	u1, _, _, _ := serve(t, Options{Title: "Kid", Submit: f.submit})
	u2, _, _, _ := serve(t, Options{Title: "Kid", Submit: f.submit})
	p1, err := url.Parse(u1)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := url.Parse(u2)
	if p1.Scheme != "http" || p1.Hostname() != "127.0.0.1" || p1.Port() == "" {
		t.Fatalf("url %s", u1)
	}
	secret := strings.TrimPrefix(p1.Path, "/")
	if len(secret) < 22 || strings.ContainsAny(secret, "/?#") || p1.Path == p2.Path {
		t.Fatalf("secret paths %q %q", p1.Path, p2.Path)
	}
	if r := do(t, "GET", u1, "", nil); r.status != 200 || !strings.Contains(r.body, "Switch to Kid") || !strings.Contains(r.body, `action="`+p1.Path+`"`) {
		t.Fatalf("page: %d %s", r.status, r.body)
	}
	// Wrong paths, another page's secret, a query: 404, without the form.
	base := "http://" + p1.Host
	for _, path := range []string{"/", "/favicon.ico", p1.Path + "x", p1.Path[:len(p1.Path)-1], p2.Path, p1.Path + "/", p1.Path + "?pin=1234"} {
		r := do(t, "GET", base+path, "", nil)
		if r.status != 404 || strings.Contains(r.body, "<form") {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	if r := do(t, "POST", base+"/", "", url.Values{"pin": {"1234"}}); r.status != 404 || f.calls.Load() != 0 {
		t.Errorf("POST to a wrong path: %d, %d submissions", r.status, f.calls.Load())
	}
}

func TestOnlyLoopbackListens(t *testing.T) {
	u, _, _, _ := serve(t, Options{Title: "Kid", Submit: (&fixed{want: "1"}).submit})
	pu, _ := url.Parse(u)
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		c, err := net.Dial("tcp", net.JoinHostPort(ipn.IP.String(), pu.Port()))
		if err == nil {
			c.Close()
			t.Errorf("the page answers on %s", ipn.IP)
		}
	}
	if tried == 0 {
		t.Skip("no non-loopback address to try on this machine")
	}
	t.Logf("tried %d non-loopback addresses", tried)
}

func TestHostAndOriginChecks(t *testing.T) {
	f := &fixed{want: "1234"}
	u, _, _, _ := serve(t, Options{Title: "Kid", Submit: f.submit})
	pu, _ := url.Parse(u)
	// DNS rebinding: evil.example resolving to 127.0.0.1 sends its own Host.
	for _, host := range []string{"evil.example:" + pu.Port(), "localhost:" + pu.Port(), "127.0.0.1", "127.0.0.1:1"} {
		if r := do(t, "GET", u, host, nil); r.status != http.StatusMisdirectedRequest || strings.Contains(r.body, "<form") {
			t.Errorf("Host %s: %d", host, r.status)
		}
		if r := do(t, "POST", u, host, url.Values{"pin": {"1234"}}); r.status != http.StatusMisdirectedRequest {
			t.Errorf("POST Host %s: %d", host, r.status)
		}
	}
	// CSRF: another site's page posting to us.
	for _, h := range [][]string{
		{"Origin", "http://evil.example"},
		{"Origin", "null"},
		{"Origin", "http://localhost:" + pu.Port()},
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "http://" + pu.Host, "Sec-Fetch-Site", "same-site"},
	} {
		if r := do(t, "POST", u, "", url.Values{"pin": {"1234"}}, h...); r.status != http.StatusForbidden {
			t.Errorf("POST with %v: %d", h, r.status)
		}
	}
	if n := f.calls.Load(); n != 0 {
		t.Fatalf("%d refused requests reached Submit", n)
	}
	if r := do(t, "PUT", u, "", nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", r.status)
	}
}

func TestWrongThenRightPIN(t *testing.T) {
	f := &fixed{want: "1234"}
	u, done, _, _ := serve(t, Options{Title: "Kid", Submit: f.submit})

	if r := post(t, u, "12a4"); r.status != 422 || !strings.Contains(r.body, "A PIN is 4 digits.") || f.calls.Load() != 0 {
		t.Fatalf("not a PIN: %d %s", r.status, r.body)
	}
	if r := post(t, u, "0000"); r.status != 403 || !strings.Contains(r.body, "Wrong PIN. Try again.") || !strings.Contains(r.body, "<form") {
		t.Fatalf("wrong PIN: %d %s", r.status, r.body)
	}
	select {
	case res := <-done:
		t.Fatalf("the page stopped after a wrong PIN: %v", res)
	default:
	}
	r := post(t, u, "1234")
	if r.status != 200 || !strings.Contains(r.body, "Switched to Kid — you can close this tab") || strings.Contains(r.body, "<form") {
		t.Fatalf("right PIN: %d %s", r.status, r.body)
	}
	if res := wait(t, done); res.Err != nil {
		t.Fatalf("result %v", res.Err)
	}
	if _, ok := <-done; ok {
		t.Fatal("done not closed")
	}
	// Single use: the server is gone.
	if _, err := tryDo(t, "GET", u, "", nil); err == nil {
		t.Fatal("the page still answers after success")
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d submissions", n)
	}
}

func TestSingleUseUnderConcurrency(t *testing.T) {
	f := &fixed{want: "1234"}
	u, done, _, _ := serve(t, Options{Title: "Kid", Submit: f.submit})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pu, _ := url.Parse(u)
			r, err := tryDo(t, "POST", u, "", url.Values{"pin": {"1234"}}, "Origin", "http://"+pu.Host)
			if err == nil && strings.Contains(r.body, "Switched to Kid") {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if res := wait(t, done); res.Err != nil {
		t.Fatal(res.Err)
	}
	if ok.Load() != 1 || f.calls.Load() != 1 {
		t.Fatalf("%d successes, %d submissions; want 1 and 1", ok.Load(), f.calls.Load())
	}
}

func TestExpiresAfterTwoMinutes(t *testing.T) {
	f := &fixed{want: "1234"}
	u, done, fc, _ := serve(t, Options{Title: "Kid", Submit: f.submit})
	if !fc.WaitForTimers(1, 10*time.Second) {
		t.Fatal("no expiry timer")
	}
	fc.Advance(DefaultTTL - time.Second)
	if r := do(t, "GET", u, "", nil); r.status != 200 {
		t.Fatalf("before expiry: %d", r.status)
	}
	fc.Advance(time.Second)
	if res := wait(t, done); !errors.Is(res.Err, ErrExpired) {
		t.Fatalf("result %v", res.Err)
	}
	if _, err := tryDo(t, "POST", u, "", url.Values{"pin": {"1234"}}); err == nil {
		t.Fatal("the page answers after expiry")
	}
	if f.calls.Load() != 0 {
		t.Fatal("submitted after expiry")
	}
}

func TestCancelStopsThePage(t *testing.T) {
	u, done, _, cancel := serve(t, Options{Title: "Kid", Submit: (&fixed{want: "1234"}).submit})
	cancel()
	if res := wait(t, done); !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("result %v", res.Err)
	}
	if _, err := tryDo(t, "GET", u, "", nil); err == nil {
		t.Fatal("the page answers after cancel")
	}
}

func TestOtherErrorsAreShownEscaped(t *testing.T) {
	calls := 0
	submit := func(ctx context.Context, pin string) error {
		calls++
		if calls == 1 {
			return errors.New("plex.tv switch profile: <script>alert(1)</script>\x1b[31m down")
		}
		return nil
	}
	u, done, _, _ := serve(t, Options{Title: "<b>Kid</b>\u202e\n", Submit: submit})
	r := post(t, u, "1234")
	if r.status != http.StatusBadGateway || !strings.Contains(r.body, "Couldn&#39;t switch: plex.tv switch profile: &lt;script&gt;") ||
		strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<b>Kid") || strings.ContainsAny(r.body, "\x1b\u202e") {
		t.Fatalf("error page: %d %s", r.status, r.body)
	}
	if !strings.Contains(r.body, "Switch to &lt;b&gt;Kid&lt;/b&gt;") || !strings.Contains(r.body, "<form") {
		t.Fatalf("title or form missing: %s", r.body)
	}
	if r := post(t, u, "1234"); !strings.Contains(r.body, "Switched to &lt;b&gt;Kid&lt;/b&gt; — you can close this tab") {
		t.Fatalf("retry: %s", r.body)
	}
	if res := wait(t, done); res.Err != nil {
		t.Fatal(res.Err)
	}
}

func TestSubmitGetsServeContext(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "serve"))
	defer cancel()
	var got any
	u, done, err := Serve(ctx, Options{Title: "Kid", Clock: clock.NewFake(time.Now()), Submit: func(c context.Context, pin string) error {
		got = c.Value(key{})
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	post(t, u, "1234")
	wait(t, done)
	if got != "serve" {
		t.Fatalf("Submit's context value = %v", got)
	}
	if _, _, err := Serve(ctx, Options{}); err == nil {
		t.Fatal("Serve without Submit")
	}
}
