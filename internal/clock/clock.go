// Package clock lets code that waits take its time from the caller, so tests
// can move time forward instead of sleeping.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed, and a
	// function that releases the timer early.
	After(d time.Duration) (<-chan time.Time, func())
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time { return time.Now() }

func (Real) After(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// Fake is a manual clock for tests. Time moves only with Advance, or, when
// Auto is set, by jumping straight to each timer as it is requested.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	timers  []*fakeTimer
	changed chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a fake clock at start.
func NewFake(start time.Time) *Fake { return &Fake{now: start, changed: make(chan struct{})} }

// NewAuto returns a fake clock that advances to each timer's deadline as
// soon as the timer is created: waits cost no real time.
func NewAuto(start time.Time) *Fake {
	f := NewFake(start)
	f.auto = true
	return f
}

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) After(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{at: f.now.Add(d), ch: make(chan time.Time, 1)}
	if f.auto {
		if d > 0 {
			f.now = t.at
		}
		t.ch <- f.now
		return t.ch, func() {}
	}
	if d <= 0 {
		t.ch <- f.now
		return t.ch, func() {}
	}
	f.timers = append(f.timers, t)
	f.signal()
	return t.ch, func() { f.remove(t) }
}

func (f *Fake) remove(t *fakeTimer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.timers {
		if x == t {
			f.timers = append(f.timers[:i], f.timers[i+1:]...)
			f.signal()
			return
		}
	}
}

// signal wakes Waiters; f.mu must be held.
func (f *Fake) signal() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Advance moves time forward by d, firing every timer that falls due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	sort.Slice(f.timers, func(i, j int) bool { return f.timers[i].at.Before(f.timers[j].at) })
	kept := f.timers[:0]
	for _, t := range f.timers {
		if !t.at.After(f.now) {
			t.ch <- f.now
		} else {
			kept = append(kept, t)
		}
	}
	f.timers = kept
	f.signal()
}

// Waiters returns the number of pending timers.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// WaitForTimers blocks until at least n timers are pending or deadline
// (real time) passes; it reports whether they are.
func (f *Fake) WaitForTimers(n int, deadline time.Duration) bool {
	giveUp := time.After(deadline)
	for {
		f.mu.Lock()
		ok, ch := len(f.timers) >= n, f.changed
		f.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-giveUp:
			return false
		}
	}
}
