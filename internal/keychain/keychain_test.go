package keychain

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestOSWithMockProvider(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	k := OS{}
	if _, err := k.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Get = %v", err)
	}
	if err := k.Set(ctx, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(ctx); err != nil || got.Reveal() != "tok-1" {
		t.Fatalf("Get = %q, %v", got.Reveal(), err)
	}
	if err := k.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx); err != nil {
		t.Fatalf("deleting a missing entry: %v", err)
	}
}

func TestOSErrorsAreUnavailable(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	_, err := OS{}.Get(context.Background())
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if h := Hint(err); !strings.Contains(h, "gnome-keyring") {
		t.Fatalf("hint = %q", h)
	}
}

func TestCallTimesOut(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	err := OS{Timeout: 10 * time.Millisecond}.call(context.Background(), "reading", func() error { <-block; return nil })
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(Hint(err), "locked") {
		t.Fatalf("err = %v, hint %q", err, Hint(err))
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
