// Package netwatch tells when the servers should be checked again: the
// network changed, the machine woke from sleep, or a long idle period
// passed.
//
// A Watcher combines:
//   - a portable poll of the interface addresses (every 10 s by default);
//   - cheap native signals where there are some (Linux: NetworkManager's
//     StateChanged/PropertiesChanged and logind's PrepareForSleep on the
//     system bus, best effort; Windows: NotifyUnicastIpAddressChange);
//   - wake detection by a wall-clock jump: a timer that should fire every
//     15 s measures the wall time since its last firing; timers run on
//     the monotonic clock, which stops while the machine sleeps, so a gap
//     well over 15 s means it slept (no OS power events needed);
//   - a periodic trigger every 10 min without other triggers.
//
// Network changes are debounced (1 s): undocking or roaming produces
// bursts of events, and links come up in stages. Time comes from an
// injected clock.Clock and addresses from an injected function, so tests
// drive "moved networks" and "woke up" deterministically with clock.Fake.
package netwatch

import (
	"context"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/clock"
)

// Trigger says why a re-check is due.
type Trigger int

const (
	// NetworkChanged: the interface addresses changed or the OS said the
	// network changed (after the debounce).
	NetworkChanged Trigger = iota + 1
	// Woke: the machine resumed from sleep.
	Woke
	// Periodic: Periodic passed without another trigger or Checked call.
	Periodic
)

func (t Trigger) String() string {
	switch t {
	case NetworkChanged:
		return "network changed"
	case Woke:
		return "woke"
	case Periodic:
		return "periodic"
	}
	return "unknown trigger"
}

// Defaults for Options.
const (
	DefaultPollEvery = 10 * time.Second
	DefaultDebounce  = time.Second
	DefaultPeriodic  = 10 * time.Minute
	DefaultWakeEvery = 15 * time.Second
	// DefaultWakeJump: a wake-check timer that fires this much later (wall
	// time) than due means the machine slept.
	DefaultWakeJump = 22500 * time.Millisecond
)

// Source is a native change signal. Run sends on out whenever it notices
// something (NetworkChanged or Woke) until ctx ends; it returns early with
// an error when the signal is not available (no system bus, …), which the
// Watcher ignores: the poll still works.
type Source interface {
	Run(ctx context.Context, out chan<- Trigger) error
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, out chan<- Trigger) error

func (f SourceFunc) Run(ctx context.Context, out chan<- Trigger) error { return f(ctx, out) }

// Options configure a Watcher; zero values take the defaults.
type Options struct {
	Clock clock.Clock // default clock.Real{}
	// Addrs lists the interface addresses; default InterfaceAddrs.
	Addrs     func() ([]string, error)
	PollEvery time.Duration
	Debounce  time.Duration
	Periodic  time.Duration
	WakeEvery time.Duration
	WakeJump  time.Duration
	// Sources are native signals; nil: NativeSources() for this OS. Use
	// an empty non-nil slice for none.
	Sources []Source
}

// InterfaceAddrs lists the machine's interface addresses as strings
// (sorted), loopback included: a change in any means a change of network.
func InterfaceAddrs() ([]string, error) {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	slices.Sort(out)
	return out, nil
}

// Watcher emits Triggers on C until its context ends.
type Watcher struct {
	c       chan Trigger
	checked chan chan struct{}
	done    chan struct{}
}

// C delivers triggers. Triggers of one kind that the receiver has not yet
// taken are merged into one, so a slow receiver sees each kind at most
// once per backlog, never a queue.
func (w *Watcher) C() <-chan Trigger { return w.c }

// Checked tells the watcher that the servers were just checked for some
// other reason (a click on "Check again"): the Periodic timer restarts.
// It returns once the timer has restarted (or the watcher has stopped).
func (w *Watcher) Checked() {
	ack := make(chan struct{})
	select {
	case w.checked <- ack:
		<-ack
	case <-w.done:
	}
}

// Done is closed when the watcher has stopped (its context ended) and
// every goroutine it started has returned.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Start starts a watcher; cancel ctx to stop it.
func Start(ctx context.Context, o Options) *Watcher {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Addrs == nil {
		o.Addrs = InterfaceAddrs
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollEvery, DefaultPollEvery)
	def(&o.Debounce, DefaultDebounce)
	def(&o.Periodic, DefaultPeriodic)
	def(&o.WakeEvery, DefaultWakeEvery)
	def(&o.WakeJump, DefaultWakeJump)
	if o.Sources == nil {
		o.Sources = NativeSources()
	}
	w := &Watcher{c: make(chan Trigger), checked: make(chan chan struct{}), done: make(chan struct{})}
	native := make(chan Trigger, 1)
	var wg sync.WaitGroup
	for _, s := range o.Sources {
		wg.Go(func() { _ = s.Run(ctx, native) })
	}
	wg.Go(func() { w.loop(ctx, o, native) })
	go func() {
		wg.Wait()
		close(w.done)
	}()
	return w
}

// timer is one clock.After that can be re-armed.
type timer struct {
	c    <-chan time.Time
	stop func()
}

func (t *timer) arm(c clock.Clock, d time.Duration) {
	t.disarm()
	t.c, t.stop = c.After(d)
}

func (t *timer) disarm() {
	if t.stop != nil {
		t.stop()
	}
	t.c, t.stop = nil, nil
}

func (w *Watcher) loop(ctx context.Context, o Options, native <-chan Trigger) {
	clk := o.Clock
	var poll, debounce, wake, periodic timer
	defer func() {
		for _, t := range []*timer{&poll, &debounce, &wake, &periodic} {
			t.disarm()
		}
	}()
	last, _ := o.Addrs()
	poll.arm(clk, o.PollEvery)
	wake.arm(clk, o.WakeEvery)
	periodic.arm(clk, o.Periodic)
	lastWake := clk.Now().Round(0) // wall time only
	var pending []Trigger          // at most one of each kind, oldest first
	add := func(t Trigger) {
		if !slices.Contains(pending, t) {
			pending = append(pending, t)
		}
		periodic.arm(clk, o.Periodic) // any trigger means a check is coming
	}
	changed := func() {
		if debounce.c == nil {
			debounce.arm(clk, o.Debounce)
		}
	}
	for {
		var out chan Trigger
		var next Trigger
		if len(pending) > 0 {
			out, next = w.c, pending[0]
		}
		select {
		case <-ctx.Done():
			return
		case out <- next:
			pending = pending[1:]
		case ack := <-w.checked:
			periodic.arm(clk, o.Periodic)
			close(ack)
		case t := <-native:
			if t == Woke {
				add(Woke)
			} else {
				changed()
			}
		case <-poll.c:
			if now, err := o.Addrs(); err == nil {
				if !slices.Equal(now, last) {
					last = now
					changed()
				}
			}
			poll.arm(clk, o.PollEvery)
		case <-debounce.c:
			debounce.disarm()
			add(NetworkChanged)
		case <-wake.c:
			now := clk.Now().Round(0)
			if now.Sub(lastWake) > o.WakeEvery+o.WakeJump {
				add(Woke)
			}
			lastWake = now
			wake.arm(clk, o.WakeEvery)
		case <-periodic.c:
			periodic.disarm()
			add(Periodic)
		}
	}
}
