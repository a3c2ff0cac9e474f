// Package netwatch tells when the servers should be checked again: the
// network changed, the machine woke from sleep, or a long time passed
// without a check. It never polls: it asks the operating system for
// events and keeps one long timer, so an idle tray sleeps.
//
// Events (Sources, per OS; see NativeSources):
//   - Linux: the kernel's rtnetlink address notifications (an address
//     added to or removed from any interface), NetworkManager's
//     StateChanged and logind's PrepareForSleep(false) on the system bus,
//     each bus signal accepted only from the current owner of its bus
//     name;
//   - Windows: NotifyUnicastIpAddressChange, and the resume notification
//     of PowerRegisterSuspendResumeNotification;
//   - macOS: a route socket (addresses added or removed, interfaces up or
//     down).
//
// The one timer is Periodic (10 min by default): it restarts with every
// trigger and every Checked call. When it fires, the wall clock is
// compared with the time the timer measured. Timers run on the monotonic
// clock, which on Linux and macOS stops while the machine sleeps; a wall
// clock that moved on by WakeJump more than that means the machine slept
// in between, and the trigger is Woke instead of Periodic. That is the
// wake detection where no wake event arrives (no logind, an older
// Windows, macOS); it costs no extra timer.
//
// Network events are debounced (1 s): undocking or roaming produces
// bursts of events, and links come up in stages. The debounce timer
// exists only between an event and its trigger.
package netwatch

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Trigger says why a re-check is due.
type Trigger int

const (
	// NetworkChanged: the OS said an address or the network changed
	// (after the debounce).
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
	DefaultDebounce = time.Second
	DefaultPeriodic = 10 * time.Minute
	// DefaultWakeJump: when the periodic timer fires and the wall clock
	// has moved this much further than the timer measured, the machine
	// slept.
	DefaultWakeJump = time.Minute
)

// Source is a native event source. Run sends on out whenever it notices
// something (NetworkChanged or Woke) until ctx ends; it returns early with
// an error when the events are not available (no system bus, …), which
// the Watcher logs: the periodic timer still works.
type Source interface {
	Run(ctx context.Context, out chan<- Trigger) error
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, out chan<- Trigger) error

func (f SourceFunc) Run(ctx context.Context, out chan<- Trigger) error { return f(ctx, out) }

// Options configure a Watcher; zero values take the defaults.
type Options struct {
	Debounce time.Duration
	Periodic time.Duration
	WakeJump time.Duration
	// Wall reads the wall clock without its monotonic reading; default
	// time.Now().Round(0). Tests move it to play a sleeping machine.
	Wall func() time.Time
	// Sources are native events; nil: NativeSources(Log) for this OS.
	// Use an empty non-nil slice for none.
	Sources []Source
	// Log receives a line when a source is unavailable or ignores a
	// signal (nil: no log).
	Log *slog.Logger
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
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Debounce, DefaultDebounce)
	def(&o.Periodic, DefaultPeriodic)
	def(&o.WakeJump, DefaultWakeJump)
	if o.Wall == nil {
		o.Wall = func() time.Time { return time.Now().Round(0) }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Sources == nil {
		o.Sources = NativeSources(o.Log)
	}
	w := &Watcher{c: make(chan Trigger), checked: make(chan chan struct{}), done: make(chan struct{})}
	native := make(chan Trigger, 1)
	var wg sync.WaitGroup
	for _, s := range o.Sources {
		wg.Go(func() {
			if err := s.Run(ctx, native); err != nil && ctx.Err() == nil {
				o.Log.Info("netwatch: event source unavailable; the periodic re-check still runs", "err", err)
			}
		})
	}
	wg.Go(func() { w.loop(ctx, o, native) })
	go func() {
		wg.Wait()
		close(w.done)
	}()
	return w
}

func (w *Watcher) loop(ctx context.Context, o Options, native <-chan Trigger) {
	periodic := time.NewTimer(o.Periodic)
	defer periodic.Stop()
	var debounce *time.Timer
	var debounceC <-chan time.Time // nil unless a debounce runs
	defer func() {
		if debounce != nil {
			debounce.Stop()
		}
	}()
	// When the periodic timer was armed: by the wall clock, and by the
	// monotonic clock it runs on.
	armedWall, armedMono := o.Wall(), time.Now()
	rearm := func() {
		periodic.Reset(o.Periodic)
		armedWall, armedMono = o.Wall(), time.Now()
	}
	var pending []Trigger // at most one of each kind, oldest first
	add := func(t Trigger) {
		if !slices.Contains(pending, t) {
			pending = append(pending, t)
		}
		rearm() // any trigger means a check is coming
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
			rearm()
			close(ack)
		case t := <-native:
			if t == Woke {
				add(Woke)
			} else if debounceC == nil {
				debounce = time.NewTimer(o.Debounce)
				debounceC = debounce.C
			}
		case <-debounceC:
			debounce, debounceC = nil, nil
			add(NetworkChanged)
		case <-periodic.C:
			if slept(o.Wall().Sub(armedWall), time.Since(armedMono), o.WakeJump) {
				add(Woke)
			} else {
				add(Periodic)
			}
		}
	}
}

// slept: the wall clock moved on by more than jump beyond the time the
// (monotonic) timer measured.
func slept(wall, mono, jump time.Duration) bool { return wall-mono > jump }
