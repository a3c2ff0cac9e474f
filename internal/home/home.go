// Package home is the Plex Home use-case without any UI: find the Home's
// profiles, pick one by name, switch to it (backing off when plex.tv rate
// limits quick switches), and remember the signed-in account and which
// profile is active.
//
// Which account is signed in (its plex.tv uuid) and, for each account,
// which profile is active (a uuid and a title) and which profiles have a
// token in the keychain (uuids) live in a small file in the config folder
// (File, nothing secret, changed only under a lock shared by every
// plextray process: Update); each token lives in the OS keychain under its
// own entry (keychain.AccountEntry, keychain.ProfileEntry).
//
// The tray and the command line both use it through internal/core's
// Services:
//
//	h, err := home.Discover(ctx, client, adminToken, user) // nil: no Home
//	p, err := home.Pick(h.Users, "kid")                   // *AmbiguousError, ErrNoProfile
//	tok, err := home.Switcher{Client: client}.Switch(ctx, adminToken, p, pin)
//	// errors.Is(err, plextv.ErrProfilePIN): ask for the PIN (again)
//	_, err = home.Update(ctx, dir, func(f *home.File) {
//		f.Change(account, func(st *home.State) { st.Switched(home.Active{UUID: p.UUID, Title: p.Title}) })
//	})
package home

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
)

// Lister is the part of *plextv.Client that lists a Home.
type Lister interface {
	HomeUsers(ctx context.Context, token plextv.Token) (*plextv.Home, error)
}

// Discover lists the Home of the account whose token this is, and returns
// nil (and no error) when there is no Home worth offering: homeSize <= 1
// in u (may be nil) and at most one profile listed. For an account
// without a Home, a refusal of the list other than 401 or a transient
// error also means "no Home" (plex.tv does not document that answer).
func Discover(ctx context.Context, c Lister, token plextv.Token, u *plextv.User) (*plextv.Home, error) {
	h, err := c.HomeUsers(ctx, token)
	if err != nil {
		if u != nil && u.HomeSize <= 1 && !plextv.IsTransient(err) && !errors.Is(err, plextv.ErrTokenInvalid) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing the Plex Home's profiles: %w", err)
	}
	if !plextv.OfferProfiles(u, h) {
		return nil, nil
	}
	return h, nil
}

// ErrNoProfile: no profile matches the name or uuid asked for.
var ErrNoProfile = errors.New("no such profile")

// AmbiguousError: several profiles match a name; Matches lists them.
type AmbiguousError struct {
	Query   string
	Matches []plextv.HomeUser
}

func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Matches))
	for i, m := range e.Matches {
		names[i] = fmt.Sprintf("%s (%s)", m.Title, m.UUID)
	}
	return fmt.Sprintf("%q matches %d profiles: %s; use the uuid", e.Query, len(e.Matches), strings.Join(names, ", "))
}

// NotFoundError: no profile matches Query; Available lists the profiles.
type NotFoundError struct {
	Query     string
	Available []plextv.HomeUser
}

func (e *NotFoundError) Error() string {
	names := make([]string, len(e.Available))
	for i, m := range e.Available {
		names[i] = m.Title
	}
	return fmt.Sprintf("no profile %q (profiles: %s)", e.Query, strings.Join(names, ", "))
}

func (e *NotFoundError) Unwrap() error { return ErrNoProfile }

// Pick finds the profile query names: its uuid, or its title compared
// case-insensitively (surrounding spaces ignored). A uuid match wins; two
// or more title matches give an *AmbiguousError; none a *NotFoundError
// (errors.Is ErrNoProfile). The texts in both errors come from plex.tv:
// show them through textsafe.
func Pick(users []plextv.HomeUser, query string) (plextv.HomeUser, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return plextv.HomeUser{}, &NotFoundError{Query: query, Available: users}
	}
	for _, u := range users {
		if strings.EqualFold(u.UUID, q) {
			return u, nil
		}
	}
	var matches []plextv.HomeUser
	for _, u := range users {
		if strings.EqualFold(strings.TrimSpace(u.Title), q) {
			matches = append(matches, u)
		}
	}
	switch len(matches) {
	case 0:
		return plextv.HomeUser{}, &NotFoundError{Query: query, Available: users}
	case 1:
		return matches[0], nil
	}
	return plextv.HomeUser{}, &AmbiguousError{Query: query, Matches: matches}
}

// Switching is a person's action: a few quick retries when plex.tv rate
// limits, then give up with the error.
const (
	DefaultAttempts   = 4
	DefaultFirstWait  = 2 * time.Second
	DefaultMaxBackoff = 30 * time.Second
)

// SwitchClient is the part of *plextv.Client that switches profiles.
type SwitchClient interface {
	SwitchHomeUser(ctx context.Context, token plextv.Token, uuid, pin string) (plextv.Token, error)
}

// Switcher switches to a profile. The zero value with Client set is ready.
type Switcher struct {
	Client SwitchClient
	// Clock times the waits after a 429; default the real clock.
	Clock clock.Clock
	// Attempts bounds the tries when plex.tv answers 429; default
	// DefaultAttempts.
	Attempts int
}

// Switch asks plex.tv, with token (the account's, or the active
// profile's), for the token of profile to, with pin ("" when none is
// known). A 429 waits Retry-After, or 2 s, 4 s, 8 s… when plex.tv gives
// none (at most DefaultMaxBackoff), and tries again, telling the ctx's
// Trace first; every other error is returned at once. A wrong
// or missing PIN matches plextv.ErrProfilePIN: ask for it and call again.
// Nothing is stored: the caller keeps the token and the active profile
// only after success, so a failed switch never changes what is active.
func (s Switcher) Switch(ctx context.Context, token plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	clk := s.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	attempts := s.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	wait := DefaultFirstWait
	for i := 1; ; i++ {
		tok, err := s.Client.SwitchHomeUser(ctx, token, to.UUID, pin)
		if err == nil {
			return tok, nil
		}
		if !errors.Is(err, plextv.ErrRateLimited) || i >= attempts {
			return "", fmt.Errorf("switching to profile %q: %w", to.Title, err)
		}
		d := wait
		if ra := plextv.RetryAfter(err); ra > 0 {
			d = ra
		}
		d = min(d, DefaultMaxBackoff)
		wait = min(2*wait, DefaultMaxBackoff)
		if tr := traceOf(ctx); tr != nil && tr.RateLimited != nil {
			tr.RateLimited(d, plextv.RetryAfter(err))
		}
		c, stop := clk.After(d)
		select {
		case <-c:
			stop()
		case <-ctx.Done():
			stop()
			return "", fmt.Errorf("switching to profile %q: %w", to.Title, context.Cause(ctx))
		}
	}
}
