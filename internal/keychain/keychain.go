// Package keychain keeps the Plex token in the OS keychain (Secret Service
// on Linux, Keychain on macOS, Credential Manager on Windows) through
// go-keyring, under service "plextray", account "plex-token".
//
// There is no plaintext fallback: when no keychain is available the caller
// keeps the token in memory for this run and says so.
package keychain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/zalando/go-keyring"
)

// Service and Account name the keychain entry.
const (
	Service = "plextray"
	Account = "plex-token"
)

// Errors; test with errors.Is.
var (
	// ErrNotFound: there is no stored token.
	ErrNotFound = errors.New("no token in the keychain")
	// ErrUnavailable: the keychain itself can't be used (no Secret Service
	// on the bus, locked and nobody to unlock it, timed out). The more
	// precise errors below wrap it too.
	ErrUnavailable = errors.New("the keychain is unavailable")
	// ErrNoSessionBus: there is no D-Bus session bus (SSH, cron, a
	// headless box), so no Secret Service can be reached. Wraps
	// ErrUnavailable.
	ErrNoSessionBus = fmt.Errorf("%w: no D-Bus session bus", ErrUnavailable)
	// ErrLocked: the keyring holding the entry is locked. Wraps
	// ErrUnavailable.
	ErrLocked = fmt.Errorf("%w: the keyring is locked", ErrUnavailable)
)

// Store keeps one token.
type Store interface {
	Get(ctx context.Context) (plextv.Token, error)
	Set(ctx context.Context, tok plextv.Token) error
	Delete(ctx context.Context) error
}

// DefaultTimeout bounds one keychain call: a locked Secret Service with no
// prompter otherwise blocks for D-Bus's 25 s.
const DefaultTimeout = 10 * time.Second

// OS is the real keychain, one entry: service Service, account Account
// (or the Account field when set, e.g. a Home profile's token).
type OS struct {
	Timeout time.Duration
	Account string
}

func (k OS) account() string {
	if k.Account != "" {
		return k.Account
	}
	return Account
}

func (k OS) Get(ctx context.Context) (plextv.Token, error) {
	var s string
	err := k.call(ctx, "reading", func() (err error) { s, err = keyring.Get(Service, k.account()); return })
	return plextv.Token(s), err
}

func (k OS) Set(ctx context.Context, tok plextv.Token) error {
	return k.call(ctx, "saving", func() error { return keyring.Set(Service, k.account(), tok.Reveal()) })
}

func (k OS) Delete(ctx context.Context) error {
	err := k.call(ctx, "removing", func() error { return keyring.Delete(Service, k.account()) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn with a deadline. go-keyring takes no context, so a call
// that hangs is abandoned (its goroutine ends when D-Bus gives up).
func (k OS) call(ctx context.Context, what string, fn func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return classify(what, err)
	case <-ctx.Done():
		return fmt.Errorf("%s the token: %w: no answer within %s (is the keyring locked?)", what, ErrUnavailable, timeout)
	}
}

func classify(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	default:
		return &UnavailableError{What: what, Err: err}
	}
}

// UnavailableError is a keychain failure with a hint for the person.
type UnavailableError struct {
	What string
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s the token in the keychain: %v", e.What, e.Err)
}
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// Hint says what to do about err in a person's words.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "org.freedesktop.secrets"), strings.Contains(msg, "ServiceUnknown"):
		return "No Secret Service is running: install gnome-keyring (or KeePassXC with Secret Service) and sign in again."
	case strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"), strings.Contains(msg, "session bus"):
		return "No D-Bus session bus: run plextray inside a desktop session."
	case strings.Contains(msg, "locked"), strings.Contains(msg, "no answer within"):
		return "The keyring is locked: unlock it (e.g. with Seahorse) and try again."
	}
	return "The keychain can't be used right now."
}

// Memory is a Store in memory: used when the OS keychain is unavailable
// (the token lasts for this run only) and in tests.
type Memory struct {
	mu  sync.Mutex
	tok plextv.Token
}

func (m *Memory) Get(context.Context) (plextv.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.IsZero() {
		return "", ErrNotFound
	}
	return m.tok, nil
}

func (m *Memory) Set(_ context.Context, tok plextv.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = tok
	return nil
}

func (m *Memory) Delete(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = ""
	return nil
}
