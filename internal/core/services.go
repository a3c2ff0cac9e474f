package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

// PlexTV is the part of plextv.Client the core uses.
type PlexTV interface {
	signin.API
	User(ctx context.Context, tok plextv.Token) (*plextv.User, error)
	SignOut(ctx context.Context, tok plextv.Token) error
	Resources(ctx context.Context, tok plextv.Token) ([]plextv.Resource, error)
	// Ping keeps a token alive (keepalive.go).
	Ping(ctx context.Context, tok plextv.Token) error
	// ClaimToken is a claim token for a new server (tools.go).
	ClaimToken(ctx context.Context, tok plextv.Token) (plextv.Token, error)
	home.Lister       // Plex Home profiles (homeservices.go)
	home.SwitchClient // switching to a profile
}

// Checker probes the servers' connections. It reports each step through
// update (from any goroutine) and returns the final list, in Plan order.
type Checker interface {
	Check(ctx context.Context, rs []plextv.Resource, update func(servers.Event)) []servers.Server
}

// ProberChecker is the Checker of a servers.Prober.
type ProberChecker struct{ Prober *servers.Prober }

func (c ProberChecker) Check(ctx context.Context, rs []plextv.Resource, update func(servers.Event)) []servers.Server {
	if update == nil {
		return c.Prober.Check(ctx, rs)
	}
	return c.Prober.Stream(ctx, rs, update)
}

// Services are the use-cases as plain calls: the core's workers and the
// command line run the same ones, so the two never disagree. Each call
// bounds its own network and keychain work.
//
// The keychain and the config folder are the shared truth: Read says what
// they hold now, and every change to them goes through one of these calls
// (Keep, Confirm, Rejected, SignOut, UseProfile, ProfileRejected, …), in
// the tray and in every command alike.
type Services struct {
	PlexTV PlexTV
	// Keychain is every plextray entry of the keychain (the account's
	// token: keychain.AccountEntry; a profile's: keychain.ProfileEntry).
	Keychain keychain.Keyring
	Checker  Checker     // nil: no server checks
	Clock    clock.Clock // nil: the real clock

	// LinkURL builds the link page for a 4-character code; AppURL the
	// one-click sign-in page for a strong code.
	LinkURL, AppURL func(code string) string
	// SigninTimeout bounds a sign-in; 0: signin.DefaultTimeout.
	SigninTimeout time.Duration
	// ListTimeout bounds asking plex.tv for the servers (Servers, BestURI,
	// Server); 0: CallTimeout. The command line sets its --timeout.
	ListTimeout time.Duration

	// ConfigDir holds profiles.json (home.File): which account is signed
	// in and each account's profiles. "": no profiles are kept, and only
	// the entry of an unconfirmed account is read.
	ConfigDir string
}

// CallTimeout bounds one plex.tv or keychain call.
const CallTimeout = 15 * time.Second

func (sv Services) clock() clock.Clock {
	if sv.Clock == nil {
		return clock.Real{}
	}
	return sv.Clock
}

// SignIn runs the PIN flow with method m until the code is linked (the
// token), or signin.ErrCancelled / ErrTimedOut / *signin.Failed. Nothing
// is kept: Keep does that.
func (sv Services) SignIn(ctx context.Context, m signin.Method, onPIN func(signin.PIN), onRetry func(error, time.Duration)) (plextv.Token, error) {
	url := sv.LinkURL
	if m == signin.Browser {
		url = sv.AppURL
	}
	return signin.Run(ctx, sv.PlexTV, signin.Options{
		Method:  m,
		Timeout: sv.SigninTimeout,
		Renew:   true,
		Clock:   sv.clock(),
		URL:     url,
		OnPIN:   onPIN,
		OnRetry: onRetry,
	})
}

// Truth is what the keychain and the config folder hold now.
type Truth struct {
	// Account is the signed-in account's plex.tv uuid; "" when its token
	// is kept under the entry of an account plex.tv has not confirmed yet.
	Account string
	// Token is the account's token; zero when none is stored (then Err is
	// nil) or it could not be read (Err).
	Token plextv.Token
	Err   error
	// Profile is the active Plex Home profile (nil: the account's own
	// token), ProfileToken its token; ProfileErr says why that could not
	// be read (keychain.ErrNotFound: it is gone).
	Profile      *home.Active
	ProfileToken plextv.Token
	ProfileErr   error
	// FileErr: profiles.json could not be read (it counts as empty; a
	// damaged one matches home.ErrDamaged and is set aside by the next
	// change).
	FileErr error
}

func (sv Services) entry(name string) keychain.Store { return sv.Keychain.Entry(name) }

// get reads entry name, bounded by CallTimeout.
func (sv Services) get(ctx context.Context, name string) (plextv.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.entry(name).Get(ctx)
}

func (sv Services) set(ctx context.Context, name string, tok plextv.Token) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.entry(name).Set(ctx, tok)
}

// del removes entry name; none is not an error.
func (sv Services) del(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if err := sv.entry(name).Delete(ctx); err != nil && !errors.Is(err, keychain.ErrNotFound) {
		return err
	}
	return nil
}

// file reads profiles.json (the zero File when there is no ConfigDir).
func (sv Services) file() (home.File, error) {
	if sv.ConfigDir == "" {
		return home.File{}, nil
	}
	return home.Load(sv.ConfigDir)
}

// update changes profiles.json under its lock; nothing without ConfigDir.
func (sv Services) update(ctx context.Context, change func(*home.File)) error {
	if sv.ConfigDir == "" {
		return nil
	}
	_, err := home.Update(ctx, sv.ConfigDir, change)
	return err
}

// Read says what the keychain and the config folder hold: the signed-in
// account's token and the active profile's. profiles.json names the
// account; without it (no file, or a damaged one) the entry of an
// unconfirmed account is read, and where the keychain can be searched,
// the one account entry it holds.
func (sv Services) Read(ctx context.Context) Truth {
	f, ferr := sv.file()
	t := Truth{Account: f.Account, FileErr: ferr}
	t.Token, t.Err = sv.get(ctx, keychain.AccountEntry(t.Account))
	if errors.Is(t.Err, keychain.ErrNotFound) && t.Account != "" {
		t.Account = "" // kept while plex.tv could not confirm it
		t.Token, t.Err = sv.get(ctx, keychain.AccountEntry(""))
	}
	if errors.Is(t.Err, keychain.ErrNotFound) && f.Account == "" {
		if acct := sv.soleAccount(ctx); acct != "" {
			t.Account = acct
			t.Token, t.Err = sv.get(ctx, keychain.AccountEntry(acct))
		}
	}
	if errors.Is(t.Err, keychain.ErrNotFound) {
		t.Token, t.Err = "", nil
		t.Account = ""
	}
	if t.Token.IsZero() {
		return t
	}
	if a := f.For(t.Account).Active; a != nil {
		t.Profile = a
		t.ProfileToken, t.ProfileErr = sv.get(ctx, keychain.ProfileEntry(t.Account, a.UUID))
	}
	return t
}

// soleAccount is the one account whose token the keychain holds, found by
// searching it ("" when it can't be searched, or holds none or several).
func (sv Services) soleAccount(ctx context.Context) string {
	names, err := sv.names(ctx)
	if err != nil {
		return ""
	}
	found := ""
	for _, n := range names {
		if acct, profile, ok := keychain.ParseEntry(n); ok && acct != "" && profile == "" {
			if found != "" {
				return ""
			}
			found = acct
		}
	}
	return found
}

func (sv Services) names(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.Keychain.Names(ctx)
}

// Kept is what Keep did with a new token.
type Kept struct {
	// User is whose token it is (nil when plex.tv could not say:
	// VerifyErr), Account its uuid ("" then).
	User      *plextv.User
	Account   string
	VerifyErr error
	// StoreErr: the token could not be stored (it is valid; keep it in
	// memory for this run).
	StoreErr error
}

// Keep asks plex.tv whose new token tok is and stores it under that
// account's entry, recording the account as the signed-in one. A token
// plex.tv rejects (VerifyErr matches plextv.ErrTokenInvalid) is not
// stored; one plex.tv cannot say anything about now is stored under the
// unconfirmed account's entry, and moved under its own by Confirm later.
func (sv Services) Keep(ctx context.Context, tok plextv.Token) Kept {
	u, err := sv.Verify(ctx, tok)
	k := Kept{User: u, VerifyErr: err}
	if errors.Is(err, plextv.ErrTokenInvalid) {
		return k
	}
	if err == nil {
		k.Account = u.UUID
	}
	if err := sv.set(ctx, keychain.AccountEntry(k.Account), tok); err != nil {
		k.StoreErr = err
		return k
	}
	if err := sv.update(ctx, func(f *home.File) { f.Account = k.Account }); err != nil {
		k.StoreErr = err
		return k
	}
	if k.Account != "" {
		// An unconfirmed entry holding this same token is superseded.
		sv.delIf(ctx, keychain.AccountEntry(""), tok)
	}
	return k
}

// delIf removes entry name only if it still holds tok: compare before
// delete, so a newer token another process stored there is never lost.
// It reports what the entry holds instead (zero when it was removed or
// held nothing).
func (sv Services) delIf(ctx context.Context, name string, tok plextv.Token) (plextv.Token, error) {
	cur, err := sv.get(ctx, name)
	switch {
	case errors.Is(err, keychain.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case cur != tok:
		return cur, nil
	}
	return "", sv.del(ctx, name)
}

// Confirm moves a token read from the unconfirmed account's entry (and
// that account's profile tokens and records) under account u, once
// plex.tv has confirmed whose it is: how a token stored before tokens
// were kept by account, or while plex.tv could not be asked, finds its
// place. It returns u's uuid.
func (sv Services) Confirm(ctx context.Context, tok plextv.Token, u *plextv.User) (string, error) {
	acct := u.UUID
	if acct == "" {
		return "", errors.New("plex.tv named no account uuid")
	}
	if err := sv.set(ctx, keychain.AccountEntry(acct), tok); err != nil {
		return "", err
	}
	var moved []string
	err := sv.update(ctx, func(f *home.File) {
		moved = f.For("").Stored
		if a := f.For("").Active; a != nil {
			moved = append(moved, a.UUID)
		}
		f.Move("", acct)
		f.Account = acct
	})
	if err != nil {
		return "", err
	}
	var errs []error
	for _, p := range moved {
		old := keychain.ProfileEntry("", p)
		ptok, err := sv.get(ctx, old)
		if err != nil {
			continue
		}
		if err := sv.set(ctx, keychain.ProfileEntry(acct, p), ptok); err != nil {
			errs = append(errs, err)
			continue
		}
		_, err = sv.delIf(ctx, old, ptok)
		errs = append(errs, err)
	}
	_, err = sv.delIf(ctx, keychain.AccountEntry(""), tok)
	errs = append(errs, err)
	return acct, errors.Join(errs...)
}

// Verify asks plex.tv whose token tok is: plextv.ErrTokenInvalid when it
// is rejected; any other error means plex.tv couldn't say.
func (sv Services) Verify(ctx context.Context, tok plextv.Token) (*plextv.User, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.PlexTV.User(ctx, tok)
}

// Rejected handles plex.tv rejecting (401) account acct's token tok:
// compare before delete. If the keychain still holds tok, it is removed
// with the account's profile tokens (which die with it) and records, and
// newer is zero. If it holds another token (signed in again elsewhere:
// plex.tv keeps one token per install, so the newer sign-in revoked tok),
// nothing is removed and that token is returned, to be used instead.
func (sv Services) Rejected(ctx context.Context, acct string, tok plextv.Token) (newer plextv.Token, err error) {
	newer, err = sv.delIf(ctx, keychain.AccountEntry(acct), tok)
	if err != nil || !newer.IsZero() {
		return newer, err
	}
	return "", sv.forgetAccount(ctx, acct, false)
}

// forgetAccount removes account acct's profile tokens (signing each out
// at plex.tv first when revoke) and its records.
func (sv Services) forgetAccount(ctx context.Context, acct string, revoke bool) error {
	f, _ := sv.file()
	var errs []error
	for _, name := range sv.profileEntries(ctx, f, acct) {
		errs = append(errs, sv.remove(ctx, name, revoke))
	}
	errs = append(errs, sv.update(ctx, func(f *home.File) {
		delete(f.Accounts, acct)
		if f.Account == acct {
			f.Account = ""
		}
	}))
	return errors.Join(errs...)
}

// profileEntries names acct's profile entries: those the keychain lists,
// and those profiles.json lists (where the keychain cannot be searched).
func (sv Services) profileEntries(ctx context.Context, f home.File, acct string) []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	names, _ := sv.names(ctx)
	for _, n := range names {
		if a, p, ok := keychain.ParseEntry(n); ok && a == acct && p != "" {
			add(n)
		}
	}
	st := f.For(acct)
	for _, p := range st.Stored {
		add(keychain.ProfileEntry(acct, p))
	}
	if st.Active != nil {
		add(keychain.ProfileEntry(acct, st.Active.UUID))
	}
	return out
}

// remove deletes entry name, first signing its token out at plex.tv when
// revoke (best effort: a token plex.tv can't be told about is still
// removed here).
func (sv Services) remove(ctx context.Context, name string, revoke bool) error {
	if revoke {
		if tok, err := sv.get(ctx, name); err == nil {
			rctx, cancel := context.WithTimeout(ctx, CallTimeout)
			_ = sv.PlexTV.SignOut(rctx, tok)
			cancel()
		}
	}
	if err := sv.del(ctx, name); err != nil {
		return fmt.Errorf("removing %s from the keychain: %w", name, err)
	}
	return nil
}

// SignOut signs tok out at plex.tv and removes every plextray entry from
// the keychain, signing each other token out at plex.tv first where it
// can, and clears profiles.json. The keychain, not the list, is the
// truth: where it can be searched (the Secret Service) every entry of
// service plextray goes; elsewhere (go-keyring on macOS and Windows) the
// entries profiles.json and the known names point at. tok may be zero
// (only entries are removed). The tokens are removed here even when
// plex.tv can't be told (revokeErr); a token plex.tv already rejects
// counts as signed out.
func (sv Services) SignOut(ctx context.Context, tok plextv.Token) (revokeErr, removeErr error) {
	if !tok.IsZero() {
		rctx, cancel := context.WithTimeout(ctx, CallTimeout)
		revokeErr = sv.PlexTV.SignOut(rctx, tok)
		cancel()
		if errors.Is(revokeErr, plextv.ErrTokenInvalid) {
			revokeErr = nil
		}
	}
	f, _ := sv.file()
	var errs []error
	for _, name := range sv.allEntries(ctx, f) {
		cur, err := sv.get(ctx, name)
		errs = append(errs, sv.remove(ctx, name, err == nil && cur != tok))
	}
	errs = append(errs, sv.update(ctx, func(f *home.File) { *f = home.File{} }))
	return revokeErr, errors.Join(errs...)
}

// allEntries names every plextray entry: the keychain's list where it can
// be searched, else the entries the known accounts would have.
func (sv Services) allEntries(ctx context.Context, f home.File) []string {
	names, err := sv.names(ctx)
	if err == nil {
		return names
	}
	out := []string{keychain.AccountEntry("")}
	accts := []string{""}
	if f.Account != "" {
		accts = append(accts, f.Account)
	}
	for a := range f.Accounts {
		if !slices.Contains(accts, a) {
			accts = append(accts, a)
		}
	}
	for _, a := range accts {
		if a != "" {
			out = append(out, keychain.AccountEntry(a))
		}
		out = append(out, sv.profileEntries(ctx, f, a)...)
	}
	return out
}

// Servers lists the account's servers and checks their connections.
// first gets the plan (every server "checking") before any probe, update
// each step (both optional). The error is plex.tv's, listing resources.
func (sv Services) Servers(ctx context.Context, tok plextv.Token, first func([]servers.Server), update func(servers.Event)) ([]servers.Server, error) {
	rs, err := sv.resources(ctx, tok)
	if err != nil {
		return nil, err
	}
	if first != nil {
		first(servers.Plan(rs))
	}
	if sv.Checker == nil {
		return servers.Plan(rs), nil
	}
	return sv.Checker.Check(ctx, rs, update), nil
}

// BestFinder finds one server's best URI, returning as soon as it is
// decided (servers.Prober.Best). ProberChecker is one.
type BestFinder interface {
	Best(ctx context.Context, rs []plextv.Resource, query string) (servers.BestURI, error)
}

func (c ProberChecker) Best(ctx context.Context, rs []plextv.Resource, query string) (servers.BestURI, error) {
	return c.Prober.Best(ctx, rs, query)
}

// ErrNoBestFinder: the Services' Checker cannot find one best URI.
var ErrNoBestFinder = errors.New("core: the server checker cannot pick one best URI")

// BestURI lists the servers tok sees and probes the one query names (a
// clientIdentifier or a name; "" for the only server, else the first
// owned one), returning the moment its best URI is decided. Errors: a
// plex.tv error listing resources, or servers.ErrNoServers,
// *servers.UnknownServerError, *servers.AmbiguousError,
// *servers.NotReachableError, ctx's error.
func (sv Services) BestURI(ctx context.Context, tok plextv.Token, query string) (servers.BestURI, error) {
	bf, ok := sv.Checker.(BestFinder)
	if !ok {
		return servers.BestURI{}, ErrNoBestFinder
	}
	rs, err := sv.resources(ctx, tok)
	if err != nil {
		return servers.BestURI{}, err
	}
	return bf.Best(ctx, rs, query)
}

// Server finds the server query names among the ones tok sees, without
// probing it (see servers.Select): its AccessToken is that server's own
// token ("tray token --server"). The error is plex.tv's, or
// servers.ErrNoServers, *servers.UnknownServerError,
// *servers.AmbiguousError.
func (sv Services) Server(ctx context.Context, tok plextv.Token, query string) (servers.Server, error) {
	rs, err := sv.resources(ctx, tok)
	if err != nil {
		return servers.Server{}, err
	}
	plan := servers.Plan(rs)
	i, _, err := servers.Select(plan, query)
	if err != nil {
		return servers.Server{}, err
	}
	return plan[i], nil
}

// resources are the servers among tok's resources (players dropped).
func (sv Services) resources(ctx context.Context, tok plextv.Token) ([]plextv.Resource, error) {
	limit := sv.ListTimeout
	if limit <= 0 {
		limit = CallTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	rs, err := sv.PlexTV.Resources(rctx, tok)
	if err != nil {
		return nil, err
	}
	return plextv.Servers(rs), nil
}
