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
	err := OS{Timeout: time.Nanosecond}.call(context.Background(), "reading", func(context.Context) error { <-block; return nil })
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v", err)
	}
}

func TestCallKeepsTypedErrors(t *testing.T) {
	for _, want := range []error{ErrNotFound, ErrNoSessionBus, ErrNoSecretService, ErrLocked, ErrLockedToken} {
		err := OS{}.call(context.Background(), "reading", func(context.Context) error { return want })
		if !errors.Is(err, want) {
			t.Errorf("call returned %v, want %v", err, want)
		}
		if want != ErrNotFound && !errors.Is(err, ErrUnavailable) {
			t.Errorf("%v does not wrap ErrUnavailable", err)
		}
	}
	if err := (OS{}).call(context.Background(), "reading", func(context.Context) error { return ErrNotFound }); err != ErrNotFound {
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
