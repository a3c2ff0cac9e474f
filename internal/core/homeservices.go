package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// Plex Home profiles as plain calls, for the core's workers and the
// command line. The account's token stays where it is (Services.Keychain);
// each profile's token is kept in Services.ProfileKeychain(uuid), and which
// profile is active (a uuid and a title) in Services.ConfigDir
// (home.SaveState).

// ErrProfilesUnsupported: this Services keeps no profiles (no
// ProfileKeychain or ConfigDir).
var ErrProfilesUnsupported = errors.New("profiles of a Plex Home are not supported here")

// NotKeptError: the switch worked, but the profile's token could not be
// kept (keychain or config folder); the token is still valid.
type NotKeptError struct{ Err error }

func (e *NotKeptError) Error() string {
	return "the profile's token could not be kept: " + e.Err.Error()
}
func (e *NotKeptError) Unwrap() error { return e.Err }

func (sv Services) profilesOK() error {
	if sv.ProfileKeychain == nil || sv.ConfigDir == "" {
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

// ProfileState reads which profile is active and which have a stored
// token (the zero State when none).
func (sv Services) ProfileState() (home.State, error) {
	if sv.ConfigDir == "" {
		return home.State{}, nil
	}
	return home.LoadState(sv.ConfigDir)
}

// ActiveProfile returns the active profile and its stored token; nil (and
// no error) when the account's own token is active. When the profile's
// token is missing from the keychain the error matches
// keychain.ErrNotFound and the profile is still returned.
func (sv Services) ActiveProfile(ctx context.Context) (*home.Active, plextv.Token, error) {
	if sv.profilesOK() != nil {
		return nil, "", nil
	}
	st, err := home.LoadState(sv.ConfigDir)
	if err != nil || st.Active == nil {
		return nil, "", err
	}
	tok, err := sv.ProfileToken(ctx, st.Active.UUID)
	return st.Active, tok, err
}

// ProfileToken reads the stored token of profile uuid
// (keychain.ErrNotFound when there is none).
func (sv Services) ProfileToken(ctx context.Context, uuid string) (plextv.Token, error) {
	if err := sv.profilesOK(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.ProfileKeychain(uuid).Get(ctx)
}

// SwitchProfile asks plex.tv, with the account's token acct, for the
// token of profile to (pin "" when none is known) and makes it the active
// one: kept in the keychain and recorded in the config folder. Switching
// to the admin asks plex.tv too (it may want the admin's PIN), then makes
// the account's own token active again and returns it.
//
// A wrong or missing PIN matches plextv.ErrProfilePIN; then, as on every
// error from plex.tv, nothing changes. A *NotKeptError comes with a valid
// token that could not be stored.
func (sv Services) SwitchProfile(ctx context.Context, acct plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	return sv.switchProfile(ctx, acct, to, pin, true)
}

// FetchProfileToken is SwitchProfile without changing the active profile:
// the profile's token is kept in the keychain (for sign-out to remove)
// and returned.
func (sv Services) FetchProfileToken(ctx context.Context, acct plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	return sv.switchProfile(ctx, acct, to, pin, false)
}

func (sv Services) switchProfile(ctx context.Context, acct plextv.Token, to plextv.HomeUser, pin string, activate bool) (plextv.Token, error) {
	tok, err := sv.SwitchToken(ctx, acct, to, pin)
	if err != nil {
		return "", err
	}
	var a *home.Active // the admin: the account's own token, kept already
	if !to.Admin {
		if err := sv.KeepProfileToken(ctx, to, tok); err != nil {
			return tok, err
		}
		a = &home.Active{UUID: to.UUID, Title: to.Title}
	}
	if !activate {
		return tok, nil
	}
	if err := sv.SetActiveProfile(a); err != nil {
		return tok, &NotKeptError{err}
	}
	return tok, nil
}

// SwitchToken asks plex.tv, with the account's token acct, for the token
// of profile to (pin "" when none is known). For the admin it returns acct
// once plex.tv agreed (it may want the admin's PIN): the account's own
// token is the admin's, and the one plex.tv hands out is not needed.
// Nothing is kept.
func (sv Services) SwitchToken(ctx context.Context, acct plextv.Token, to plextv.HomeUser, pin string) (plextv.Token, error) {
	if err := sv.profilesOK(); err != nil {
		return "", err
	}
	tok, err := home.Switcher{Client: sv.PlexTV, Clock: sv.clock()}.Switch(ctx, acct, to, pin)
	if err != nil {
		return "", err
	}
	if to.Admin {
		return acct, nil
	}
	return tok, nil
}

// KeepProfileToken keeps tok, profile to's token, in its keychain entry,
// listed in the config folder for sign-out to remove; a *NotKeptError when
// it can't.
func (sv Services) KeepProfileToken(ctx context.Context, to plextv.HomeUser, tok plextv.Token) error {
	if err := sv.profilesOK(); err != nil {
		return err
	}
	// Listed before it goes into the keychain: sign-out removes only the
	// tokens it finds listed, and a token it cannot find would stay in
	// the keychain for good.
	if err := home.Update(sv.ConfigDir, func(st *home.State) { st.Kept(to.UUID) }); err != nil {
		return &NotKeptError{err}
	}
	kctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if err := sv.ProfileKeychain(to.UUID).Set(kctx, tok); err != nil {
		return &NotKeptError{err}
	}
	return nil
}

// SetActiveProfile records a as the active profile (nil: the account's own
// token) in the config folder. a's token must be kept already.
func (sv Services) SetActiveProfile(a *home.Active) error {
	if err := sv.profilesOK(); err != nil {
		return err
	}
	return home.Update(sv.ConfigDir, func(st *home.State) {
		if a == nil {
			st.Active = nil
		} else {
			st.Switched(*a)
		}
	})
}

// ForgetProfile removes profile uuid's stored token (plex.tv rejected it)
// and, if it was active, makes the account's own token active.
func (sv Services) ForgetProfile(ctx context.Context, uuid string) error {
	if sv.profilesOK() != nil {
		return nil
	}
	kctx, cancel := context.WithTimeout(ctx, CallTimeout)
	kerr := sv.ProfileKeychain(uuid).Delete(kctx)
	cancel()
	if errors.Is(kerr, keychain.ErrNotFound) {
		kerr = nil
	}
	return errors.Join(kerr, home.Update(sv.ConfigDir, func(st *home.State) { st.Forget(uuid) }))
}

// ForgetProfiles signs every stored profile token out at plex.tv (best
// effort: a token plex.tv can't be told about is still removed here),
// removes them from the keychain and forgets the active profile. Run on
// sign-out, so nothing of the account stays behind.
func (sv Services) ForgetProfiles(ctx context.Context) error {
	if sv.profilesOK() != nil {
		return nil
	}
	st, _ := home.LoadState(sv.ConfigDir) // a damaged file is replaced
	uuids := st.Stored
	if st.Active != nil {
		uuids = append(uuids, st.Active.UUID)
	}
	rctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	var errs []error
	var removed []string // the rest stay listed: tried again next time
	seen := map[string]bool{}
	for _, uuid := range uuids {
		if seen[uuid] {
			continue
		}
		seen[uuid] = true
		kc := sv.ProfileKeychain(uuid)
		if tok, err := kc.Get(rctx); err == nil {
			_ = sv.PlexTV.SignOut(rctx, tok) // best effort
		}
		kctx, kcancel := context.WithTimeout(ctx, CallTimeout)
		if err := kc.Delete(kctx); err != nil && !errors.Is(err, keychain.ErrNotFound) {
			errs = append(errs, fmt.Errorf("removing a profile's token: %w", err))
		} else {
			removed = append(removed, uuid)
		}
		kcancel()
	}
	// Only what was removed is unlisted: a profile listed meanwhile keeps
	// its entry, so its token is not lost track of.
	errs = append(errs, home.Update(sv.ConfigDir, func(st *home.State) {
		for _, uuid := range removed {
			st.Forget(uuid)
		}
		st.Active = nil
	}))
	return errors.Join(errs...)
}
