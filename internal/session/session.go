// Package session is the controller between the UI and the logic. It owns
// the one State: a single goroutine (Run) applies every change, so clicks
// and background results meet in one place and need no locks. Network,
// keychain and desktop calls run in goroutines of their own and post their
// results back; the UI only sends commands and renders published copies.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/signin"
)

// PlexTV is the part of plextv.Client the session uses.
type PlexTV interface {
	signin.API
	User(ctx context.Context, tok plextv.Token) (*plextv.User, error)
	SignOut(ctx context.Context, tok plextv.Token) error
	Resources(ctx context.Context, tok plextv.Token) ([]plextv.Resource, error)
}

// Desktop side effects, each best-effort: a failure is shown, never fatal.
type (
	Notifier interface {
		Notify(title, body string) error
	}
	Clipboard interface {
		Copy(s string) error
		Read() (string, error)
	}
	Browser interface{ Open(url string) error }
)

// Checker probes the servers' connections; it reports progress through
// update (any goroutine) and returns when every connection has a state.
type Checker interface {
	Check(ctx context.Context, rs []plextv.Resource, update func([]Server)) ([]Server, error)
}

// Config wires a Session.
type Config struct {
	PlexTV    PlexTV
	Keychain  keychain.Store
	Notifier  Notifier
	Clipboard Clipboard
	Browser   Browser
	Checker   Checker // nil: no server checks
	Clock     clock.Clock
	Log       *slog.Logger

	// AppURL builds the one-click sign-in page for a strong code.
	AppURL func(code string) string
	// LinkURL builds the link page for a 4-character code.
	LinkURL func(code string) string

	SigninTimeout time.Duration // default 5 min
	// ClearClipboardAfter clears a copied token from the clipboard (if it
	// is still there) after this long; 0 uses 30 s, negative turns it off.
	ClearClipboardAfter time.Duration
	// ClipboardHint is set at start-up when no clipboard tool exists.
	ClipboardHint string
	// NotifyHint is set at start-up when notifications cannot work (Wine).
	NotifyHint string
	// OnChange receives a copy of the state after every change, on the
	// session's goroutine: it must not block.
	OnChange func(State)
	// OnQuit is called once Quit has stopped everything.
	OnQuit func()
	// Secret is told every token the session holds, so the log can
	// redact it wherever it appears. Optional.
	Secret func(string)
}

// Session is the controller; create with New, start with Run.
type Session struct {
	cfg   Config
	cmds  chan func()
	state State

	ctx    context.Context // the app: cancelled by Quit
	cancel context.CancelFunc
	wg     sync.WaitGroup

	token       plextv.Token
	inKeychain  bool               // token is stored in the OS keychain
	flowCancel  context.CancelFunc // running sign-in, or nil
	checkCancel context.CancelFunc // running server check, or nil
	retryCancel context.CancelFunc // pending token re-check, or nil
	retryWait   time.Duration
	clearCancel context.CancelFunc // pending clipboard clear, or nil
	checkGen    int                // identifies the latest server check
	progress    bool               // Status is a step in progress
	quitting    bool
}

const (
	callTimeout    = 15 * time.Second
	firstRecheck   = 15 * time.Second
	maxRecheck     = 5 * time.Minute
	defaultClipTTL = 30 * time.Second
)

// New returns a session in the Starting phase.
func New(cfg Config) *Session {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClearClipboardAfter == 0 {
		cfg.ClearClipboardAfter = defaultClipTTL
	}
	if cfg.OnChange == nil {
		cfg.OnChange = func(State) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Session{
		cfg:    cfg,
		cmds:   make(chan func(), 64),
		ctx:    ctx,
		cancel: cancel,
		state:  State{Phase: Starting, Status: "Checking your Plex sign-in…", ClipboardHint: cfg.ClipboardHint, NotifyHint: cfg.NotifyHint},
	}
}

// Run is the owner loop. It loads the stored token, then applies commands
// until Quit. It returns once every goroutine the session started has ended.
func (s *Session) Run() {
	s.publish()
	s.spawn(s.loadToken)
	for {
		select {
		case f := <-s.cmds:
			f()
			if s.quitting {
				s.cancel()
				s.drain()
				if s.cfg.OnQuit != nil {
					s.cfg.OnQuit()
				}
				return
			}
			s.publish()
		}
	}
}

// drain waits for the workers while still applying their posts, so none of
// them blocks on a full command channel.
func (s *Session) drain() {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-s.cmds: // results after quit are dropped
		}
	}
}

// do queues f to run on the owner goroutine. It never blocks the caller
// for long: the UI's click loop must keep receiving.
func (s *Session) do(f func()) {
	select {
	case s.cmds <- f:
	case <-s.ctx.Done():
	}
}

// spawn runs f in a tracked goroutine.
func (s *Session) spawn(f func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
}

func (s *Session) secret(tok plextv.Token) {
	if s.cfg.Secret != nil {
		s.cfg.Secret(tok.Reveal())
	}
}

func (s *Session) publish() { s.cfg.OnChange(s.state.clone()) }

func (s *Session) say(status string, problem bool) {
	s.state.Status, s.state.Problem = status, problem
	s.progress = false
}

// sayProgress shows a step that the next result replaces.
func (s *Session) sayProgress(status string) {
	s.say(status, false)
	s.progress = true
}

// Commands from the UI. Each only queues work.

// SignIn starts the PIN flow with method, unless one is running.
func (s *Session) SignIn(m signin.Method) { s.do(func() { s.startSignIn(m) }) }

// CancelSignIn stops a running flow.
func (s *Session) CancelSignIn() {
	s.do(func() {
		if s.flowCancel != nil {
			s.flowCancel()
		}
	})
}

// OpenLinkAgain opens the current code's page again.
func (s *Session) OpenLinkAgain() {
	s.do(func() {
		if s.state.Phase == SigningIn && s.state.URL != "" {
			url, code := s.state.URL, s.state.Code
			s.spawn(func() { s.openBrowser(url, code) })
		}
	})
}

// CopyCode copies the current code.
func (s *Session) CopyCode() {
	s.do(func() {
		if code := s.state.Code; code != "" {
			s.spawn(func() { s.copy(code, "Code "+code+" copied", "Couldn't copy: ") })
		}
	})
}

// CopyLink copies the current code's page URL.
func (s *Session) CopyLink() {
	s.do(func() {
		if url := s.state.URL; url != "" {
			s.spawn(func() { s.copy(url, "Link copied", "Couldn't copy: ") })
		}
	})
}

// CopyToken copies the token, and clears it from the clipboard later
// (unless ClearClipboardAfter is negative).
func (s *Session) CopyToken() {
	s.do(func() {
		if s.token.IsZero() {
			return
		}
		tok := s.token
		if s.clearCancel != nil {
			s.clearCancel()
			s.clearCancel = nil
		}
		ttl := s.cfg.ClearClipboardAfter
		msg := "Token copied"
		ctx := s.ctx
		if ttl > 0 {
			msg = fmt.Sprintf("Token copied; clipboard clears in %s", ttl.Round(time.Second))
			ctx, s.clearCancel = context.WithCancel(s.ctx)
		}
		s.spawn(func() {
			if !s.copy(tok.Reveal(), msg, "Couldn't copy the token: ") || ttl <= 0 {
				return
			}
			if s.sleep(ctx, ttl) {
				s.clearClipboard(tok.Reveal())
			}
		})
	})
}

// CopyText copies text (a server URI) and says what was copied.
func (s *Session) CopyText(text, what string) {
	s.do(func() { s.spawn(func() { s.copy(text, what+" copied", "Couldn't copy: ") }) })
}

// SignOut signs out at plex.tv and removes the stored token.
func (s *Session) SignOut() { s.do(s.signOut) }

// CheckServers runs the reachability check again.
func (s *Session) CheckServers() { s.do(s.startCheck) }

// Quit stops every flow and check; Run returns afterwards.
func (s *Session) Quit() {
	select {
	case s.cmds <- func() { s.quitting = true }:
	case <-s.ctx.Done():
	}
}

// ——— start-up ———

func (s *Session) loadToken() {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	defer cancel()
	tok, err := s.cfg.Keychain.Get(ctx)
	s.do(func() {
		switch {
		case err == nil:
			s.secret(tok)
			s.token, s.inKeychain = tok, true
			s.state.Phase = SignedIn
			s.state.Unverified = true
			s.sayProgress("Checking your token with plex.tv…")
			s.spawn(func() { s.verify(tok) })
		case errors.Is(err, keychain.ErrNotFound):
			s.state.Phase = SignedOut
			s.say("", false)
		default:
			s.cfg.Log.Warn("keychain unavailable", "err", err)
			s.state.Phase = SignedOut
			s.state.KeychainHint = keychain.Hint(err)
			s.say("Keychain unavailable: "+keychain.Hint(err), true)
		}
	})
}

// verify asks plex.tv who the token belongs to: 200 → signed in; 401 →
// revoked, removed; anything else → kept, asked again later.
func (s *Session) verify(tok plextv.Token) {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	u, err := s.cfg.PlexTV.User(ctx, tok)
	cancel()
	s.do(func() {
		if s.token != tok || s.state.Phase != SignedIn {
			return // signed out or in again meanwhile
		}
		switch {
		case err == nil:
			s.state.Username = u.DisplayName()
			s.state.Unverified = false
			s.retryWait = 0
			if s.state.Problem || s.progress {
				s.say("", false)
			}
			s.startCheck()
		case errors.Is(err, plextv.ErrTokenInvalid):
			s.cfg.Log.Info("stored token rejected by plex.tv; removing it")
			s.dropToken()
			s.say("Plex revoked your token — sign in again.", true)
			s.notify("Signed out of Plex", "Your token was revoked or expired. Sign in again from the tray.")
		case s.ctx.Err() != nil:
		default:
			s.cfg.Log.Warn("plex.tv unreachable; keeping the token", "err", err)
			s.scheduleRecheck(err)
		}
	})
}

// scheduleRecheck keeps the token and asks plex.tv again with backoff.
func (s *Session) scheduleRecheck(err error) {
	if s.retryCancel != nil {
		s.retryCancel()
	}
	s.retryWait = min(max(2*s.retryWait, firstRecheck), maxRecheck)
	if ra := plextv.RetryAfter(err); ra > s.retryWait {
		s.retryWait = ra
	}
	s.state.Unverified = true
	s.say(fmt.Sprintf("plex.tv unreachable (%s) — token kept, retrying in %s", short(err), s.retryWait), true)
	ctx, cancel := context.WithCancel(s.ctx)
	s.retryCancel = cancel
	wait, tok := s.retryWait, s.token
	s.spawn(func() {
		if s.sleep(ctx, wait) {
			s.verify(tok)
		}
	})
}

// ——— sign-in ———

func (s *Session) startSignIn(m signin.Method) {
	if s.state.Phase == SigningIn || s.state.Phase == Starting {
		return // one flow at a time
	}
	if s.state.Phase == SignedIn {
		return // sign out first
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.flowCancel = cancel
	s.state.Phase = SigningIn
	s.state.Method = m
	s.state.Code, s.state.URL, s.state.CodeExpires = "", "", time.Time{}
	s.sayProgress("Asking plex.tv for a code…")
	url := s.cfg.LinkURL
	if m == signin.Browser {
		url = s.cfg.AppURL
	}
	opts := signin.Options{
		Method:  m,
		Timeout: s.cfg.SigninTimeout,
		Renew:   true,
		Clock:   s.cfg.Clock,
		URL:     url,
		OnPIN:   func(p signin.PIN) { s.do(func() { s.showPIN(p) }) },
		OnRetry: func(err error, wait time.Duration) {
			s.do(func() {
				s.say(fmt.Sprintf("plex.tv unreachable (%s) — still waiting, next try in %s", short(err), wait.Round(time.Second)), true)
			})
		},
	}
	s.spawn(func() {
		tok, err := signin.Run(ctx, s.cfg.PlexTV, opts)
		cancel()
		s.do(func() { s.signInDone(tok, err) })
	})
}

func (s *Session) showPIN(p signin.PIN) {
	if s.state.Phase != SigningIn {
		return
	}
	s.state.Code, s.state.URL, s.state.CodeExpires = p.Code, p.URL, p.ExpiresAt
	if p.Renewed {
		s.say("The code expired; here is a new one: "+p.Code, false)
	} else {
		s.say("Waiting for you to enter the code…", false)
	}
	method := s.state.Method
	s.spawn(func() {
		// The link page stays the same when a code is renewed; the
		// one-click page carries the code, so it opens again.
		if !p.Renewed || method == signin.Browser {
			s.openBrowser(p.URL, p.Code)
		}
		title, body := "Plex sign-in code: "+p.Code, "Enter it at "+p.URL+" (it is on your clipboard)."
		if method == signin.Browser {
			title, body = "Sign in to Plex in your browser", "Click \"Sign in\" on the Plex page that opened."
		} else if err := s.copyRaw(p.Code); err != nil {
			body = "Enter it at " + p.URL
		}
		if p.Renewed {
			title = "New code — " + title
		}
		s.notify(title, body)
	})
}

func (s *Session) signInDone(tok plextv.Token, err error) {
	s.flowCancel = nil
	if s.quitting || s.state.Phase != SigningIn {
		return
	}
	s.state.Code, s.state.URL, s.state.CodeExpires = "", "", time.Time{}
	switch {
	case err == nil:
		s.secret(tok)
		s.token = tok
		s.state.Phase = SignedIn
		s.state.Unverified = true
		s.state.Username = ""
		s.sayProgress("Linked — saving your token…")
		s.spawn(func() { s.store(tok) })
	case errors.Is(err, signin.ErrCancelled):
		s.state.Phase = SignedOut
		s.say("Sign-in cancelled.", false)
	case errors.Is(err, signin.ErrTimedOut):
		s.state.Phase = SignedOut
		s.say("Sign-in timed out — nobody entered the code. Try again.", true)
		s.notify("Plex sign-in timed out", "The code was not entered in time. Click \"Sign in to Plex…\" to try again.")
	case errors.Is(err, signin.ErrExpired):
		s.state.Phase = SignedOut
		s.say("The code expired. Try again.", true)
	default:
		s.state.Phase = SignedOut
		s.say("Couldn't start sign-in: "+short(err), true)
		s.notify("Plex sign-in failed", "Couldn't reach plex.tv: "+short(err))
	}
}

// store saves the token in the keychain; without one the token is kept
// in memory for this run.
func (s *Session) store(tok plextv.Token) {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	err := s.cfg.Keychain.Set(ctx, tok)
	cancel()
	s.do(func() {
		if s.token != tok {
			return
		}
		if err != nil {
			s.cfg.Log.Warn("keychain unavailable; token kept in memory", "err", err)
			s.inKeychain = false
			s.state.KeychainHint = keychain.Hint(err)
		} else {
			s.inKeychain = true
			s.state.KeychainHint = ""
		}
		s.spawn(func() {
			s.verify(tok)
			s.do(func() {
				if s.token != tok || s.state.Username == "" {
					return
				}
				body := "Your token is in the keychain."
				if !s.inKeychain {
					body = "The keychain is unavailable, so the token is kept only until you quit. " + s.state.KeychainHint
					s.say("Token not saved: keychain unavailable", true)
				}
				s.notify("Signed in as "+s.state.Username, body)
			})
		})
	})
}

// ——— sign-out ———

func (s *Session) signOut() {
	if s.state.Phase != SignedIn {
		return
	}
	tok := s.token
	s.dropToken()
	s.sayProgress("Signing out…")
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
		apiErr := s.cfg.PlexTV.SignOut(ctx, tok)
		cancel()
		s.do(func() {
			if apiErr != nil && !errors.Is(apiErr, plextv.ErrTokenInvalid) {
				s.say("Signed out here; plex.tv couldn't be reached, so the token may stay valid there ("+short(apiErr)+").", true)
			} else if !s.state.Problem || s.progress {
				s.say("Signed out.", false)
			}
		})
	})
}

// dropToken forgets the token here and in the keychain.
func (s *Session) dropToken() {
	s.stopChecks()
	s.token = ""
	s.state.Phase = SignedOut
	s.state.Username, s.state.Unverified = "", false
	s.state.Servers = Servers{}
	inKeychain := s.inKeychain
	s.inKeychain = false
	if !inKeychain && s.state.KeychainHint != "" {
		return
	}
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
		err := s.cfg.Keychain.Delete(ctx)
		cancel()
		if err != nil {
			s.do(func() { s.say("Couldn't remove the token from the keychain: "+keychain.Hint(err), true) })
		}
	})
}

func (s *Session) stopChecks() {
	for _, c := range []*context.CancelFunc{&s.checkCancel, &s.retryCancel, &s.clearCancel} {
		if *c != nil {
			(*c)()
			*c = nil
		}
	}
	s.retryWait = 0
}

// ——— helpers run off the owner goroutine ———

func (s *Session) sleep(ctx context.Context, d time.Duration) bool {
	c, stop := s.cfg.Clock.After(d)
	defer stop()
	select {
	case <-c:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Session) notify(title, body string) {
	if s.cfg.Notifier == nil {
		return
	}
	s.spawn(func() {
		if err := s.cfg.Notifier.Notify(title, body); err != nil {
			s.cfg.Log.Info("notification not shown", "err", err)
		}
	})
}

func (s *Session) openBrowser(url, code string) {
	if s.cfg.Browser == nil {
		return
	}
	if err := s.cfg.Browser.Open(url); err != nil {
		s.cfg.Log.Info("browser not opened", "err", err)
		s.do(func() {
			if s.state.Phase == SigningIn {
				s.say("Couldn't open a browser: open "+url+" yourself"+codeHint(code), true)
			}
		})
	}
}

func codeHint(code string) string {
	if len(code) == 4 {
		return " and enter " + code
	}
	return ""
}

func (s *Session) copyRaw(text string) error {
	if s.cfg.Clipboard == nil {
		return errors.New("no clipboard")
	}
	return s.cfg.Clipboard.Copy(text)
}

// copy puts text on the clipboard and says done, or failed followed by
// the error (desktop errors already end with what to install).
func (s *Session) copy(text, done, failed string) bool {
	if err := s.copyRaw(text); err != nil {
		s.do(func() { s.say(failed+err.Error(), true) })
		return false
	}
	s.do(func() { s.say(done, false) })
	return true
}

// clearClipboard empties the clipboard if it still holds text; something
// copied since is left alone. Either way the "clears in …" note goes.
func (s *Session) clearClipboard(text string) {
	if s.cfg.Clipboard == nil {
		return
	}
	status := ""
	if cur, err := s.cfg.Clipboard.Read(); err == nil && cur == text {
		if err := s.cfg.Clipboard.Copy(""); err == nil {
			status = "Token cleared from the clipboard."
		}
	}
	s.do(func() {
		if strings.HasPrefix(s.state.Status, "Token copied") {
			s.say(status, false)
		}
	})
}

// short is an error in a few words for the menu.
func short(err error) string {
	var se *plextv.StatusError
	var ne *plextv.NetworkError
	var de *plextv.DecodeError
	switch {
	case errors.As(err, &se) && se.StatusCode == 429:
		return "rate limited"
	case errors.As(err, &se):
		return fmt.Sprintf("HTTP %d", se.StatusCode)
	case errors.As(err, &de):
		return "bad answer"
	case errors.As(err, &ne) && errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &ne):
		msg := ne.Err.Error()
		if len(msg) > 60 {
			msg = msg[:60] + "…"
		}
		return msg
	}
	return err.Error()
}
