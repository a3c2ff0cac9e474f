package core

import (
	"context"
	"errors"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Plex Home profiles as plain calls, for the core's workers and the
// command line. Each profile's token is kept in the keychain entry
// keychain.ProfileEntry(account, profile); which profile is active (a
// uuid and a title) and which have a stored token are recorded for the
// account in profiles.json (home.File), changed under its lock.

// ErrProfilesUnsupported: this Services keeps no profiles (no ConfigDir).
var ErrProfilesUnsupported = errors.New("profiles of a Plex Home are not supported here")

// NotKeptError: the switch worked, but the profile's token could not be
// kept (keychain or config folder); the token is still valid.
type NotKeptError struct{ Err error }

func (e *NotKeptError) Error() string {
	return "the profile's token could not be kept: " + e.Err.Error()
}
func (e *NotKeptError) Unwrap() error { return e.Err }

func (sv Services) profilesOK() error {
	if sv.ConfigDir == "" {
		return ErrProfilesUnsupported
	}
	return nil
}

// Home lists the Plex Home of the account whose token acct is; nil (and
// no error) when there is no Home worth offering. u is the account (may be
// nil).
func (sv Services) Home(ctx context.Context, acct plextv.Token, u *plextv.User) (*plextv.Home, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return home.Discover(ctx, sv.PlexTV, acct, u)
}

// ProfileState is account's profile state: which profile is active and
// which have a stored token (the zero State when none, or when
// profiles.json can't be read).
func (sv Services) ProfileState(account string) home.State {
	f, _ := sv.file()
	return f.For(account)
}

// ProfileToken reads the stored token of profile uuid of account
// (keychain.ErrNotFound when there is none).
func (sv Services) ProfileToken(ctx context.Context, account, uuid string) (plextv.Token, error) {
	if err := sv.profilesOK(); err != nil {
		return "", err
	}
	return sv.get(ctx, keychain.ProfileEntry(account, uuid))
}

// SwitchProfile asks plex.tv, with the account's token acctTok, for the
// token of profile to (pin "" when none is known) and makes it the active
// one (UseProfile). Switching to the admin asks plex.tv too (it may want
// the admin's PIN), then makes the account's own token active again and
// returns it.
//
// A wrong or missing PIN matches plextv.ErrProfilePIN; then, as on every
// error from plex.tv, nothing changes. A *NotKeptError comes with a valid
// token that could not be stored.
func (sv Services) SwitchProfile(ctx context.Context, account string, acctTok plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	tok, err := sv.SwitchToken(ctx, acctTok, to, pin)
	if err != nil {
		return "", err
	}
	return tok, sv.UseProfile(ctx, account, to, tok)
}

// FetchProfileToken is SwitchProfile without changing the active profile:
// the profile's token is kept in the keychain (for sign-out to remove)
// and returned.
func (sv Services) FetchProfileToken(ctx context.Context, account string, acctTok plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	tok, err := sv.SwitchToken(ctx, acctTok, to, pin)
	if err != nil || to.Admin {
		return tok, err
	}
	return tok, sv.keepProfileToken(ctx, account, to, tok)
}

// SwitchToken asks plex.tv, with the account's token acctTok, for the
// token of profile to (pin "" when none is known). For the admin it
// returns acctTok once plex.tv agreed (it may want the admin's PIN): the
// account's own token is the admin's, and the one plex.tv hands out is not
// needed. Nothing is kept.
func (sv Services) SwitchToken(ctx context.Context, acctTok plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	if err := sv.profilesOK(); err != nil {
		return "", err
	}
	tok, err := home.Switcher{Client: sv.PlexTV, Clock: sv.clock()}.Switch(ctx, acctTok, to, pin)
	if err != nil {
		return "", err
	}
	if to.Admin {
		return acctTok, nil
	}
	return tok, nil
}

// UseProfile makes profile to, whose token plex.tv handed out as tok, the
// active one of account: the token kept in the keychain and the switch
// recorded in profiles.json (the admin: the account's own token active
// again, nothing kept). A *NotKeptError when that fails.
func (sv Services) UseProfile(ctx context.Context, account string, to plextv.HomeUser, tok plextv.Token) error {
	if err := sv.profilesOK(); err != nil {
		return err
	}
	if to.Admin {
		if err := sv.update(ctx, func(f *home.File) {
			f.Change(account, func(st *home.State) { st.Active = nil })
		}); err != nil {
			return &NotKeptError{err}
		}
		return nil
	}
	if err := sv.keepProfileToken(ctx, account, to, tok); err != nil {
		return err
	}
	if err := sv.update(ctx, func(f *home.File) {
		f.Change(account, func(st *home.State) { st.Switched(home.Active{UUID: to.UUID, Title: to.Title}) })
	}); err != nil {
		return &NotKeptError{err}
	}
	return nil
}

// keepProfileToken keeps tok, profile to's token, in its keychain entry,
// listed in profiles.json; a *NotKeptError when it can't.
func (sv Services) keepProfileToken(ctx context.Context, account string, to plextv.HomeUser, tok plextv.Token) error {
	// Listed before it goes into the keychain: where the keychain can't
	// be searched, sign-out removes only the tokens it finds listed.
	if err := sv.update(ctx, func(f *home.File) {
		f.Change(account, func(st *home.State) { st.Kept(to.UUID) })
	}); err != nil {
		return &NotKeptError{err}
	}
	if err := sv.set(ctx, keychain.ProfileEntry(account, to.UUID), tok); err != nil {
		return &NotKeptError{err}
	}
	return nil
}

// ProfileRejected handles plex.tv rejecting profile uuid's token tok (or
// the token missing from the keychain: tok zero): compare before delete.
// If the keychain still holds tok (or nothing), the entry is removed and
// the account's own token made active again; if it holds another token
// (the profile was switched to again elsewhere), that one is returned, to
// be used instead, and nothing changes.
func (sv Services) ProfileRejected(ctx context.Context, account, uuid string, tok plextv.Token) (newer plextv.Token, err error) {
	if sv.profilesOK() != nil {
		return "", nil
	}
	newer, err = sv.delIf(ctx, keychain.ProfileEntry(account, uuid), tok)
	if err != nil || !newer.IsZero() {
		return newer, err
	}
	return "", sv.update(ctx, func(f *home.File) {
		f.Change(account, func(st *home.State) { st.Forget(uuid) })
	})
}
