package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/signin"
)

func login(args []string, io IO) int {
	fs := flags("login", "login [--print] [--no-browser] [--browser] [--timeout 5m]", io)
	print := fs.Bool("print", false, "also write the token alone to stdout (all other text goes to stderr)")
	noBrowser := fs.Bool("no-browser", false, "don't open the browser; just print the link")
	oneClick := fs.Bool("browser", false, "one-click sign-in for people signed into plex.tv in their browser (no code to type)")
	timeout := fs.Duration("timeout", signin.DefaultTimeout, "give up after this long")
	return withEnv(fs, args, io, func(ctx context.Context, env *app.Env) int {
		return runLogin(ctx, env, io, *print, *noBrowser, *oneClick, *timeout)
	})
}

func runLogin(ctx context.Context, env *app.Env, io IO, print, noBrowser, oneClick bool, timeout time.Duration) int {
	// Find out before the flow whether the token can be kept.
	kctx, kcancel := callCtx(ctx)
	_, kerr := env.Keychain.Get(kctx)
	kcancel()
	keychainOK := kerr == nil || errors.Is(kerr, keychain.ErrNotFound)
	if !keychainOK && !print {
		fmt.Fprintf(io.Stderr, "tray login: %v\n%s\nUse 'tray login --print' to get the token without storing it.\n", kerr, keychain.Hint(kerr))
		return ExitFailure
	}

	method, url := signin.Code, env.LinkURL
	if oneClick {
		method, url = signin.Browser, env.AuthURL
	}
	cd := newCountdown(io)
	defer cd.stop()
	tok, err := signin.Run(ctx, env.PlexTV, signin.Options{
		Method: method, Timeout: timeout, Renew: true, URL: url,
		OnPIN: func(p signin.PIN) {
			cd.pause()
			if p.Renewed {
				fmt.Fprintln(io.Stderr, "The code expired; here is a new one.")
			}
			if method == signin.Code {
				fmt.Fprintf(io.Stderr, "Code: %s\nEnter it at: %s\n", p.Code, p.URL)
			} else {
				fmt.Fprintf(io.Stderr, "Sign in at: %s\n", p.URL)
			}
			if !noBrowser && io.OpenBrowser != nil && (!p.Renewed || method == signin.Browser) {
				if err := io.OpenBrowser(p.URL); err != nil {
					fmt.Fprintf(io.Stderr, "(couldn't open a browser: open the link yourself)\n")
				}
			}
			cd.start(p.Code, p.ExpiresAt)
		},
		OnRetry: func(err error, wait time.Duration) {
			cd.note(fmt.Sprintf("plex.tv: %v — retrying in %s", err, wait.Round(time.Second)))
		},
	})
	cd.stop()
	switch {
	case err == nil:
	case errors.Is(err, signin.ErrCancelled):
		fmt.Fprintln(io.Stderr, "Sign-in cancelled.")
		return ExitNoSignIn
	case errors.Is(err, signin.ErrTimedOut):
		fmt.Fprintf(io.Stderr, "Sign-in timed out after %s: the code was not entered.\n", timeout)
		return ExitNoSignIn
	case errors.Is(err, signin.ErrExpired):
		fmt.Fprintln(io.Stderr, "The code expired.")
		return ExitNoSignIn
	default:
		fmt.Fprintf(io.Stderr, "tray login: %v\n", err)
		return ExitFailure
	}

	stored := false
	if keychainOK {
		sctx, scancel := callCtx(ctx)
		serr := env.Keychain.Set(sctx, tok)
		scancel()
		if serr != nil {
			fmt.Fprintf(io.Stderr, "tray login: couldn't store the token: %v\n%s\n", serr, keychain.Hint(serr))
			if !print {
				return ExitFailure
			}
		} else {
			stored = true
		}
	}
	uctx, ucancel := callCtx(ctx)
	u, uerr := env.PlexTV.User(uctx, tok)
	ucancel()
	switch {
	case uerr == nil:
		fmt.Fprintf(io.Stderr, "Signed in as %s.\n", u.DisplayName())
	default:
		fmt.Fprintf(io.Stderr, "Linked, but plex.tv could not confirm the account yet (%v).\n", uerr)
	}
	if stored {
		fmt.Fprintf(io.Stderr, "Token stored in the keychain (service %q, account %q).\n", keychain.Service, keychain.Account)
	} else {
		fmt.Fprintln(io.Stderr, "Nothing was stored: no keychain is available here.")
	}
	if print {
		fmt.Fprintln(io.Stdout, tok.Reveal())
	}
	return ExitOK
}

func token(args []string, io IO) int {
	fs := flags("token", "token", io)
	return withToken(fs, args, io, false, func(_ context.Context, _ *app.Env, tok plextv.Token) int {
		fmt.Fprintln(io.Stdout, tok.Reveal())
		return ExitOK
	})
}

func status(args []string, io IO) int {
	fs := flags("status", "status", io)
	code := withToken(fs, args, io, true, func(ctx context.Context, env *app.Env, tok plextv.Token) int {
		uctx, cancel := callCtx(ctx)
		defer cancel()
		u, err := env.PlexTV.User(uctx, tok)
		if err != nil {
			if !errors.Is(err, plextv.ErrTokenInvalid) {
				fmt.Fprintln(io.Stdout, "Signed in, but plex.tv can't be reached to check the token (it is kept).")
			}
			return explain(io, "checking the token", err)
		}
		fmt.Fprintf(io.Stdout, "Signed in as %s; plex.tv accepts the token.\n", u.DisplayName())
		return ExitOK
	})
	if code == ExitNotSignedIn {
		fmt.Fprintln(io.Stdout, "Not signed in.")
	}
	return code
}

func logout(args []string, io IO) int {
	fs := flags("logout", "logout", io)
	return withToken(fs, args, io, false, func(ctx context.Context, env *app.Env, tok plextv.Token) int {
		sctx, cancel := callCtx(ctx)
		apiErr := env.PlexTV.SignOut(sctx, tok)
		cancel()
		dctx, dcancel := callCtx(ctx)
		derr := env.Keychain.Delete(dctx)
		dcancel()
		if derr != nil {
			fmt.Fprintf(io.Stderr, "tray logout: couldn't remove the token: %v\n%s\n", derr, keychain.Hint(derr))
			return ExitFailure
		}
		if apiErr != nil && !errors.Is(apiErr, plextv.ErrTokenInvalid) {
			fmt.Fprintf(io.Stderr, "Removed the token here, but plex.tv couldn't be reached to invalidate it (%v).\n", apiErr)
			return ExitOK
		}
		fmt.Fprintln(io.Stderr, "Signed out.")
		return ExitOK
	})
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

func (c *countdown) start(code string, expires time.Time) {
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
			msg := fmt.Sprintf("Waiting for code %s… %d:%02d left", code, int(left.Minutes()), int(left.Seconds())%60)
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

func (c *countdown) note(msg string) {
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
