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
	"slices"
	"strings"
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

// Keyring is every plextray entry of the keychain (service Service), each
// named by its account attribute.
type Keyring interface {
	Entry(name string) Store
	// Names lists the entries' names; ErrCannotList where the keychain
	// cannot be searched (go-keyring on macOS and Windows).
	Names(ctx context.Context) ([]string, error)
}

// ErrCannotList: this keychain cannot list its entries; callers fall back
// to the entries they know of.
var ErrCannotList = errors.New("this keychain cannot list its entries")

// Entry names. The token of a plex.tv account lives in AccountEntry(its
// uuid), a Plex Home profile's token in ProfileEntry(the account's uuid,
// the profile's uuid). The account "" is one plex.tv has not confirmed
// yet: its entries keep the names from before tokens were kept by account
// ("plex-token", "plex-token-profile-<uuid>"), so an existing install's
// token is found and moved under its account once plex.tv confirms it.
func AccountEntry(account string) string {
	if account == "" {
		return Account
	}
	return "account-" + account
}

// ProfileEntry names the entry of profile's token in account's Home.
func ProfileEntry(account, profile string) string {
	if account == "" {
		return Account + "-profile-" + profile
	}
	return "account-" + account + "-profile-" + profile
}

// ParseEntry reads an entry name back: the account and (for a profile's
// token) the profile; ok is false for a name plextray does not make.
func ParseEntry(name string) (account, profile string, ok bool) {
	if name == Account {
		return "", "", true
	}
	if p, found := strings.CutPrefix(name, Account+"-profile-"); found && p != "" {
		return "", p, true
	}
	rest, found := strings.CutPrefix(name, "account-")
	if !found || rest == "" {
		return "", "", false
	}
	account, profile, isProfile := strings.Cut(rest, "-profile-")
	if account == "" || (isProfile && profile == "") {
		return "", "", false
	}
	return account, profile, true
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

// Entry is the entry name in the same keychain.
func (k OS) Entry(name string) Store {
	k.Account = name
	return k
}

// Names lists every plextray entry (Secret Service); ErrCannotList on
// macOS and Windows.
func (k OS) Names(ctx context.Context) ([]string, error) {
	return call(k, ctx, "listing", k.names)
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
	case errors.Is(err, ErrCannotList):
		return r.v, ErrCannotList
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

// Memory is a Keyring in memory, for tests: Entry(name) is one entry;
// Get, Set and Delete on the Memory itself use the entry Account, and
// Names lists the entries that hold a token.
type Memory struct {
	mu      sync.Mutex
	entries map[string]plextv.Token
}

// Entry is the entry name.
func (m *Memory) Entry(name string) Store { return memEntry{m, name} }

// Names lists the entries holding a token.
func (m *Memory) Names(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for n, tok := range m.entries {
		if !tok.IsZero() {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m *Memory) Get(ctx context.Context) (plextv.Token, error) { return m.Entry(Account).Get(ctx) }
func (m *Memory) Set(ctx context.Context, tok plextv.Token) error {
	return m.Entry(Account).Set(ctx, tok)
}
func (m *Memory) Delete(ctx context.Context) error { return m.Entry(Account).Delete(ctx) }

type memEntry struct {
	m    *Memory
	name string
}

func (e memEntry) Get(context.Context) (plextv.Token, error) {
	e.m.mu.Lock()
	defer e.m.mu.Unlock()
	tok := e.m.entries[e.name]
	if tok.IsZero() {
		return "", ErrNotFound
	}
	return tok, nil
}

func (e memEntry) Set(_ context.Context, tok plextv.Token) error {
	e.m.mu.Lock()
	defer e.m.mu.Unlock()
	if e.m.entries == nil {
		e.m.entries = map[string]plextv.Token{}
	}
	e.m.entries[e.name] = tok
	return nil
}

func (e memEntry) Delete(context.Context) error {
	e.m.mu.Lock()
	defer e.m.mu.Unlock()
	delete(e.m.entries, e.name)
	return nil
}
