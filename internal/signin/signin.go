// Package signin runs Plex's PIN (account-linking) flow: create a PIN, hand
// its code to the caller to show, and poll plex.tv until the PIN is linked,
// the person cancels, or the overall timeout passes. It has no UI imports;
// the caller shows codes and progress through the callbacks.
//
// Shape (after golang.org/x/oauth2's device flow): each PIN's expiry is a
// deadline; "cancel" and "quit" are the context; every poll answer is
// classified into exactly one outcome. Unlike x/oauth2 and cli/oauth, a
// transient failure (429, 5xx, network, garbage) backs off and keeps
// waiting: it never means "expired". A permanent one (400, 401, 403, …)
// ends the flow at once: waiting cannot make it better. The overall
// timeout bounds everything, requests in flight included.
package signin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/plextv"
)

// API is the part of plextv.Client the flow uses.
type API interface {
	CreatePIN(ctx context.Context, strong bool) (*plextv.PIN, error)
	CheckPIN(ctx context.Context, id int64) (*plextv.PIN, error)
}

// Method is how the person links the PIN.
type Method int

const (
	// Code: a 4-character code typed at plex.tv/link.
	Code Method = iota
	// Browser: a strong PIN signed in with one click on app.plex.tv/auth,
	// for people already signed into plex.tv in their browser.
	Browser
)

func (m Method) String() string {
	if m == Browser {
		return "browser"
	}
	return "code"
}

// Defaults.
const (
	DefaultTimeout    = 5 * time.Minute
	DefaultInterval   = time.Second // plex.tv's guidance: poll once a second
	DefaultMaxBackoff = 30 * time.Second
	fallbackPINLife   = 15 * time.Minute
	checkTimeout      = 10 * time.Second
	// MinPINLife is the shortest PIN life believed: plex.tv's own are 15
	// and 30 minutes, and a shorter (or nonsense) expiresIn would make the
	// flow create PIN after PIN instead of waiting.
	MinPINLife = time.Minute
	maxPINLife = 24 * time.Hour
)

// Errors; test with errors.Is.
var (
	ErrCancelled = errors.New("sign-in cancelled")
	ErrTimedOut  = errors.New("sign-in timed out")
	ErrExpired   = errors.New("the code expired")
)

// Failed is a permanent plex.tv error that ended the flow: waiting
// cannot make it better. Err is the plextv error (a *plextv.StatusError,
// possibly wrapping plextv.ErrTokenInvalid).
type Failed struct {
	Step string // "create" or "check"
	Err  error
}

func (e *Failed) Error() string { return "sign-in failed: " + e.Err.Error() }
func (e *Failed) Unwrap() error { return e.Err }

// PIN is a code ready to show.
type PIN struct {
	Code      string
	URL       string    // where the person goes: link page or app sign-in page
	ExpiresAt time.Time // local clock
	Renewed   bool      // a fresh code replacing an expired one
}

// OpenBrowser says whether the page for p is opened (again) in the
// browser, for a flow by method m: the first code's page always; for a
// renewed code only the one-click page, which carries the code (the link
// page stays the same, and the person may be typing in it).
func (p PIN) OpenBrowser(m Method) bool { return !p.Renewed || m == Browser }

// Options configure Run. URL is required; the rest have defaults.
type Options struct {
	Method   Method
	Timeout  time.Duration // overall; default 5 minutes
	Interval time.Duration // between polls; default 1 s
	// Renew creates a fresh PIN when one expires before the timeout.
	Renew bool
	Clock clock.Clock
	// URL returns the page the person opens for a code.
	URL func(code string) string
	// OnPIN is called with the first PIN and with each renewal.
	OnPIN func(PIN)
	// OnRetry is called when a poll failed transiently, with the error and
	// the wait before the next try. Optional.
	OnRetry func(err error, wait time.Duration)
}

// Run creates a PIN and waits for it to be linked. It returns the account
// token, or an error matching ErrCancelled (ctx cancelled), ErrTimedOut
// (the overall timeout passed, even with a request in flight), ErrExpired
// (renewal off), or a *Failed for a permanent plex.tv error while creating
// or checking a PIN. Transient errors are retried with backoff until the
// timeout.
func Run(ctx context.Context, api API, o Options) (plextv.Token, error) {
	o.defaults()
	if o.URL == nil {
		return "", errors.New("signin: Options.URL is required")
	}
	deadline := o.Clock.Now().Add(o.Timeout)

	pin, pinDeadline, err := create(ctx, api, o, deadline, false)
	if err != nil {
		return "", err
	}
	wait := o.Interval
	for {
		if err := o.sleep(ctx, wait, deadline); err != nil {
			return "", err
		}
		now := o.Clock.Now()
		if !now.Before(pinDeadline) {
			err = plextv.ErrPINExpired
		} else {
			var p *plextv.PIN
			p, err = check(ctx, api, pin.ID, o, deadline)
			if err == nil && p.Linked() {
				return p.AuthToken, nil
			}
		}
		switch {
		case err == nil: // pending
			wait = o.Interval
		case ctx.Err() != nil:
			return "", cancelled(ctx)
		case errors.Is(err, plextv.ErrPINExpired):
			if !o.Renew {
				return "", ErrExpired
			}
			pin, pinDeadline, err = create(ctx, api, o, deadline, true)
			if err != nil {
				return "", err
			}
			wait = o.Interval
		case !plextv.IsTransient(err):
			return "", &Failed{Step: "check", Err: err}
		case !o.Clock.Now().Before(deadline):
			return "", ErrTimedOut
		default:
			wait = backoff(err, wait, o)
			if o.OnRetry != nil {
				o.OnRetry(err, wait)
			}
		}
	}
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
}

// create makes a PIN and tells the caller its code, retrying transient
// failures with backoff until the overall deadline.
func create(ctx context.Context, api API, o Options, deadline time.Time, renewed bool) (*plextv.PIN, time.Time, error) {
	wait := o.Interval
	for {
		start := o.Clock.Now()
		rctx, cancel := o.requestCtx(ctx, deadline, 0)
		p, err := api.CreatePIN(rctx, o.Method == Browser)
		cancel()
		switch {
		case err == nil:
			// The PIN's life counted on our clock from before the
			// request, so a skewed local clock or a slow answer can't
			// stretch it.
			pinDeadline := start.Add(pinLife(p))
			if o.OnPIN != nil {
				o.OnPIN(PIN{Code: p.Code, URL: o.URL(p.Code), ExpiresAt: pinDeadline, Renewed: renewed})
			}
			return p, pinDeadline, nil
		case ctx.Err() != nil:
			return nil, time.Time{}, cancelled(ctx)
		case !plextv.IsTransient(err):
			return nil, time.Time{}, &Failed{Step: "create", Err: err}
		case !o.Clock.Now().Before(deadline):
			return nil, time.Time{}, ErrTimedOut
		}
		wait = backoff(err, wait, o)
		if o.OnRetry != nil {
			o.OnRetry(err, wait)
		}
		if err := o.sleep(ctx, wait, deadline); err != nil {
			return nil, time.Time{}, err
		}
	}
}

// pinLife is how long p lives, within [MinPINLife, 24 h].
func pinLife(p *plextv.PIN) time.Duration {
	var life time.Duration
	switch {
	case p.ExpiresIn > int(maxPINLife/time.Second):
		life = maxPINLife
	case p.ExpiresIn > 0:
		life = time.Duration(p.ExpiresIn) * time.Second
	case !p.ExpiresAt.IsZero() && !p.CreatedAt.IsZero():
		life = p.ExpiresAt.Sub(p.CreatedAt.Time)
	}
	switch {
	case life <= 0:
		return fallbackPINLife
	case life < MinPINLife:
		return MinPINLife
	case life > maxPINLife:
		return maxPINLife
	}
	return life
}

func check(ctx context.Context, api API, id int64, o Options, deadline time.Time) (*plextv.PIN, error) {
	ctx, cancel := o.requestCtx(ctx, deadline, checkTimeout)
	defer cancel()
	return api.CheckPIN(ctx, id)
}

// requestCtx bounds one request by the time left before the overall
// deadline (and by limit, if set), so a hung request cannot outlive the
// sign-in.
func (o *Options) requestCtx(ctx context.Context, deadline time.Time, limit time.Duration) (context.Context, context.CancelFunc) {
	left := max(deadline.Sub(o.Clock.Now()), 0)
	if limit > 0 {
		left = min(left, limit)
	}
	return context.WithTimeout(ctx, left)
}

// sleep waits d, or less if the overall deadline comes first, in which case
// it returns ErrTimedOut; it returns ErrCancelled when ctx ends.
func (o *Options) sleep(ctx context.Context, d time.Duration, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return cancelled(ctx)
	}
	left := deadline.Sub(o.Clock.Now())
	if left <= 0 {
		return ErrTimedOut
	}
	timedOut := false
	if d >= left {
		d, timedOut = left, true
	}
	c, stop := o.Clock.After(d)
	defer stop()
	select {
	case <-ctx.Done():
		return cancelled(ctx)
	case <-c:
		if timedOut {
			return ErrTimedOut
		}
		return nil
	}
}

// backoff is the wait after a failed poll: Retry-After if plex.tv gave
// one, else double the last wait, within [Interval, DefaultMaxBackoff].
func backoff(err error, last time.Duration, o Options) time.Duration {
	if ra := plextv.RetryAfter(err); ra > 0 {
		return min(ra, DefaultMaxBackoff)
	}
	return min(max(2*last, 2*o.Interval), DefaultMaxBackoff)
}

func cancelled(ctx context.Context) error {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return ErrTimedOut
	}
	return fmt.Errorf("%w: %w", ErrCancelled, context.Cause(ctx))
}
