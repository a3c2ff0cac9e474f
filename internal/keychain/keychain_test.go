package keychain

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCallTimesOut(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	_, err := call(OS{Timeout: time.Nanosecond}, context.Background(), "reading", func(context.Context) (string, error) { <-block; return "late", nil })
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v", err)
	}
}

// TestCallAbandonsLateAnswers: when ctx ends (on quit) call returns at
// once, without waiting for a backend that ignores ctx, and the backend's
// late answer reaches no one: it only ever travels in call's result. (Get
// once kept it in a variable the abandoned backend call assigned to, a
// data race the e2e caught at quit.)
func TestCallAbandonsLateAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release, answered := make(chan struct{}), make(chan struct{})
	var got string
	var err error
	go func() {
		defer close(answered)
		got, err = call(OS{}, ctx, "reading", func(context.Context) (string, error) {
			<-release // ignores ctx, like go-keyring
			return "late", nil
		})
	}()
	cancel()
	<-answered
	close(release)
	if got != "" || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %q, %v; want nothing and the cancellation", got, err)
	}
}

func TestCallKeepsTypedErrors(t *testing.T) {
	for _, want := range []error{ErrNotFound, ErrNoSessionBus, ErrNoSecretService, ErrLocked, ErrLockedToken} {
		_, err := call(OS{}, context.Background(), "reading", func(context.Context) (string, error) { return "", want })
		if !errors.Is(err, want) {
			t.Errorf("call returned %v, want %v", err, want)
		}
		if want != ErrNotFound && !errors.Is(err, ErrUnavailable) {
			t.Errorf("%v does not wrap ErrUnavailable", err)
		}
	}
	if _, err := call(OS{}, context.Background(), "reading", func(context.Context) (string, error) { return "", ErrNotFound }); err != ErrNotFound {
		t.Errorf("not found = %v", err)
	}
}

func TestHintNamesTheCause(t *testing.T) {
	for err, want := range map[error]string{
		ErrNoSessionBus:    "session bus",
		ErrNoSecretService: "gnome-keyring",
		ErrLocked:          "locked",
		&UnavailableError{What: "reading", Err: ErrLocked}: "locked",
		errors.New("other"): "can't be used",
	} {
		if h := Hint(err); !strings.Contains(h, want) {
			t.Errorf("Hint(%v) = %q, want it to mention %q", err, h, want)
		}
	}
	if Hint(nil) != "" {
		t.Error("Hint(nil) not empty")
	}
}

func TestMemory(t *testing.T) {
	var m Memory
	ctx := context.Background()
	if _, err := m.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	m.Set(ctx, "x")
	if got, _ := m.Get(ctx); got.Reveal() != "x" {
		t.Fatal(got.Reveal())
	}
	m.Delete(ctx)
	if _, err := m.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}
