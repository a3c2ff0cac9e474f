package pinpage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/localpage"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
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

// served is one page under test.
type served struct {
	launch  string // file:// address
	url     string // the secret address, read from the launch file
	done    <-chan Result
	clock   *clock.Fake
	cancel  context.CancelFunc
	checked chan struct{} // one value per finished check
	srv     *localpage.Server
}

// serve starts a page on a server of its own (launch files in dir, or a
// new folder), with a fake clock that the test moves.
func serve(t *testing.T, o Options, dir ...string) *served {
	t.Helper()
	d := filepath.Join(t.TempDir(), "pages")
	if len(dir) > 0 {
		d = dir[0]
	}
	srv, err := localpage.Listen(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := &served{clock: clock.NewFake(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), checked: make(chan struct{}, 100), srv: srv}
	o.Clock, o.Server, o.checked = s.clock, srv, s.checked
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.launch, s.done, err = Serve(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range s.done {
		}
	})
	s.url = secretOf(t, s.launch)
	return s
}

var refreshRE = regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]+)">`)

// secretOf reads the page's address from its launch file.
func secretOf(t *testing.T, launch string) string {
	t.Helper()
	u, err := url.Parse(launch)
	if err != nil || u.Scheme != "file" {
		t.Fatalf("launch address %q", launch)
	}
	b, err := os.ReadFile(u.Path)
	if err != nil {
		t.Fatal(err)
	}
	m := refreshRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("launch file without a redirect:\n%s", b)
	}
	return m[1]
}

type reply struct {
	status   int
	body     string
	location string
}

// tryDo sends one request on its own connection, following no redirect.
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
	c := &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b), resp.Header.Get("Location")}, nil
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

func get(t *testing.T, u string) reply {
	t.Helper()
	return do(t, "GET", u, "", nil)
}

// post sends a PIN as the page's own form does.
func post(t *testing.T, u, pin string) reply {
	t.Helper()
	pu, _ := url.Parse(u)
	return do(t, "POST", u, "", url.Values{"pin": {pin}}, "Origin", "http://"+pu.Host, "Sec-Fetch-Site", "same-origin")
}

// postChecked posts a PIN, expects the page to answer at once with a
// redirect to itself, waits until the check has ended and returns the
// page as it is then.
func (s *served) postChecked(t *testing.T, pin string) reply {
	t.Helper()
	if r := post(t, s.url, pin); r.status != http.StatusSeeOther || r.location != mustPath(t, s.url) {
		t.Fatalf("POST %s: %d %q %s", pin, r.status, r.location, r.body)
	}
	s.waitChecked(t)
	return get(t, s.url)
}

func (s *served) waitChecked(t *testing.T) {
	t.Helper()
	select {
	case <-s.checked:
	case <-time.After(30 * time.Second):
		t.Fatal("the check never ended")
	}
}

func mustPath(t *testing.T, u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Path
}

func wait(t *testing.T, done <-chan Result) Result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the page did not end")
		return Result{}
	}
}

const smallPrint = "This page is served by plextray on this computer; your PIN goes only to plex.tv; it expires in 2 minutes."

func TestLaunchFileLeadsToASecretLoopbackPage(t *testing.T) {
	f := &fixed{want: "1234"}
	dir := filepath.Join(t.TempDir(), "pages")
	s1 := serve(t, Options{Title: "Kid", Submit: f.submit}, dir)
	s2 := serve(t, Options{Title: "Kid", Submit: f.submit}, dir)

	// The launch file: in a folder only the user can open, readable only
	// by the user; the browser gets its file:// address.
	lu, _ := url.Parse(s1.launch)
	if filepath.Dir(lu.Path) != dir || strings.Contains(s1.launch, mustPath(t, s1.url)[1:]) {
		t.Fatalf("launch address %q", s1.launch)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, lu.Path: 0o600} {
		if fi, err := os.Lstat(path); err != nil || fi.Mode() != want {
			t.Fatalf("%s: %v %v, want %v", path, fi.Mode(), err, want)
		}
	}

	p1, _ := url.Parse(s1.url)
	p2, _ := url.Parse(s2.url)
	if p1.Scheme != "http" || p1.Hostname() != "127.0.0.1" || p1.Port() == "" {
		t.Fatalf("url %s", s1.url)
	}
	secret := strings.TrimPrefix(p1.Path, "/")
	if len(secret) < 43 || strings.ContainsAny(secret, "/?#") || p1.Path == p2.Path {
		t.Fatalf("secret paths %q %q", p1.Path, p2.Path)
	}
	r := get(t, s1.url)
	for _, want := range []string{"Enter Kid&#39;s PIN", `<label for="pin">Kid's 4-digit PIN</label>`, `action="` + p1.Path + `"`, "data:image/png;base64,", smallPrint} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Fatalf("page lacks %q: %d %s", want, r.status, r.body)
		}
	}
	// Wrong paths, another page's secret, a query: 404 "expired", no form.
	base := "http://" + p1.Host
	for _, path := range []string{"/", "/favicon.ico", p1.Path + "x", p1.Path[:len(p1.Path)-1], p1.Path + "/", p1.Path + "?pin=1234"} {
		r := get(t, base+path)
		if r.status != 404 || strings.Contains(r.body, "<form") || !strings.Contains(r.body, "This page has expired") {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	if r := do(t, "POST", base+"/", "", url.Values{"pin": {"1234"}}); r.status != 404 || f.calls.Load() != 0 {
		t.Errorf("POST to a wrong path: %d, %d submissions", r.status, f.calls.Load())
	}
}

func TestOnlyLoopbackListens(t *testing.T) {
	s := serve(t, Options{Title: "Kid", Submit: (&fixed{want: "1"}).submit})
	pu, _ := url.Parse(s.url)
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
	s := serve(t, Options{Title: "Kid", Submit: f.submit})
	u := s.url
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
	if r := do(t, "PUT", u, "", nil, "Origin", "http://"+pu.Host); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", r.status)
	}
	r := get(t, u)
	if csp := "default-src 'none'"; !strings.Contains(r.body, "<form") {
		t.Fatalf("page %s", r.body)
	} else if resp, err := http.Get(u); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), csp) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers: %v %v", resp.Header, err)
	} else {
		resp.Body.Close()
	}
}

func TestWrongThenRightPIN(t *testing.T) {
	f := &fixed{want: "1234"}
	s := serve(t, Options{Title: "Kid", Submit: f.submit})

	if r := post(t, s.url, "12a4"); r.status != 422 || !strings.Contains(r.body, "A PIN is 4 digits.") || f.calls.Load() != 0 {
		t.Fatalf("not a PIN: %d %s", r.status, r.body)
	}
	r := s.postChecked(t, "0000")
	if r.status != 200 || !strings.Contains(r.body, "Wrong PIN. 4 tries left.") || !strings.Contains(r.body, "<form") {
		t.Fatalf("wrong PIN: %d %s", r.status, r.body)
	}
	select {
	case res := <-s.done:
		t.Fatalf("the page ended after a wrong PIN: %v", res)
	default:
	}
	r = s.postChecked(t, "1234")
	if r.status != 200 || !strings.Contains(r.body, "Switched to Kid") || !strings.Contains(r.body, "You can close this tab.") || strings.Contains(r.body, "<form") {
		t.Fatalf("right PIN: %d %s", r.status, r.body)
	}
	if res := wait(t, s.done); res.Err != nil {
		t.Fatalf("result %v", res.Err)
	}
	if _, ok := <-s.done; ok {
		t.Fatal("done not closed")
	}
	// A reload still shows the success; sending the PIN again sends
	// nothing to plex.tv; the launch file is gone.
	if r := get(t, s.url); r.status != 200 || !strings.Contains(r.body, "Switched to Kid") {
		t.Fatalf("reload after success: %d %s", r.status, r.body)
	}
	if r := post(t, s.url, "1234"); r.status != http.StatusSeeOther && !strings.Contains(r.body, "Switched to Kid") {
		t.Fatalf("POST after success: %d %s", r.status, r.body)
	}
	lu, _ := url.Parse(s.launch)
	if _, err := os.Stat(lu.Path); !os.IsNotExist(err) {
		t.Fatalf("launch file left: %v", err)
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d submissions", n)
	}
}

// TestAtMostFiveWrongPINsReachPlexTV: the page switches through the real
// client at the simulator; after 5 wrong PINs it closes, and a 6th PIN
// (even the right one) never reaches plex.tv.
func TestAtMostFiveWrongPINsReachPlexTV(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	h, err := sim.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "pinpage-test"})
	if err != nil {
		t.Fatal(err)
	}
	admin := plextv.Token(sim.DemoAccount().Token)
	teen := h.Profiles[1]
	switches := func() int {
		n := 0
		for _, r := range sim.Requests() {
			if r.Method == "POST" && strings.HasSuffix(r.Path, "/switch") {
				n++
			}
		}
		return n
	}
	s := serve(t, Options{Title: teen.Title, Submit: func(ctx context.Context, pin string) error {
		_, err := home.Switcher{Client: client}.Switch(ctx, admin, plextv.HomeUser{UUID: teen.UUID, Title: teen.Title}, pin)
		return err
	}})
	for i := 1; i <= DefaultMaxTries; i++ {
		r := s.postChecked(t, fmt.Sprintf("%04d", i))
		if i < DefaultMaxTries && (!strings.Contains(r.body, fmt.Sprintf("Wrong PIN. %d ", DefaultMaxTries-i)) || !strings.Contains(r.body, "<form")) {
			t.Fatalf("after wrong PIN %d: %d %s", i, r.status, r.body)
		}
		if i == DefaultMaxTries && (r.status != http.StatusGone || !strings.Contains(r.body, "Too many wrong PINs") || strings.Contains(r.body, "<form")) {
			t.Fatalf("after the last wrong PIN: %d %s", r.status, r.body)
		}
	}
	if res := wait(t, s.done); !errors.Is(res.Err, ErrTooManyTries) {
		t.Fatalf("result %v", res.Err)
	}
	if r := post(t, s.url, "1234"); r.status != http.StatusSeeOther && r.status != http.StatusGone {
		t.Fatalf("a 6th PIN: %d %s", r.status, r.body)
	}
	if n := switches(); n != DefaultMaxTries {
		t.Fatalf("%d PINs reached plex.tv, want %d", n, DefaultMaxTries)
	}
	if r := get(t, s.url); r.status != http.StatusGone || !strings.Contains(r.body, "Try again later") {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
}

// TestAnswersAtOnceWhilePlexTVIsSlow: while a check hangs, the page
// answers every request at once with its progress, and a second PIN is
// not sent.
func TestAnswersAtOnceWhilePlexTVIsSlow(t *testing.T) {
	release := make(chan error)
	var calls atomic.Int32
	s := serve(t, Options{Title: "Kid", Submit: func(ctx context.Context, pin string) error {
		calls.Add(1)
		return <-release
	}})
	if r := post(t, s.url, "1234"); r.status != http.StatusSeeOther {
		t.Fatalf("POST: %d", r.status)
	}
	for range 3 {
		r := get(t, s.url)
		if r.status != 200 || !strings.Contains(r.body, "Checking the PIN with plex.tv…") || !strings.Contains(r.body, `http-equiv="refresh" content="1"`) || strings.Contains(r.body, "<form") {
			t.Fatalf("while checking: %d %s", r.status, r.body)
		}
	}
	if r := post(t, s.url, "5678"); r.status != http.StatusSeeOther {
		t.Fatalf("second POST: %d", r.status)
	}
	release <- nil
	s.waitChecked(t)
	if r := get(t, s.url); !strings.Contains(r.body, "Switched to Kid") {
		t.Fatalf("after the check: %s", r.body)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d submissions", n)
	}
}

// TestSaysWhenPlexTVAsksToWait: a 429 with Retry-After is shown on the
// page while the switch waits, and what to do after it gives up.
func TestSaysWhenPlexTVAsksToWait(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	h, err := sim.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "pinpage-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, RetryAfter: 3600, Count: 2}); err != nil {
		t.Fatal(err)
	}
	switchClock := clock.NewFake(time.Now())
	s := serve(t, Options{Title: "Teen", Submit: func(ctx context.Context, pin string) error {
		_, err := home.Switcher{Client: client, Clock: switchClock, Attempts: 2}.Switch(ctx, plextv.Token(sim.DemoAccount().Token), plextv.HomeUser{UUID: h.Profiles[1].UUID, Title: "Teen"}, pin)
		return err
	}})
	if r := post(t, s.url, "1234"); r.status != http.StatusSeeOther {
		t.Fatalf("POST: %d", r.status)
	}
	if !switchClock.WaitForTimers(1, 10*time.Second) {
		t.Fatal("the switch is not waiting")
	}
	r := get(t, s.url)
	if !strings.Contains(r.body, "plex.tv asks to wait 1 hour (too many requests); plextray tries once more in 30 seconds.") {
		t.Fatalf("while waiting: %s", r.body)
	}
	switchClock.Advance(30 * time.Second)
	s.waitChecked(t)
	r = get(t, s.url)
	if !strings.Contains(r.body, "plex.tv is refusing requests for now (too many); try again in 1 hour.") || !strings.Contains(r.body, "<form") {
		t.Fatalf("after giving up: %s", r.body)
	}
}

func TestSingleUseUnderConcurrency(t *testing.T) {
	f := &fixed{want: "1234"}
	s := serve(t, Options{Title: "Kid", Submit: f.submit})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { post(t, s.url, "1234") })
	}
	wg.Wait()
	if res := wait(t, s.done); res.Err != nil {
		t.Fatal(res.Err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("%d submissions, want 1", n)
	}
}

func TestExpiresAfterTwoMinutes(t *testing.T) {
	f := &fixed{want: "1234"}
	s := serve(t, Options{Title: "Kid", Submit: f.submit})
	if !s.clock.WaitForTimers(1, 10*time.Second) {
		t.Fatal("no expiry timer")
	}
	s.clock.Advance(DefaultTTL - 40*time.Second)
	if r := get(t, s.url); r.status != 200 || !strings.Contains(r.body, "it expires in 40 seconds.") {
		t.Fatalf("before expiry: %d %s", r.status, r.body)
	}
	s.clock.Advance(40 * time.Second)
	if res := wait(t, s.done); !errors.Is(res.Err, ErrExpired) {
		t.Fatalf("result %v", res.Err)
	}
	if r := get(t, s.url); r.status != http.StatusGone || !strings.Contains(r.body, "This page has expired") || strings.Contains(r.body, "<form") {
		t.Fatalf("after expiry: %d %s", r.status, r.body)
	}
	post(t, s.url, "1234")
	if f.calls.Load() != 0 {
		t.Fatal("submitted after expiry")
	}
}

// A PIN accepted at the last moment still counts.
func TestExpiryWaitsForTheCheckInFlight(t *testing.T) {
	release := make(chan error)
	s := serve(t, Options{Title: "Kid", Submit: func(ctx context.Context, pin string) error { return <-release }})
	if !s.clock.WaitForTimers(1, 10*time.Second) {
		t.Fatal("no expiry timer")
	}
	post(t, s.url, "1234")
	s.clock.Advance(DefaultTTL)
	if r := get(t, s.url); !strings.Contains(r.body, "Checking the PIN") {
		t.Fatalf("after expiry, while checking: %s", r.body)
	}
	release <- nil
	if res := wait(t, s.done); res.Err != nil {
		t.Fatalf("result %v", res.Err)
	}
}

// The tray cancels the page as soon as the switch is done, which can be
// before Submit has returned: the page still says the switch is done.
func TestCancelDuringASuccessfulCheckSaysSwitched(t *testing.T) {
	var s *served
	switched := make(chan struct{})
	s = serve(t, Options{Title: "Kid", Submit: func(ctx context.Context, pin string) error {
		s.cancel() // what the core does on hearing of the switch
		<-switched // ... and Serve sees the cancel before Submit returns
		return nil
	}})
	post(t, s.url, "1234")
	// Serve's goroutine has had the cancel; let Submit return.
	if r := get(t, s.url); !strings.Contains(r.body, "Checking the PIN") {
		t.Fatalf("while the switch is in flight: %s", r.body)
	}
	close(switched)
	if res := wait(t, s.done); res.Err != nil {
		t.Fatalf("result %v, want the switch done", res.Err)
	}
	if r := get(t, s.url); r.status != http.StatusOK || !strings.Contains(r.body, "Switched to Kid") {
		t.Fatalf("after the switch: %d %s", r.status, r.body)
	}
}

// A cancel during a check that fails ends the page as closed.
func TestCancelDuringAFailedCheckCloses(t *testing.T) {
	var s *served
	s = serve(t, Options{Title: "Kid", Submit: func(ctx context.Context, pin string) error {
		s.cancel()
		<-ctx.Done()
		return ctx.Err()
	}})
	post(t, s.url, "1234")
	if res := wait(t, s.done); !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("result %v", res.Err)
	}
	if r := get(t, s.url); r.status != http.StatusGone || !strings.Contains(r.body, "This page was closed") {
		t.Fatalf("after cancel: %d %s", r.status, r.body)
	}
}

func TestCancelEndsThePage(t *testing.T) {
	s := serve(t, Options{Title: "Kid", Submit: (&fixed{want: "1234"}).submit})
	s.cancel()
	if res := wait(t, s.done); !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("result %v", res.Err)
	}
	if r := get(t, s.url); r.status != http.StatusGone || !strings.Contains(r.body, "This page was closed") {
		t.Fatalf("after cancel: %d %s", r.status, r.body)
	}
}

func TestOtherErrorsAreShownEscaped(t *testing.T) {
	var calls atomic.Int32
	submit := func(ctx context.Context, pin string) error {
		if calls.Add(1) == 1 {
			return errors.New("plex.tv switch profile: <script>alert(1)</script>\x1b[31m down")
		}
		return nil
	}
	s := serve(t, Options{Title: "<b>Kid</b>\u202e\n", Submit: submit})
	r := s.postChecked(t, "1234")
	if !strings.Contains(r.body, "Couldn&#39;t switch: plex.tv switch profile: &lt;script&gt;") ||
		strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<b>Kid") || strings.ContainsAny(r.body, "\x1b\u202e") {
		t.Fatalf("error page: %d %s", r.status, r.body)
	}
	if !strings.Contains(r.body, "Enter &lt;b&gt;Kid&lt;/b&gt;&#39;s PIN") || !strings.Contains(r.body, "<form") {
		t.Fatalf("title or form missing: %s", r.body)
	}
	if r := s.postChecked(t, "1234"); !strings.Contains(r.body, "Switched to &lt;b&gt;Kid&lt;/b&gt;") {
		t.Fatalf("retry: %s", r.body)
	}
	if res := wait(t, s.done); res.Err != nil {
		t.Fatal(res.Err)
	}
}

func TestSubmitGetsServeContext(t *testing.T) {
	type key struct{}
	srv, err := localpage.Listen(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "serve"))
	defer cancel()
	var got any
	launch, done, err := Serve(ctx, Options{Title: "Kid", Clock: clock.NewFake(time.Now()), Server: srv, Submit: func(c context.Context, pin string) error {
		got = c.Value(key{})
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	post(t, secretOf(t, launch), "1234")
	wait(t, done)
	if got != "serve" {
		t.Fatalf("Submit's context value = %v", got)
	}
	if _, _, err := Serve(ctx, Options{}); err == nil {
		t.Fatal("Serve without Submit")
	}
}
