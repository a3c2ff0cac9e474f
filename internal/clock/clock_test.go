package clock

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFakeAdvance(t *testing.T) {
	f := NewFake(t0)
	a, _ := f.After(time.Second)
	b, stopB := f.After(3 * time.Second)
	stopB()
	f.Advance(999 * time.Millisecond)
	select {
	case <-a:
		t.Fatal("fired early")
	default:
	}
	f.Advance(time.Millisecond)
	if got := <-a; !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("fired at %v", got)
	}
	f.Advance(time.Hour)
	select {
	case <-b:
		t.Fatal("stopped timer fired")
	default:
	}
}

func TestAutoJumps(t *testing.T) {
	f := NewAuto(t0)
	c, _ := f.After(time.Minute)
	<-c
	if !f.Now().Equal(t0.Add(time.Minute)) {
		t.Fatal(f.Now())
	}
}

func TestWaitForTimers(t *testing.T) {
	f := NewFake(t0)
	go f.After(time.Second)
	if !f.WaitForTimers(1, 5*time.Second) {
		t.Fatal("timer not seen")
	}
	if f.WaitForTimers(2, 10*time.Millisecond) {
		t.Fatal("phantom timer")
	}
}
