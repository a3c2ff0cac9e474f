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
	other := m.Entry(ProfileEntry("a1", "p1"))
	if err := other.Set(ctx, "y"); err != nil {
		t.Fatal(err)
	}
	if names, _ := m.Names(ctx); strings.Join(names, ",") != "account-a1-profile-p1,plex-token" {
		t.Fatalf("names %v", names)
	}
	m.Delete(ctx)
	if _, err := m.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if got, _ := other.Get(ctx); got.Reveal() != "y" {
		t.Fatal("deleting one entry took another")
	}
}

func TestEntryNames(t *testing.T) {
	for _, c := range []struct{ account, profile, name string }{
		{"", "", "plex-token"},
		{"", "p1", "plex-token-profile-p1"},
		{"a1", "", "account-a1"},
		{"a1", "p1", "account-a1-profile-p1"},
	} {
		name := AccountEntry(c.account)
		if c.profile != "" {
			name = ProfileEntry(c.account, c.profile)
		}
		if name != c.name {
			t.Errorf("%q/%q named %q, want %q", c.account, c.profile, name, c.name)
		}
		a, p, ok := ParseEntry(name)
		if !ok || a != c.account || p != c.profile {
			t.Errorf("ParseEntry(%q) = %q %q %v", name, a, p, ok)
		}
	}
	for _, bad := range []string{"", "other", "account-", "account-a1-profile-", "plex-token-profile-", "plex-tokens"} {
		if _, _, ok := ParseEntry(bad); ok {
			t.Errorf("ParseEntry(%q) accepted", bad)
		}
	}
}
