// Package keychain keeps the Plex token in the OS keychain: the Secret
// Service over D-Bus on Linux (spoken directly, on a private connection to
// the session bus the caller names), Keychain on macOS and Credential
// Manager on Windows (through go-keyring). The entry is service "plextray",
// account "plex-token" (or OS.Account).
//
// There is no plaintext fallback: when no keychain is available the caller
// keeps the token in memory for this run and says so.
//
// Nothing here ever starts a process: without a session bus (SSH, cron, a
// headless box) every call returns ErrNoSessionBus at once, and a locked
// keyring is reported as ErrLocked without prompting.
package keychain

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Service and Account name the keychain entry.
const (
	Service = "plextray"
	Account = "plex-token"
)

// Errors; test with errors.Is. Every error but ErrNotFound wraps
// ErrUnavailable.
var (
	// ErrNotFound: there is no stored token.
	ErrNotFound = errors.New("no token in the keychain")
	// ErrUnavailable: the keychain itself can't be used. The more precise
	// errors below wrap it.
	ErrUnavailable = errors.New("the keychain is unavailable")
	// ErrNoSessionBus: there is no D-Bus session bus (SSH, cron, a
	// headless box), so no Secret Service can be reached.
	ErrNoSessionBus = fmt.Errorf("%w: no D-Bus session bus", ErrUnavailable)
	// ErrNoSecretService: the session bus has no Secret Service (no
	// gnome-keyring, KeePassXC, ...) and none can be started on demand.
	ErrNoSecretService = fmt.Errorf("%w: no Secret Service on the session bus", ErrUnavailable)
	// ErrLocked: the keyring holding the entry is locked; it must be
	// unlocked (e.g. in Seahorse, or by logging in) before the token can
	// be read or saved.
	ErrLocked = fmt.Errorf("%w: the keyring is locked", ErrUnavailable)
	// ErrLockedToken: Get found the entry, but in a locked keyring (the
	// Secret Service shows that an entry exists without unlocking): a token
	// is stored, it just can't be read yet. Wraps ErrLocked.
	ErrLockedToken = fmt.Errorf("%w with the token in it", ErrLocked)
	// ErrNoAnswer: the keychain did not answer within OS.Timeout.
	ErrNoAnswer = fmt.Errorf("%w: no answer", ErrUnavailable)
)

// Store keeps one token.
type Store interface {
	Get(ctx context.Context) (plextv.Token, error)
	Set(ctx context.Context, tok plextv.Token) error
	Delete(ctx context.Context) error
}

// DefaultTimeout bounds one keychain call.
const DefaultTimeout = 10 * time.Second

// OS is the real keychain, one entry: service Service, account Account
// (or the Account field when set, e.g. a Home profile's token).
//
// main fills it from the environment:
//
//	keychain.OS{SessionBus: os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
type OS struct {
	// SessionBus is the D-Bus session bus address (Linux and other
	// Secret Service platforms; ignored on macOS and Windows). Empty
	// means there is no session bus: every call returns ErrNoSessionBus
	// without trying to start one.
	SessionBus string
	// Timeout bounds one call; DefaultTimeout when zero.
	Timeout time.Duration
	// Account names the entry; Account (the package constant) when empty.
	Account string
}

func (k OS) account() string {
	if k.Account != "" {
		return k.Account
	}
	return Account
}

func (k OS) Get(ctx context.Context) (plextv.Token, error) {
	s, err := call(k, ctx, "reading", k.get)
	if err == nil && s == "" {
		// An entry with an empty secret holds no token (as in Memory).
		return "", ErrNotFound
	}
	return plextv.Token(s), err
}

func (k OS) Set(ctx context.Context, tok plextv.Token) error {
	_, err := call(k, ctx, "saving", func(ctx context.Context) (struct{}, error) { return struct{}{}, k.set(ctx, tok.Reveal()) })
	return err
}

func (k OS) Delete(ctx context.Context) error {
	_, err := call(k, ctx, "removing", func(ctx context.Context) (struct{}, error) { return struct{}{}, k.delete(ctx) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn with a deadline. fn honours ctx where it can; a backend
// that takes no context (go-keyring) is abandoned when the deadline passes
// or ctx ends, and what it returns later goes nowhere (it only ever
// reaches the caller through the channel).
func call[T any](k OS, ctx context.Context, what string, fn func(context.Context) (T, error)) (T, error) {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	switch err := r.err; {
	case err == nil:
		return r.v, nil
	case errors.Is(err, ErrNotFound):
		return r.v, ErrNotFound
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		err = fmt.Errorf("%w within %s", ErrNoAnswer, timeout)
		fallthrough
	default:
		var zero T
		return zero, &UnavailableError{What: what, Err: err}
	}
}

// UnavailableError is a keychain failure: what was being done ("reading",
// "saving", "removing") and why. It wraps ErrUnavailable and Err.
type UnavailableError struct {
	What string
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s the token in the keychain: %v", e.What, e.Err)
}
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// Hint says what to do about err in a person's words. Front ends may use
// their own words instead: the typed errors above are what to branch on.
func Hint(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNoSessionBus):
		return "No D-Bus session bus (SSH, cron?): the keychain needs a desktop session. Use 'login --print' or PLEXTRAY_TOKEN instead."
	case errors.Is(err, ErrNoSecretService):
		return "No Secret Service is running: install gnome-keyring (or KeePassXC with Secret Service) and sign in again."
	case errors.Is(err, ErrLocked):
		return "The keyring is locked: unlock it (e.g. with Seahorse) and try again."
	case errors.Is(err, ErrNoAnswer):
		return "The keychain did not answer: try again."
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
