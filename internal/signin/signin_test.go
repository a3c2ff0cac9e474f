package signin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// fakeAPI answers CheckPIN from a script; each entry is consumed by one
// poll. An exhausted script answers "pending".
type fakeAPI struct {
	mu      sync.Mutex
	clk     clock.Clock
	life    int // PIN expiresIn, seconds
	created []bool
	checks  []time.Time // clock time of each CheckPIN
	script  []func(id int64) (*plextv.PIN, error)
	nextID  int64
	create  error
}

func (f *fakeAPI) CreatePIN(_ context.Context, strong bool) (*plextv.PIN, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.create != nil {
		return nil, f.create
	}
	f.created = append(f.created, strong)
	f.nextID++
	return &plextv.PIN{ID: f.nextID, Code: fmt.Sprintf("C%03d", f.nextID), ExpiresIn: f.life}, nil
}

func (f *fakeAPI) CheckPIN(_ context.Context, id int64) (*plextv.PIN, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks = append(f.checks, f.clk.Now())
	if len(f.script) == 0 {
		return &plextv.PIN{ID: id}, nil
	}
	step := f.script[0]
	f.script = f.script[1:]
	return step(id)
}

func pending(id int64) (*plextv.PIN, error) { return &plextv.PIN{ID: id}, nil }
func linked(id int64) (*plextv.PIN, error) {
	return &plextv.PIN{ID: id, AuthToken: plextv.Token(fmt.Sprintf("tok-for-%d", id))}, nil
}
func fail(err error) func(int64) (*plextv.PIN, error) {
	return func(int64) (*plextv.PIN, error) { return nil, err }
}

var (
	err429 = &plextv.StatusError{Op: "check PIN", StatusCode: 429, RetryAfter: 7 * time.Second}
	err503 = &plextv.StatusError{Op: "check PIN", StatusCode: 503}
	errNet = &plextv.NetworkError{Op: "check PIN", Err: errors.New("connection refused")}
	errBad = &plextv.DecodeError{Op: "check PIN", Err: errors.New("unexpected EOF")}
	err404 = fmt.Errorf("wrapped: %w", plextv.ErrPINExpired)
)

func run(t *testing.T, f *fakeAPI, o Options) (plextv.Token, []PIN, error) {
	t.Helper()
	clk := clock.NewAuto(t0)
	f.clk = clk
	if f.life == 0 {
		f.life = 900
	}
	var pins []PIN
	o.Clock = clk
	o.URL = func(code string) string { return "https://plex.example/link/?pin=" + code }
	o.OnPIN = func(p PIN) { pins = append(pins, p) }
	tok, err := Run(context.Background(), f, o)
	return tok, pins, err
}

func offsets(ts []time.Time) []time.Duration {
	var out []time.Duration
	for _, t := range ts {
		out = append(out, t.Sub(t0))
	}
	return out
}

func TestLinkedAfterPolling(t *testing.T) {
	f := &fakeAPI{script: []func(int64) (*plextv.PIN, error){pending, pending, linked}}
	tok, pins, err := run(t, f, Options{})
	if err != nil || tok.Reveal() != "tok-for-1" {
		t.Fatalf("tok=%q err=%v", tok.Reveal(), err)
	}
	if len(pins) != 1 || pins[0].Code != "C001" || pins[0].URL != "https://plex.example/link/?pin=C001" || pins[0].Renewed {
		t.Fatalf("pins = %+v", pins)
	}
	if !pins[0].ExpiresAt.Equal(t0.Add(900 * time.Second)) {
		t.Fatalf("expires %v", pins[0].ExpiresAt)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if got := offsets(f.checks); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("polled at %v, want once a second %v", got, want)
	}
	if len(f.created) != 1 || f.created[0] {
		t.Fatalf("created %v, want one 4-character PIN", f.created)
	}
}

func TestBrowserMethodAsksForStrongPIN(t *testing.T) {
	f := &fakeAPI{script: []func(int64) (*plextv.PIN, error){linked}}
	if _, _, err := run(t, f, Options{Method: Browser}); err != nil {
		t.Fatal(err)
	}
	if len(f.created) != 1 || !f.created[0] {
		t.Fatalf("created %v, want one strong PIN", f.created)
	}
}

func TestTransientErrorsBackOffAndKeepWaiting(t *testing.T) {
	f := &fakeAPI{script: []func(int64) (*plextv.PIN, error){
		fail(err429), fail(err503), fail(errNet), fail(errBad), pending, linked,
	}}
	var retries []time.Duration
	tok, _, err := run(t, f, Options{OnRetry: func(_ error, w time.Duration) { retries = append(retries, w) }})
	if err != nil || tok.IsZero() {
		t.Fatalf("tok=%v err=%v", tok, err)
	}
	// 429 honours Retry-After (7 s); then doubling from there; back to
	// 1 s once a poll succeeds.
	wantRetries := []time.Duration{7 * time.Second, 14 * time.Second, 28 * time.Second, 30 * time.Second}
	if fmt.Sprint(retries) != fmt.Sprint(wantRetries) {
		t.Fatalf("retry waits %v, want %v", retries, wantRetries)
	}
	want := []time.Duration{1, 8, 22, 50, 80, 81}
	for i := range want {
		want[i] *= time.Second
	}
	if got := offsets(f.checks); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("polled at %v, want %v", got, want)
	}
}

func TestExpiredWithoutRenewal(t *testing.T) {
	f := &fakeAPI{script: []func(int64) (*plextv.PIN, error){pending, fail(err404)}}
	_, _, err := run(t, f, Options{})
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("err = %v", err)
	}
}

func TestExpiryByClockWithoutAsking(t *testing.T) {
	f := &fakeAPI{life: 65}
	_, _, err := run(t, f, Options{})
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("err = %v", err)
	}
	if len(f.checks) != 64 {
		t.Fatalf("checks at %v: want 64 polls inside the PIN's 65 s life", offsets(f.checks))
	}
}

func TestRenewal(t *testing.T) {
	f := &fakeAPI{script: []func(int64) (*plextv.PIN, error){pending, fail(err404), pending, linked}}
	tok, pins, err := run(t, f, Options{Renew: true})
	if err != nil || tok.Reveal() != "tok-for-2" {
		t.Fatalf("tok=%q err=%v", tok.Reveal(), err)
	}
	if len(pins) != 2 || pins[0].Renewed || !pins[1].Renewed || pins[1].Code != "C002" {
		t.Fatalf("pins = %+v", pins)
	}
}

func TestRenewalRetriesTransientCreateFailures(t *testing.T) {
	f := &fakeAPI{life: 3}
	var retried error
	clk := clock.NewAuto(t0)
	f.clk = clk
	n := 0
	o := Options{Renew: true, Clock: clk, URL: func(c string) string { return c },
		OnPIN: func(PIN) {
			n++
			if n == 1 {
				f.mu.Lock()
				f.create = errNet // the renewal fails …
				f.mu.Unlock()
			}
		},
		OnRetry: func(err error, _ time.Duration) {
			retried = err
			f.mu.Lock()
			f.create = nil // … once
			f.script = append(f.script, linked)
			f.mu.Unlock()
		}}
	tok, err := Run(context.Background(), f, o)
	if err != nil || tok.IsZero() || !errors.As(retried, new(*plextv.NetworkError)) || n != 2 {
		t.Fatalf("tok=%v err=%v retried=%v pins=%d", tok, err, retried, n)
	}
}

func TestTimeout(t *testing.T) {
	f := &fakeAPI{life: 60}
	_, pins, err := run(t, f, Options{Timeout: 150 * time.Second, Renew: true})
	if !errors.Is(err, ErrTimedOut) {
		t.Fatalf("err = %v", err)
	}
	if len(pins) != 3 {
		t.Fatalf("%d PINs in 150 s with a 60 s life; want 3", len(pins))
	}
	last := f.checks[len(f.checks)-1].Sub(t0)
	if last >= 150*time.Second {
		t.Fatalf("polled at %v, after the timeout", last)
	}
}

func TestTransientCreateFailureIsRetried(t *testing.T) {
	f := &fakeAPI{create: err503}
	var retries int
	_, pins, err := run(t, f, Options{Timeout: time.Minute, OnRetry: func(error, time.Duration) { retries++ }})
	if !errors.Is(err, ErrTimedOut) || len(pins) != 0 || retries < 3 {
		t.Fatalf("err = %v pins=%v retries=%d", err, pins, retries)
	}
}

func TestPermanentErrorsEndAtOnce(t *testing.T) {
	err403 := &plextv.StatusError{Op: "create PIN", StatusCode: 403}
	f := &fakeAPI{create: err403}
	_, _, err := run(t, f, Options{})
	var failed *Failed
	if !errors.As(err, &failed) || failed.Step != "create" || !errors.Is(err, err403) {
		t.Fatalf("create: err = %v", err)
	}

	err401 := fmt.Errorf("check: %w", plextv.ErrTokenInvalid)
	for _, perm := range []error{err401, &plextv.StatusError{Op: "check PIN", StatusCode: 400}} {
		f = &fakeAPI{script: []func(int64) (*plextv.PIN, error){pending, fail(perm), linked}}
		_, _, err := run(t, f, Options{})
		if !errors.As(err, &failed) || failed.Step != "check" || len(f.checks) != 2 {
			t.Fatalf("check %v: err = %v after %d polls", perm, err, len(f.checks))
		}
	}
}

func TestShortPINLifeIsTheFloor(t *testing.T) {
	for _, life := range []int{1, -5, 1 << 62} {
		f := &fakeAPI{life: life}
		_, pins, err := run(t, f, Options{Timeout: 150 * time.Second, Renew: true})
		if !errors.Is(err, ErrTimedOut) {
			t.Fatalf("life %d: err = %v", life, err)
		}
		// 1 s and nonsense both mean at most one PIN a minute.
		if len(pins) > 3 || len(f.checks) < 100 {
			t.Fatalf("life %d: %d PINs, %d polls in 150 s", life, len(pins), len(f.checks))
		}
	}
}

// hangingAPI never answers until its context ends.
type hangingAPI struct{ createHangs bool }

func (h hangingAPI) CreatePIN(ctx context.Context, _ bool) (*plextv.PIN, error) {
	if h.createHangs {
		<-ctx.Done()
		return nil, &plextv.NetworkError{Op: "create PIN", Err: ctx.Err()}
	}
	return &plextv.PIN{ID: 1, Code: "ABCD", ExpiresIn: 900}, nil
}

func (h hangingAPI) CheckPIN(ctx context.Context, _ int64) (*plextv.PIN, error) {
	<-ctx.Done()
	return nil, &plextv.NetworkError{Op: "check PIN", Err: ctx.Err()}
}

// The timeout bounds requests in flight: a hung create or poll ends the
// flow at the deadline (synctest: the bubble's clock is fake).
func TestTimeoutBoundsHungRequests(t *testing.T) {
	for _, createHangs := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			_, err := Run(context.Background(), hangingAPI{createHangs: createHangs}, Options{
				Timeout: 3 * time.Second, Clock: clock.Real{}, URL: func(c string) string { return c },
			})
			if !errors.Is(err, ErrTimedOut) {
				t.Fatalf("createHangs=%v: err = %v", createHangs, err)
			}
			if took := time.Since(start); took != 3*time.Second {
				t.Fatalf("createHangs=%v: returned after %v, want 3s", createHangs, took)
			}
		})
	}
}

func TestCancelStopsPolling(t *testing.T) {
	clk := clock.NewFake(t0)
	f := &fakeAPI{clk: clk, life: 900}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := Run(ctx, f, Options{Clock: clk, URL: func(c string) string { return c }})
		done <- err
	}()
	for range 3 {
		if !clk.WaitForTimers(1, 5*time.Second) {
			t.Fatal("flow is not waiting")
		}
		clk.Advance(time.Second)
	}
	if !clk.WaitForTimers(1, 5*time.Second) {
		t.Fatal("flow is not waiting")
	}
	cancel()
	if err := <-done; !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
	if clk.Waiters() != 0 {
		t.Fatal("timer left behind")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.checks) != 3 {
		t.Fatalf("%d polls", len(f.checks))
	}
}
