package netwatch

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/clock"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// addrs is a settable interface list; each read is signalled on polled.
type addrs struct {
	mu     sync.Mutex
	list   []string
	polled chan struct{}
}

func newAddrs(l ...string) *addrs { return &addrs{list: l, polled: make(chan struct{}, 64)} }

func (a *addrs) get() ([]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case a.polled <- struct{}{}:
	default:
	}
	return append([]string(nil), a.list...), nil
}

func (a *addrs) set(l ...string) {
	a.mu.Lock()
	a.list = l
	a.mu.Unlock()
}

func start(t *testing.T, o Options) (*Watcher, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	o.Clock = clk
	if o.Sources == nil {
		o.Sources = []Source{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := Start(ctx, o)
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.Done():
		case <-time.After(10 * time.Second):
			t.Error("watcher did not stop")
		}
	})
	return w, clk
}

// waitTimers waits until the watcher has armed n timers.
func waitTimers(t *testing.T, clk *clock.Fake, n int) {
	t.Helper()
	if !clk.WaitForTimers(n, 10*time.Second) {
		t.Fatalf("watcher armed %d timers, want %d", clk.Waiters(), n)
	}
}

func next(t *testing.T, w *Watcher) Trigger {
	t.Helper()
	select {
	case tr := <-w.C():
		return tr
	case <-time.After(10 * time.Second):
		t.Fatal("no trigger")
	}
	return 0
}

func drain(ch chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// poll advances to the next poll and waits until the watcher has read the
// addresses and re-armed its poll timer (want timers in all).
func poll(t *testing.T, clk *clock.Fake, a *addrs, d time.Duration, want int) {
	t.Helper()
	drain(a.polled)
	clk.Advance(d)
	select {
	case <-a.polled:
	case <-time.After(10 * time.Second):
		t.Fatal("addresses not polled")
	}
	waitTimers(t, clk, want)
}

// A moved network (new addresses) triggers once, after the debounce, even
// when the addresses change again within it; a later wake comes next (no
// second NetworkChanged was queued).
func TestMovedNetworksThenWoke(t *testing.T) {
	a := newAddrs("192.168.1.20/24")
	w, clk := start(t, Options{Addrs: a.get, PollEvery: time.Second, Debounce: 3 * time.Second})
	waitTimers(t, clk, 3) // poll, wake, periodic
	a.set("10.0.0.7/8")
	poll(t, clk, a, time.Second, 4) // + debounce
	a.set("10.0.0.7/8", "fd00::7/64")
	poll(t, clk, a, time.Second, 4) // debounce still running
	clk.Advance(2 * time.Second)    // debounce ends
	if tr := next(t, w); tr != NetworkChanged {
		t.Fatalf("trigger %v, want network changed", tr)
	}
	waitTimers(t, clk, 3)
	// Sleep: the wall clock jumps 5 minutes past the 15 s wake check.
	clk.Advance(5 * time.Minute)
	if tr := next(t, w); tr != Woke {
		t.Fatalf("trigger %v, want woke", tr)
	}
}

// Without changes nothing but Periodic comes, every Periodic; Checked
// restarts it. In a synctest bubble, synctest.Wait lets the watcher act
// on the advanced clock before the test looks, so "no trigger" is a real
// observation, not a race the watcher may simply not have run yet.
func TestPeriodicAndChecked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAddrs("192.168.1.20/24")
		w, clk := start(t, Options{Addrs: a.get, PollEvery: time.Hour, WakeEvery: time.Hour, Periodic: time.Minute})
		waitTimers(t, clk, 3)
		clk.Advance(50 * time.Second)
		w.Checked() // restarts the minute
		clk.Advance(50 * time.Second)
		synctest.Wait()
		select {
		case tr := <-w.C():
			t.Fatalf("trigger %v 50 s after Checked", tr)
		default:
		}
		clk.Advance(10 * time.Second)
		if tr := next(t, w); tr != Periodic {
			t.Fatalf("trigger %v, want periodic", tr)
		}
	})
}

// Native signals: a network signal is debounced like a poll; a resume is
// passed on as Woke.
func TestNativeSources(t *testing.T) {
	sig := make(chan Trigger)
	src := SourceFunc(func(ctx context.Context, out chan<- Trigger) error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case tr := <-sig:
				out <- tr
			}
		}
	})
	failing := SourceFunc(func(context.Context, chan<- Trigger) error { return context.Canceled })
	a := newAddrs("192.168.1.20/24")
	w, clk := start(t, Options{Addrs: a.get, Sources: []Source{src, failing}})
	waitTimers(t, clk, 3)
	sig <- NetworkChanged
	waitTimers(t, clk, 4) // debounce
	clk.Advance(DefaultDebounce)
	if tr := next(t, w); tr != NetworkChanged {
		t.Fatalf("trigger %v", tr)
	}
	sig <- Woke
	if tr := next(t, w); tr != Woke {
		t.Fatalf("trigger %v", tr)
	}
}
