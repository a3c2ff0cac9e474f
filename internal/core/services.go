package core

import (
	"context"
	"errors"
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
type Services struct {
	PlexTV   PlexTV
	Keychain keychain.Store
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

	// ProfileKeychain is where a Plex Home profile's token is kept
	// (keychain.OS{Account: home.ProfileAccount(uuid)}); ConfigDir holds
	// the active profile (home.StateFile). Either unset: no profiles.
	ProfileKeychain func(uuid string) keychain.Store
	ConfigDir       string
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
// token), or signin.ErrCancelled / ErrTimedOut / *signin.Failed.
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

// Load reads the stored token: keychain.ErrNotFound when there is none.
func (sv Services) Load(ctx context.Context) (plextv.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.Keychain.Get(ctx)
}

// Store keeps tok in the keychain.
func (sv Services) Store(ctx context.Context, tok plextv.Token) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.Keychain.Set(ctx, tok)
}

// Forget removes the stored token; no token is not an error.
func (sv Services) Forget(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if err := sv.Keychain.Delete(ctx); err != nil && !errors.Is(err, keychain.ErrNotFound) {
		return err
	}
	return nil
}

// Verify asks plex.tv whose token tok is: plextv.ErrTokenInvalid when it
// is rejected; any other error means plex.tv couldn't say.
func (sv Services) Verify(ctx context.Context, tok plextv.Token) (*plextv.User, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return sv.PlexTV.User(ctx, tok)
}

// SignOut invalidates tok at plex.tv and removes the stored token, and
// every stored Plex Home profile token (ForgetProfiles). The
// token is removed here even when plex.tv can't be told (revokeErr);
// a token plex.tv already rejects counts as signed out.
func (sv Services) SignOut(ctx context.Context, tok plextv.Token) (revokeErr, removeErr error) {
	rctx, cancel := context.WithTimeout(ctx, CallTimeout)
	revokeErr = sv.PlexTV.SignOut(rctx, tok)
	cancel()
	if errors.Is(revokeErr, plextv.ErrTokenInvalid) {
		revokeErr = nil
	}
	return revokeErr, errors.Join(sv.Forget(ctx), sv.ForgetProfiles(ctx))
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
