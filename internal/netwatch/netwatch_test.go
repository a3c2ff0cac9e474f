package netwatch

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// wallClock is a wall clock the test can move on without the monotonic
// clock: a sleeping machine.
type wallClock struct{ slept atomic.Int64 }

func (w *wallClock) now() time.Time { return time.Now().Round(0).Add(time.Duration(w.slept.Load())) }

func (w *wallClock) sleep(d time.Duration) { w.slept.Add(int64(d)) }

// source is a Source the test fires by hand.
type source chan Trigger

func (s source) Run(ctx context.Context, out chan<- Trigger) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case t := <-s:
			send(ctx, out, t)
		}
	}
}

// start runs a watcher inside the test's bubble and stops it at the end.
func start(t *testing.T, o Options) *Watcher {
	t.Helper()
	if o.Sources == nil {
		o.Sources = []Source{}
	}
	ctx, cancel := context.WithCancel(t.Context())
	w := Start(ctx, o)
	t.Cleanup(func() {
		cancel()
		<-w.Done()
	})
	return w
}

// none asserts that no trigger is waiting once every goroutine of the
// bubble is blocked: a real observation, not a race the watcher may not
// have run yet.
func none(t *testing.T, w *Watcher, when string) {
	t.Helper()
	synctest.Wait()
	select {
	case tr := <-w.C():
		t.Fatalf("%s: trigger %v", when, tr)
	default:
	}
}

func want(t *testing.T, w *Watcher, tr Trigger) {
	t.Helper()
	synctest.Wait()
	select {
	case got := <-w.C():
		if got != tr {
			t.Fatalf("trigger %v, want %v", got, tr)
		}
	default:
		t.Fatalf("no trigger, want %v", tr)
	}
}

// A burst of address events makes one NetworkChanged, a debounce after
// the first; a resume is passed on at once.
func TestEventsDebounced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := make(source)
		w := start(t, Options{Sources: []Source{src}, Debounce: 3 * time.Second})
		src <- NetworkChanged
		time.Sleep(time.Second)
		src <- NetworkChanged
		time.Sleep(2*time.Second - time.Nanosecond)
		none(t, w, "within the debounce")
		time.Sleep(time.Nanosecond)
		want(t, w, NetworkChanged)
		none(t, w, "after the burst")
		src <- Woke
		want(t, w, Woke)
	})
}

// Without events nothing but Periodic comes, every Periodic; Checked
// restarts it, and so does any trigger.
func TestPeriodicAndChecked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := make(source)
		w := start(t, Options{Sources: []Source{src}, Periodic: time.Minute})
		time.Sleep(50 * time.Second)
		w.Checked() // restarts the minute
		time.Sleep(50 * time.Second)
		none(t, w, "50 s after Checked")
		time.Sleep(10 * time.Second)
		want(t, w, Periodic)
		time.Sleep(59 * time.Second)
		src <- Woke // restarts it too
		want(t, w, Woke)
		time.Sleep(59 * time.Second)
		none(t, w, "59 s after a trigger")
		time.Sleep(time.Second)
		want(t, w, Periodic)
	})
}

// The periodic timer tells a wake-up: when it fires, a wall clock that
// moved on well beyond the timer's own time means the machine slept. A
// small drift is no sleep.
func TestWakeByWallClockJump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wall := &wallClock{}
		w := start(t, Options{Periodic: 10 * time.Minute, Wall: wall.now})
		time.Sleep(5 * time.Minute)
		wall.sleep(2 * time.Hour)
		time.Sleep(5 * time.Minute)
		want(t, w, Woke)
		wall.sleep(30 * time.Second) // NTP, not a sleep
		time.Sleep(10 * time.Minute)
		want(t, w, Periodic)
	})
}

// Triggers the receiver has not taken are merged by kind: a slow
// receiver gets each kind once, oldest first.
func TestPendingMerged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := make(source)
		w := start(t, Options{Sources: []Source{src}, Debounce: time.Second})
		src <- Woke
		src <- NetworkChanged
		time.Sleep(time.Second)
		src <- Woke
		src <- NetworkChanged
		time.Sleep(time.Second)
		want(t, w, Woke)
		want(t, w, NetworkChanged)
		none(t, w, "after both")
	})
}

// A source that cannot start is logged; the watcher goes on.
func TestSourceUnavailableLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
		failing := SourceFunc(func(context.Context, chan<- Trigger) error { return context.DeadlineExceeded })
		w := start(t, Options{Sources: []Source{failing}, Periodic: time.Minute, Log: log})
		time.Sleep(time.Minute)
		want(t, w, Periodic)
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(buf.String(), "event source unavailable") {
			t.Fatalf("log: %q", buf.String())
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
