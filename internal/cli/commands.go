package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/signin"
)

// loginOpts are login's flags.
type loginOpts struct {
	print, noBrowser, oneClick, force bool
	timeout                           time.Duration
}

func login(io IO, o loginOpts) int {
	return withEnv(io, func(ctx context.Context, env *app.Env) int {
		return runLogin(ctx, env, io, o)
	})
}

func runLogin(ctx context.Context, env *app.Env, io IO, o loginOpts) int {
	print, noBrowser, oneClick, timeout := o.print, o.noBrowser, o.oneClick, o.timeout
	sv := services(io, env)
	sv.SigninTimeout = timeout

	// Find out before the flow whether the token can be kept.
	t := sv.Read(ctx)
	kerr, old := t.Err, t.Token
	keychainOK := kerr == nil
	if !keychainOK && !print {
		io.failed(keychainWords(kerr, io.Prog), kerr)
		return ExitFailure
	}
	// Signing in again replaces the stored token (plex.tv keeps one per
	// install): never by surprise.
	if keychainOK && !old.IsZero() && !o.force {
		if code, again := loginAgain(ctx, io, sv, old); !again {
			return code
		}
	}

	method := signin.Code
	if oneClick {
		method = signin.Browser
	}
	// The countdown shows whichever ends first: the code or the sign-in.
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	cd := newCountdown(io)
	defer cd.stop()
	tok, err := sv.SignIn(ctx, method, func(p signin.PIN) {
		cd.pause()
		if p.Renewed {
			cd.line("The code expired; here is a new one.")
		}
		if method == signin.Code {
			cd.line(fmt.Sprintf("Code: %s\nEnter it at: %s", code(p.Code), uri(p.URL)))
		} else {
			cd.line("Sign in at: " + uri(p.URL))
		}
		if !noBrowser && io.OpenBrowser != nil && p.OpenBrowser(method) {
			if err := io.OpenBrowser(p.URL); err != nil {
				cd.line("(couldn't open a browser: open the link yourself)")
			}
		}
		ends := p.ExpiresAt
		if !deadline.IsZero() && deadline.Before(ends) {
			ends = deadline
		}
		waitingFor := "code " + code(p.Code)
		if method == signin.Browser {
			// A strong PIN is long and never typed: shortened it read
			// "code p0yah3y33ovryyz……".
			waitingFor = "you to sign in in the browser"
		}
		cd.start(waitingFor, ends)
	}, func(err error, wait time.Duration) {
		what, _ := problem(err)
		cd.line(fmt.Sprintf("%s; trying again in %s", capital(what), wait.Round(time.Second)))
	})
	cd.stop()
	if err != nil {
		return signInFailed(io, err, timeout, method)
	}

	// Verified, then stored under its account (Keep: the tray keeps a
	// new token the same way).
	var k core.Kept
	if keychainOK {
		k = sv.Keep(ctx, tok)
	} else {
		k.User, k.VerifyErr = sv.Verify(ctx, tok)
		k.StoreErr = kerr
	}
	if errors.Is(k.VerifyErr, plextv.ErrTokenInvalid) {
		fmt.Fprintf(io.Stderr, "%s login: plex.tv rejected the new token at once (signed in again elsewhere meanwhile?); nothing was stored.\n", io.Prog)
		return ExitRejected
	}
	stored := k.StoreErr == nil
	if keychainOK && !stored {
		fmt.Fprintf(io.Stderr, "%s login: couldn't store the token: %s\n", io.Prog, keychainWords(k.StoreErr, io.Prog))
		if !print {
			return ExitFailure
		}
	}
	// The token first: if it can't be written, nothing below may sound
	// like success.
	if print {
		if _, err := fmt.Fprintln(io.Stdout, tok.Reveal()); err != nil {
			if !stored {
				fmt.Fprintf(io.Stderr, "%s login: the token could not be written to stdout and was not stored; sign in again.\n", io.Prog)
			}
			return ExitFailure
		}
	}
	if k.VerifyErr == nil {
		fmt.Fprintf(io.Stderr, "Signed in as %s.\n", name(k.User.AccountName()))
	} else {
		what, _ := problem(k.VerifyErr)
		fmt.Fprintf(io.Stderr, "Linked, but plex.tv could not confirm the account yet (%s).\n", what)
	}
	if stored {
		fmt.Fprintf(io.Stderr, "Token stored in the keychain (service %q, account %q).\n", keychain.Service, keychain.AccountEntry(k.Account))
	} else if !keychainOK {
		// Say why: a locked keyring is not a missing one.
		fmt.Fprintf(io.Stderr, "Nothing was stored: %s\n", keychainWords(kerr, io.Prog))
	} else {
		fmt.Fprintln(io.Stderr, "Nothing was stored.")
	}
	return ExitOK
}

// loginAgain is what login does when a token is stored: on a terminal it
// asks whether to sign in again; otherwise it wants --force. again is
// true to go on with the sign-in.
func loginAgain(ctx context.Context, io IO, sv core.Services, old plextv.Token) (code int, again bool) {
	who := "Already signed in"
	vctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if u, err := sv.Verify(vctx, old); err == nil {
		who += " as " + name(u.AccountName())
	}
	cancel()
	if io.Ask == nil {
		io.failed(fmt.Sprintf("%s; signing in again replaces the stored token (plex.tv keeps one per install) — add --force to do it anyway, or run '%s logout' first", strings.ToLower(who[:1])+who[1:], io.Prog), nil)
		return ExitUsage, false
	}
	answer, err := io.Ask(who + ". Sign in again? This replaces the stored token (plex.tv keeps one per install). [y/N] ")
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		if err == nil {
			return ExitOK, true
		}
	}
	fmt.Fprintln(io.Stderr, "Nothing changed; you are still signed in.")
	return ExitOK, false
}

// signInFailed words a sign-in that did not end with a token.
func signInFailed(io IO, err error, timeout time.Duration, method signin.Method) int {
	var failed *signin.Failed
	switch {
	case errors.Is(err, signin.ErrCancelled):
		fmt.Fprintln(io.Stderr, "Sign-in cancelled.")
		return ExitNoSignIn
	case errors.Is(err, signin.ErrTimedOut):
		if method == signin.Browser {
			fmt.Fprintf(io.Stderr, "The time ran out (%s) before you signed in in the browser; run '%s login --browser' to try again (--timeout gives more time).\n", shortDuration(timeout), io.Prog)
		} else {
			fmt.Fprintf(io.Stderr, "The time ran out (%s) before the code was entered; run '%s login' to try again (--timeout gives more time).\n", shortDuration(timeout), io.Prog)
		}
		return ExitNoSignIn
	case errors.Is(err, signin.ErrExpired):
		fmt.Fprintln(io.Stderr, "The code expired.")
		return ExitNoSignIn
	case errors.Is(err, plextv.ErrBadToken):
		fmt.Fprintf(io.Stderr, "%s login: plex.tv sent a token with characters no token has (control characters or spaces); nothing was stored or printed.\n", io.Prog)
		return ExitFailure
	case errors.As(err, &failed) && errors.Is(err, plextv.ErrTokenInvalid):
		io.failed(fmt.Sprintf("%s; sign-in stopped", failWords(failed.Err)), err)
		return ExitRejected
	case errors.As(err, &failed):
		io.failed(fmt.Sprintf("%s; waiting would not help, so sign-in stopped", failWords(failed.Err)), err)
		return ExitFailure
	}
	io.failed(failWords(err), err)
	return ExitFailure
}

func token(io IO, user, server string) int {
	if server != "" {
		return tokenForServer(io, server)
	}
	ctx, stop := signalContext()
	defer stop()
	if user != "" {
		return tokenForUser(ctx, io, user)
	}
	tok, code := activeToken(ctx, io)
	if tok.IsZero() {
		return code
	}
	if _, err := fmt.Fprintln(io.Stdout, tok.Reveal()); err != nil {
		return ExitFailure
	}
	return ExitOK
}

func status(io IO) int {
	if io.Settings.Token == "" {
		ctx, stop := signalContext()
		t := localServices(io).Read(ctx)
		stop()
		if t.Err == nil && t.Token.IsZero() {
			fmt.Fprintf(io.Stdout, "Not signed in. Run '%s login' to sign in.\n", io.Prog)
			return ExitNotSignedIn
		}
	}
	return withToken(io, true, func(ctx context.Context, env *app.Env, tok plextv.Token, io IO) int {
		sv := services(io, env)
		u, err := sv.Verify(ctx, tok)
		if err != nil {
			if !errors.Is(err, plextv.ErrTokenInvalid) {
				fmt.Fprintln(io.Stdout, "Signed in, but plex.tv can't be reached to check the token (it is kept).")
			}
			return explain(io, "checking the token", err)
		}
		fmt.Fprintf(io.Stdout, "Signed in as %s; plex.tv accepts the token.\n", name(u.AccountName()))
		if io.used.IsZero() {
			return ExitOK // PLEXTRAY_TOKEN
		}
		if io.account == "" {
			// Kept before plex.tv confirmed whose it is: file it under
			// its account now, as the tray does.
			if acct, err := sv.Confirm(ctx, tok, u); err == nil {
				io.account = acct
			}
		}
		if st := sv.ProfileState(io.account); st.Active != nil {
			fmt.Fprintf(io.Stdout, "Active profile: %s ('%s token' prints its token).\n", profileName(st.Active.Title), io.Prog)
		}
		return ExitOK
	})
}

func logout(io IO) int {
	ctx, stop := signalContext()
	defer stop()
	// Even without the account's token (a damaged profiles.json, an
	// earlier sign-out cut short) every plextray entry still goes.
	t := localServices(io).Read(ctx)
	env, ok := setup(io)
	if !ok {
		return ExitFailure
	}
	revokeErr, removeErr := services(io, env).SignOut(ctx, t.Token)
	switch {
	case removeErr != nil:
		io.failed("couldn't remove every token: "+keychainWords(removeErr, io.Prog), removeErr)
		return ExitFailure
	case t.Token.IsZero():
		fmt.Fprintln(io.Stderr, "Not signed in.")
		return ExitNotSignedIn
	case revokeErr != nil:
		what, _ := problem(revokeErr)
		words := "Removed the token here, but it could not be invalidated at plex.tv: " + what + "."
		fmt.Fprintln(io.Stderr, words)
		io.detail(words, revokeErr)
		return ExitOK
	}
	fmt.Fprintln(io.Stderr, "Signed out.")
	return ExitOK
}

// countdown shows the time left for a code: one updating line on a
// terminal, a plain line a minute otherwise.
type countdown struct {
	mu     sync.Mutex // one writer at a time
	io     IO
	cancel context.CancelFunc
	done   chan struct{}
}

func newCountdown(io IO) *countdown { return &countdown{io: io} }

// start counts down to expires, "Waiting for <what>… 4:59 left".
func (c *countdown) start(what string, expires time.Time) {
	c.pause()
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		every := time.Minute
		if c.io.Terminal {
			every = time.Second
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			left := time.Until(expires).Round(time.Second)
			if left < 0 {
				left = 0
			}
			msg := fmt.Sprintf("Waiting for %s… %d:%02d left", what, int(left.Minutes()), int(left.Seconds())%60)
			c.mu.Lock()
			if c.io.Terminal {
				fmt.Fprintf(c.io.Stderr, "\r%s\x1b[K", msg)
			} else {
				fmt.Fprintln(c.io.Stderr, msg)
			}
			c.mu.Unlock()
			select {
			case <-ctx.Done():
				if c.io.Terminal {
					c.mu.Lock()
					fmt.Fprint(c.io.Stderr, "\r\x1b[K")
					c.mu.Unlock()
				}
				return
			case <-t.C:
			}
		}
	}(c.done)
}

// line prints msg on a line of its own (clearing the countdown line).
func (c *countdown) line(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.io.Terminal {
		fmt.Fprintf(c.io.Stderr, "\r\x1b[K%s\n", msg)
	} else {
		fmt.Fprintln(c.io.Stderr, msg)
	}
}

func (c *countdown) pause() {
	if c.cancel != nil {
		c.cancel()
		<-c.done
		c.cancel = nil
	}
}

func (c *countdown) stop() { c.pause() }
