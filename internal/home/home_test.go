package home_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

var users = []plextv.HomeUser{
	{UUID: "1a2b3c4d5e6f7a8b", Title: "anna", Username: "anna", Admin: true},
	{UUID: "9f8e7d6c5b4a3921", Title: "Kid"},
	{UUID: "abcdefabcdef0123", Title: "Teen", Protected: true},
	{UUID: "0000000000000001", Title: "Guest"},
	{UUID: "0000000000000002", Title: "guest "},
}

func TestPick(t *testing.T) {
	for q, want := range map[string]string{
		"kid": "9f8e7d6c5b4a3921", "KID": "9f8e7d6c5b4a3921", " Teen ": "abcdefabcdef0123",
		"ABCDEFABCDEF0123": "abcdefabcdef0123", "0000000000000002": "0000000000000002", "anna": "1a2b3c4d5e6f7a8b",
	} {
		got, err := home.Pick(users, q)
		if err != nil || got.UUID != want {
			t.Errorf("Pick(%q) = %q, %v; want %q", q, got.UUID, err, want)
		}
	}
	_, err := home.Pick(users, "GUEST")
	var amb *home.AmbiguousError
	if !errors.As(err, &amb) || len(amb.Matches) != 2 ||
		!strings.Contains(err.Error(), "Guest (0000000000000001)") || !strings.Contains(err.Error(), "0000000000000002") {
		t.Fatalf("ambiguous: %v", err)
	}
	for _, q := range []string{"nobody", "", "  ", "9f8e7d"} {
		_, err := home.Pick(users, q)
		var nf *home.NotFoundError
		if !errors.Is(err, home.ErrNoProfile) || !errors.As(err, &nf) || len(nf.Available) != len(users) || !strings.Contains(err.Error(), "Kid") {
			t.Errorf("Pick(%q): %v", q, err)
		}
	}
}

func update(t *testing.T, dir string, change func(*home.File)) {
	t.Helper()
	if _, err := home.Update(context.Background(), dir, change); err != nil {
		t.Fatal(err)
	}
}

func TestStateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	f, err := home.Load(dir)
	if err != nil || f.Account != "" || len(f.Accounts) != 0 {
		t.Fatalf("nothing stored: %+v %v", f, err)
	}
	teen := home.Active{UUID: "abcdefabcdef0123", Title: "Teen \u202e<b>"}
	update(t, dir, func(f *home.File) {
		f.Account = "acct1"
		f.Change("acct1", func(st *home.State) {
			st.Switched(home.Active{UUID: "9f8e7d6c5b4a3921", Title: "Kid"})
			st.Switched(teen)
			st.Kept("abcdefabcdef0123")
		})
	})
	got, err := home.Load(dir)
	st := got.For("acct1")
	if err != nil || got.Account != "acct1" || st.Active == nil || *st.Active != teen || strings.Join(st.Stored, ",") != "9f8e7d6c5b4a3921,abcdefabcdef0123" {
		t.Fatalf("loaded %+v %v", got, err)
	}
	if !st.IsActive(teen.UUID, false) || st.IsActive("9f8e7d6c5b4a3921", false) || st.IsActive("1a2b3c4d5e6f7a8b", true) {
		t.Fatal("IsActive disagrees with Active")
	}
	// Nothing secret: only uuids and a title. No temporary file is left.
	b, _ := os.ReadFile(filepath.Join(dir, home.StateFile))
	if strings.Contains(strings.ToLower(string(b)), "token") {
		t.Fatalf("file holds %s", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != home.StateFile && e.Name() != home.StateFile+".lock" {
			t.Fatalf("folder holds %s", e.Name())
		}
	}
	// Forgetting the active profile makes the account's token active.
	update(t, dir, func(f *home.File) { f.Change("acct1", func(st *home.State) { st.Forget("abcdefabcdef0123") }) })
	if got, _ := home.Load(dir); got.For("acct1").Active != nil || strings.Join(got.For("acct1").Stored, ",") != "9f8e7d6c5b4a3921" {
		t.Fatalf("after Forget: %+v", got)
	}
	update(t, dir, func(f *home.File) { *f = home.File{} })
	if _, err := os.Stat(filepath.Join(dir, home.StateFile)); !os.IsNotExist(err) {
		t.Fatalf("the zero state left the file: %v", err)
	}
	if _, err := home.Update(context.Background(), dir, func(f *home.File) { f.Change("a", func(st *home.State) { st.Kept("../x") }) }); err == nil {
		t.Fatal("saved a bad uuid")
	}
}

// An install from before tokens were kept by account has one account's
// records at the top of profiles.json: they are that (unconfirmed)
// account's, and Move files them under the account plex.tv confirms.
func TestStateFileFromEarlierVersions(t *testing.T) {
	dir := t.TempDir()
	old := `{"active":{"uuid":"9f8e7d6c5b4a3921","title":"Kid"},"stored":["9f8e7d6c5b4a3921","abcdefabcdef0123"]}`
	if err := os.WriteFile(filepath.Join(dir, home.StateFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := home.Load(dir)
	if st := f.For(""); err != nil || f.Account != "" || st.Active == nil || st.Active.Title != "Kid" || len(st.Stored) != 2 {
		t.Fatalf("loaded %+v %v", f, err)
	}
	update(t, dir, func(f *home.File) { f.Move("", "acct1"); f.Account = "acct1" })
	f, _ = home.Load(dir)
	if st := f.For("acct1"); f.Account != "acct1" || st.Active == nil || st.Active.UUID != "9f8e7d6c5b4a3921" || len(st.Stored) != 2 || len(f.For("").Stored) != 0 {
		t.Fatalf("after Move: %+v", f)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, home.StateFile)); strings.Contains(string(b), `"active":{"uuid":"9f8e7d6c5b4a3921","title":"Kid"},"stored"`) {
		t.Fatalf("the old form was written back: %s", b)
	}
}

// A damaged profiles.json never blocks a reader (it reads as empty, with
// ErrDamaged), and the next change sets it aside and starts afresh.
func TestDamagedStateFileIsSetAside(t *testing.T) {
	for _, body := range []string{`{"active":`, "garbage", `{"accounts":{"a":{"active":{"uuid":"../../etc"}}}}`, `{"active":{"title":"x"}}`, `{"stored":["a/b"]}`, `[]`, `{"account":"x y"}`, strings.Repeat(" ", 70<<10) + "{}"} {
		dir := t.TempDir()
		path := filepath.Join(dir, home.StateFile)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if f, err := home.Load(dir); !errors.Is(err, home.ErrDamaged) || f.Account != "" || len(f.Accounts) != 0 {
			t.Errorf("%.20q: %+v, %v; want the zero File and ErrDamaged", body, f, err)
			continue
		}
		aside, err := home.Update(context.Background(), dir, func(f *home.File) { f.Account = "acct1" })
		if err != nil || !strings.HasPrefix(aside, path+".damaged-") {
			t.Errorf("%.20q: set aside as %q, %v", body, aside, err)
			continue
		}
		if b, _ := os.ReadFile(aside); string(b) != body {
			t.Errorf("%.20q: what was set aside differs", body)
		}
		if f, err := home.Load(dir); err != nil || f.Account != "acct1" {
			t.Errorf("%.20q: after the change %+v, %v", body, f, err)
		}
	}
	// A FIFO in its place is not opened (it would block).
	dir := t.TempDir()
	if err := mkfifo(filepath.Join(dir, home.StateFile)); err == nil {
		if _, err := home.Load(dir); !errors.Is(err, home.ErrDamaged) {
			t.Errorf("FIFO: %v, want ErrDamaged", err)
		}
	}
}

// Changes made at once, by goroutines each holding the file lock as a
// process would, never lose one another.
func TestConcurrentUpdatesKeepEveryChange(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			uuid := fmt.Sprintf("p%02d", i)
			_, err := home.Update(context.Background(), dir, func(f *home.File) {
				f.Change("acct1", func(st *home.State) { st.Kept(uuid) })
			})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	f, _ := home.Load(dir)
	if got := len(f.For("acct1").Stored); got != n {
		t.Fatalf("%d of %d profiles recorded: %v", got, n, f.For("acct1").Stored)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"account":"a1","accounts":{"a1":{"active":{"uuid":"p1","title":"Kid"},"stored":["p1"]}}}`))
	f.Add([]byte(`{"active":{"uuid":"p1","title":"Kid"},"stored":["p1"]}`))
	f.Add([]byte(`{"active":`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, home.StateFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := home.Load(dir)
		if err != nil {
			if got.Account != "" || len(got.Accounts) != 0 {
				t.Fatalf("an error came with a state: %+v", got)
			}
			return
		}
		// Whatever loads saves and loads back the same.
		if _, err := home.Update(context.Background(), dir, func(*home.File) {}); err != nil {
			t.Fatalf("saving what loaded: %v", err)
		}
		again, err := home.Load(dir)
		if err != nil || again.Account != got.Account || len(again.Accounts) != len(got.Accounts) {
			t.Fatalf("loaded %+v, then %+v, %v", got, again, err)
		}
	})
}

// withHome starts the simulator with the demo account's Home (Kid, Teen
// with PIN 1234) and returns a client and the admin's token.
func withHome(t *testing.T) (*plextvsim.Sim, *plextv.Client, plextv.Token, *plextv.Home) {
	t.Helper()
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if _, err := sim.AddDemoHome(); err != nil {
		t.Fatal(err)
	}
	c, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "home-test"})
	if err != nil {
		t.Fatal(err)
	}
	tok := plextv.Token(sim.DemoAccount().Token)
	u, err := c.User(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	h, err := home.Discover(context.Background(), c, tok, u)
	if err != nil || h == nil || len(h.Users) != 3 {
		t.Fatalf("Discover = %+v, %v", h, err)
	}
	return sim, c, tok, h
}

func TestSwitchWithPINs(t *testing.T) {
	sim, c, admin, h := withHome(t)
	ctx := context.Background()
	sw := home.Switcher{Client: c} // no 429 here: nothing waits
	kid, _ := home.Pick(h.Users, "kid")
	teen, _ := home.Pick(h.Users, "teen")
	if kid.Protected || !teen.Protected {
		t.Fatalf("kid %+v teen %+v", kid, teen)
	}
	tok, err := sw.Switch(ctx, admin, kid, "")
	if err != nil || !sim.TokenValid(tok.Reveal()) {
		t.Fatalf("Kid: %v", err)
	}
	for _, pin := range []string{"", "0000"} {
		tok, err := sw.Switch(ctx, admin, teen, pin)
		if !errors.Is(err, plextv.ErrProfilePIN) || !tok.IsZero() || !strings.Contains(err.Error(), `"Teen"`) {
			t.Fatalf("Teen with PIN %q: %q, %v", pin, tok.Reveal(), err)
		}
	}
	tok, err = sw.Switch(ctx, admin, teen, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := c.User(ctx, tok); err != nil || u.Title != "Teen" {
		t.Fatalf("Teen's token: %+v %v", u, err)
	}
}

// TestSwitchBacksOffOn429 runs in a synctest bubble: the waits are the
// real clock's, and take no time.
func TestSwitchBacksOffOn429(t *testing.T) {
	sim, _, admin, h := withHome(t)
	kid, _ := home.Pick(h.Users, "Kid")
	synctest.Test(t, func(t *testing.T) {
		// No idle keep-alive connection may outlive a request: time in the
		// bubble only moves while every goroutine in it waits.
		c, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "home-test"},
			plextv.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
		if err != nil {
			t.Fatal(err)
		}
		sw := home.Switcher{Client: c, Clock: clock.Real{}}

		// Three 429s without Retry-After: waits of 2, 4 and 8 s, then success.
		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, NoRetryAfter: true, Count: 3}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		tok, err := sw.Switch(context.Background(), admin, kid, "")
		if err != nil || tok.IsZero() {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 14*time.Second {
			t.Fatalf("waited %v, want 14s", waited)
		}

		// With Retry-After, that wait; after Attempts tries, the 429 is returned.
		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, RetryAfter: 5, Count: 2}); err != nil {
			t.Fatal(err)
		}
		var told []string
		traced := home.WithTrace(context.Background(), &home.Trace{RateLimited: func(wait, asked time.Duration) {
			told = append(told, wait.String()+"/"+asked.String())
		}})
		start = time.Now()
		two := sw
		two.Attempts = 2
		_, err = two.Switch(traced, admin, kid, "")
		if !errors.Is(err, plextv.ErrRateLimited) || time.Since(start) != 5*time.Second {
			t.Fatalf("err %v after %v", err, time.Since(start))
		}
		// The wait was told before it began, once per wait.
		if strings.Join(told, ",") != "5s/5s" {
			t.Fatalf("the trace was told %q", told)
		}

		// plex.tv asks for an hour: the trace hears both.
		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, RetryAfter: 3600, Count: 1}); err != nil {
			t.Fatal(err)
		}
		told = nil
		if _, err := sw.Switch(traced, admin, kid, ""); err != nil {
			t.Fatal(err)
		}
		if strings.Join(told, ",") != "30s/1h0m0s" {
			t.Fatalf("the trace was told %q", told)
		}

		// Cancelled while waiting.
		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, NoRetryAfter: true, Count: 1}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		waiting := make(chan struct{})
		go func() {
			_, err := sw.Switch(home.WithTrace(ctx, &home.Trace{RateLimited: func(time.Duration, time.Duration) { close(waiting) }}), admin, kid, "")
			errc <- err
		}()
		<-waiting
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: %v", err)
		}
	})
}

type listFunc func(context.Context, plextv.Token) (*plextv.Home, error)

func (f listFunc) HomeUsers(ctx context.Context, t plextv.Token) (*plextv.Home, error) {
	return f(ctx, t)
}

func TestDiscoverWithoutHome(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	c, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "home-test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := plextv.Token(sim.DemoAccount().Token)
	u, err := c.User(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := home.Discover(ctx, c, tok, u); h != nil || err != nil {
		t.Fatalf("no Home: %+v, %v", h, err)
	}
	// plex.tv refusing the list for an account without a Home: no Home.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointHomeUsers, Status: 404, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if h, err := home.Discover(ctx, c, tok, u); h != nil || err != nil {
		t.Fatalf("404: %+v, %v", h, err)
	}
	if f := sim.Faults(); len(f) != 0 {
		t.Fatalf("plex.tv was not asked (fault left: %+v)", f)
	}
	// Transient failures and a rejected token are errors, never "no Home".
	for _, f := range []plextvsim.Fault{{Status: 503}, {Status: 401}, {Body: plextvsim.BodyHTML}} {
		f.Endpoint, f.Count = plextvsim.EndpointHomeUsers, 1
		if err := sim.AddFault(f); err != nil {
			t.Fatal(err)
		}
		if h, err := home.Discover(ctx, c, tok, u); err == nil || h != nil {
			t.Errorf("fault %+v: %+v, %v", f, h, err)
		}
		if left := sim.Faults(); len(left) != 0 {
			t.Fatalf("fault %+v: plex.tv was not asked", left)
		}
	}
	// An account with a Home whose list fails says so.
	big := &plextv.User{HomeSize: 3}
	fail := listFunc(func(context.Context, plextv.Token) (*plextv.Home, error) {
		return nil, &plextv.StatusError{Op: "home users", StatusCode: 404}
	})
	if _, err := home.Discover(ctx, fail, tok, big); err == nil {
		t.Fatal("a Home's failed list is not an error")
	}
}
