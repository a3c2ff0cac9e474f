// Package core is plextray's one UI-free core: it owns every use-case
// (sign in by code or browser, renew, cancel, verify, store, sign out, the
// server check, the autostart setting) and the one State.
//
// Shape: front ends send commands (methods on *Core) and receive State
// copies through Config.OnChange. Commands and the results of background
// work are typed messages on one channel; one goroutine (Run) applies
// each in one switch (apply), so nothing else owns state and nothing needs
// a lock. Network, keychain, clipboard, browser and file work runs in
// tracked worker goroutines and posts a result message back; nothing does
// I/O on the owner goroutine. The State holds kinds and errors, never
// sentences: the tray and the command line word them, each in one place.
//
// The same use-cases are plain calls on Services, for the command line.
package core

import (
	"context"
	"errors"
	"github.com/plextray/plextray/internal/localpage"
	"log/slog"
	"sync"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
	"github.com/plextray/plextray/internal/tooltokens"
)

// Desktop side effects, each best-effort: a failure is shown, never fatal.
type (
	// Notifier shows a notification about n; the front end words it.
	Notifier interface {
		Notify(n Notice, s State) error
	}
	Clipboard interface {
		Copy(s string) error
		Read() (string, error)
	}
	Browser interface{ Open(url string) error }
	// AutostartSetting is "start at login" on this system.
	AutostartSetting interface {
		Enabled() (bool, error)
		Enable() error
		Disable() error
	}
)

// Config wires a Core.
type Config struct {
	Services

	Notifier  Notifier         // nil: no notifications
	Clipboard Clipboard        // nil: copying fails
	Browser   Browser          // nil: never opens one
	Autostart AutostartSetting // nil: not supported
	// Pages serves the PIN page (and keeps its launch files); nil:
	// localpage.Shared(), the process's one server.
	Pages *localpage.Server
	Log   *slog.Logger

	// ClearClipboardAfter clears a copied token from the clipboard (if it
	// is still there) after this long; 0 uses 30 s, negative turns it off.
	ClearClipboardAfter time.Duration
	// ClipboardErr is set at start-up when no clipboard tool exists.
	ClipboardErr error
	// NotifyErr is set at start-up when notifications can't work (Wine).
	NotifyErr error
	// OnChange receives a copy of the state after every change, on the
	// core's goroutine: it must not block.
	OnChange func(State)
	// OnQuit is called once Quit has stopped everything.
	OnQuit func()
	// Secret is told every token the core holds, so the log can redact
	// it wherever it appears. Optional.
	Secret func(string)

	// Changes, when set, reports (with the core's context) that the
	// keychain or the config folder may have changed: the core reads them
	// again and follows (truth.go). Nil: read once at start.
	Changes func(context.Context) <-chan struct{}

	// KeepAliveEvery is how often plex.tv is pinged while signed in
	// (keepalive.go); 0 is KeepAliveEvery (a day), negative turns it off.
	KeepAliveEvery time.Duration

	// MakeTool makes a tool's token at plex.tv, linked with tok, and
	// its record (tooltokens.Maker.Make); nil: "New token for a tool…"
	// says it is not available.
	MakeTool func(ctx context.Context, tok plextv.Token, name string) (plextv.Token, tooltokens.Tool, error)

	// Watch, when set, starts the source of re-check triggers (network
	// change, wake, idle); it is called on each sign-in, with a context
	// that ends on leaving SignedIn (serverwatch.go).
	Watch func(context.Context) Watch
	// LastCheck, when set, shares each finished server check with the
	// command line (the config folder's lastcheck.json) and clears it
	// when the check stops being current: a network change, a wake, a
	// sign-out. Only the tray that holds lastcheck.TrayLock has one; its
	// Run is the caller's.
	LastCheck *lastcheck.Keeper
}

// Core owns the State; create with New, start with Run.
type Core struct {
	cfg   Config
	clk   clock.Clock
	msgs  chan msg
	state State

	ctx    context.Context // the app: cancelled by Quit
	cancel context.CancelFunc
	wg     sync.WaitGroup

	token       plextv.Token
	acct        string             // the account's plex.tv uuid; "" unconfirmed
	flowCancel  context.CancelFunc // running sign-in, or nil
	checkCancel context.CancelFunc // running server check, or nil
	retryCancel context.CancelFunc // pending token re-check, or nil
	retryWait   time.Duration
	clearCancel context.CancelFunc // pending clipboard clear, or nil
	clearing    plextv.Token       // what that clear will clear
	checkGen    int                // identifies the latest server check
	quitting    bool
	prof        profileRun // Plex Home profiles (home.go)

	// The shared truth (truth.go): the core's own changes to the keychain
	// and the config folder, queued and run one at a time; whether one
	// runs; the generation that changes' start and end advance (a read
	// from an older one is stale); whether a read runs or is due.
	writes    []func(context.Context) msg
	writing   bool
	truthGen  int
	reading   bool
	reloadDue bool

	// The server list (serverwatch.go): the running or last check's
	// table, whether it was replaced since the last publish, the last
	// finished check's list and when each server was last notified.
	table      *servers.Table
	allChanged bool
	lastList   []servers.Server
	notifiedAt map[string]time.Time
	watch      Watch
	watchStop  context.CancelFunc // stops watch; nil while not signed in

	toolsAcct string // the key of the account's tools (tooltokens.go); "" until plex.tv confirmed the token

	keepAliveCancel context.CancelFunc // the daily ping's timer while signed in (keepalive.go), or nil
}

const (
	firstRecheck   = 15 * time.Second
	maxRecheck     = 5 * time.Minute
	defaultClipTTL = 30 * time.Second
)

// New returns a core in the Starting phase.
func New(cfg Config) *Core {
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
	return &Core{
		cfg:    cfg,
		clk:    cfg.Services.clock(),
		msgs:   make(chan msg, 64),
		ctx:    ctx,
		cancel: cancel,
		state: State{
			Phase:     Starting,
			Notice:    Notice{Kind: NoticeVerifying},
			Clipboard: cfg.ClipboardErr,

			Notifications: cfg.NotifyErr,
			Autostart:     Autostart{Supported: cfg.Autostart != nil, Busy: cfg.Autostart != nil},
		},
	}
}

// ——— messages ———

// msg is a command from a front end or a worker's result.
type msg interface{ isMsg() }

type (
	// Commands.
	cmdSignIn    struct{ method signin.Method }
	cmdCancel    struct{}
	cmdOpenLink  struct{}
	cmdCopyCode  struct{}
	cmdCopyLink  struct{}
	cmdCopyToken struct{}
	cmdCopyText  struct {
		text string
		what Copied
	}
	cmdSignOut   struct{}
	cmdCheck     struct{}
	cmdAutostart struct{}
	cmdRetry     struct{}
	cmdQuit      struct{}

	// Results.
	verified struct {
		tok  plextv.Token
		user *plextv.User
		err  error
	}
	recheckDue  struct{ tok plextv.Token }
	pinShown    struct{ pin signin.PIN }
	signInRetry struct {
		err  error
		wait time.Duration
	}
	signInDone struct {
		tok plextv.Token
		err error
	}
	checkPlan struct {
		gen  int
		list []servers.Server
	}
	checkStep struct {
		gen int
		ev  servers.Event
	}
	checkDone struct {
		gen  int
		list []servers.Server
		err  error
		// for lastcheck: on which network, for whose token
		network string
		acct    string
		profile string
	}
	copied struct {
		what Copied
		text string // what was copied, when it is no secret
		ttl  time.Duration
		err  error
	}
	clipCleared   struct{ cleared bool }
	browserFailed struct{ err error }
	autostartRead struct {
		on  bool
		err error
	}
	autostartSet struct {
		on  bool
		err error
	}
)

func (cmdSignIn) isMsg()     {}
func (cmdCancel) isMsg()     {}
func (cmdOpenLink) isMsg()   {}
func (cmdCopyCode) isMsg()   {}
func (cmdCopyLink) isMsg()   {}
func (cmdCopyToken) isMsg()  {}
func (cmdCopyText) isMsg()   {}
func (cmdSignOut) isMsg()    {}
func (cmdCheck) isMsg()      {}
func (cmdAutostart) isMsg()  {}
func (cmdRetry) isMsg()      {}
func (cmdQuit) isMsg()       {}
func (verified) isMsg()      {}
func (recheckDue) isMsg()    {}
func (pinShown) isMsg()      {}
func (signInRetry) isMsg()   {}
func (signInDone) isMsg()    {}
func (checkPlan) isMsg()     {}
func (checkStep) isMsg()     {}
func (checkDone) isMsg()     {}
func (copied) isMsg()        {}
func (clipCleared) isMsg()   {}
func (browserFailed) isMsg() {}
func (autostartRead) isMsg() {}
func (autostartSet) isMsg()  {}

// ——— commands from front ends; each only queues a message ———

// SignIn starts the PIN flow with method m, unless one is running or a
// token is held.
func (c *Core) SignIn(m signin.Method) { c.post(cmdSignIn{m}) }

// CancelSignIn stops a running flow.
func (c *Core) CancelSignIn() { c.post(cmdCancel{}) }

// OpenLinkAgain opens the current code's page again.
func (c *Core) OpenLinkAgain() { c.post(cmdOpenLink{}) }

// CopyCode copies the current code.
func (c *Core) CopyCode() { c.post(cmdCopyCode{}) }

// CopyLink copies the current code's page.
func (c *Core) CopyLink() { c.post(cmdCopyLink{}) }

// CopyToken copies the token, and clears it from the clipboard later
// (unless ClearClipboardAfter is negative).
func (c *Core) CopyToken() { c.post(cmdCopyToken{}) }

// CopyText copies text (a server or connection URI) and says what was
// copied.
func (c *Core) CopyText(text string, what Copied) { c.post(cmdCopyText{text, what}) }

// SignOut signs out at plex.tv and removes the stored token.
func (c *Core) SignOut() { c.post(cmdSignOut{}) }

// CheckServers runs the server check again (a newer check cancels a
// running one).
func (c *Core) CheckServers() { c.post(cmdCheck{}) }

// ToggleAutostart turns "start at login" on or off.
func (c *Core) ToggleAutostart() { c.post(cmdAutostart{}) }

// Retry reads the keychain again (after it was locked or unavailable).
func (c *Core) Retry() { c.post(cmdRetry{}) }

// Quit stops every flow and check; Run returns afterwards.
func (c *Core) Quit() { c.post(cmdQuit{}) }

// ——— the owner loop ———

// Run is the owner loop: it loads the stored token, then applies
// messages until Quit. It returns once every worker has ended.
func (c *Core) Run() {
	c.startServerWatch()
	c.startFollowing()
	c.publish()
	c.reload()
	if a := c.cfg.Autostart; a != nil {
		c.spawn(func() {
			on, err := a.Enabled()
			c.post(autostartRead{on, err})
		})
	}
	for m := range c.msgs {
		c.apply(m)
		c.applyQueued()
		if c.quitting {
			c.cancel()
			c.drain()
			if c.cfg.OnQuit != nil {
				c.cfg.OnQuit()
			}
			return
		}
		c.followWatch()
		c.syncKeepAlive()
		c.publish()
	}
}

// maxBatch bounds the messages applied between two publishes, so that a
// steady stream of them cannot hold the State back for long.
const maxBatch = 1024

// applyQueued applies the messages already queued (up to maxBatch), so
// that a burst of them (a check's probe results) is published as one
// State, not one State each.
func (c *Core) applyQueued() {
	for range maxBatch {
		if c.quitting {
			return
		}
		select {
		case m := <-c.msgs:
			c.apply(m)
		default:
			return
		}
	}
}

// post queues m for the owner goroutine. After Quit it is dropped.
func (c *Core) post(m msg) {
	select {
	case c.msgs <- m:
	case <-c.ctx.Done():
	}
}

// drain waits for the workers while still taking their posts, so none of
// them blocks on a full channel.
func (c *Core) drain() {
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-c.msgs: // results after quit are dropped
		}
	}
}

// spawn runs f in a tracked worker goroutine.
func (c *Core) spawn(f func()) {
	c.wg.Add(1)
	go func() { defer c.wg.Done(); f() }()
}

// publish hands the front end a copy of the State. The server list is the
// table's snapshot (a pointer per server) and Changed the servers changed
// since the last publish, so this costs O(servers changed), not O(all).
func (c *Core) publish() {
	sv := &c.state.Servers
	sv.Changed, sv.AllChanged = nil, c.allChanged
	if c.table != nil {
		sv.List = c.table.Snapshot()
		sv.Changed = c.table.Dirty()
		sv.Counts = c.table.Counts()
	} else {
		sv.List, sv.Counts = servers.Snapshot{}, servers.Counts{}
	}
	c.allChanged = false
	c.state.Now = c.clk.Now()
	c.cfg.OnChange(c.state.clone())
}

// say sets the notice.
func (c *Core) say(n Notice) {
	n.Seq = c.state.Notice.Seq + 1
	c.state.Notice = n
}

func (c *Core) sayKind(k NoticeKind) { c.say(Notice{Kind: k}) }

// apply is the one place State changes.
func (c *Core) apply(m msg) {
	if c.applyTruth(m) || c.applyHome(m) || c.applyServers(m) || c.applyKeepAlive(m) || c.applyTools(m) || c.applyToolTokens(m) {
		return
	}
	switch m := m.(type) {
	case cmdQuit:
		c.quitting = true
		if c.clearCancel != nil {
			// Don't leave a copied token behind: clear it now (if the
			// clipboard still holds it) rather than after the delay.
			c.clearCancel()
			c.clearCancel = nil
			tok := c.clearing
			c.spawn(func() { c.clearClipboard(tok.Reveal()) })
		}
	case cmdSignIn:
		c.startSignIn(m.method)
	case cmdCancel:
		if c.flowCancel != nil {
			c.flowCancel()
		}
	case cmdOpenLink:
		if c.state.Phase == SigningIn && c.state.URL != "" {
			url := c.state.URL
			c.spawn(func() { c.openBrowser(url) })
		}
	case cmdCopyCode:
		if code := c.state.Code; code != "" {
			c.spawn(func() { c.post(copied{what: CopiedCode, text: code, err: c.copy(code)}) })
		}
	case cmdCopyLink:
		if url := c.state.URL; url != "" {
			c.spawn(func() { c.post(copied{what: CopiedLink, text: url, err: c.copy(url)}) })
		}
	case cmdCopyText:
		c.spawn(func() { c.post(copied{what: m.what, text: m.text, err: c.copy(m.text)}) })
	case cmdCopyToken:
		c.copyToken()
	case cmdSignOut:
		c.signOut()
	case cmdCheck:
		c.startCheck()
	case cmdAutostart:
		c.toggleAutostart()
	case cmdRetry:
		if c.state.Phase == Locked || (c.state.Phase == SignedOut && c.state.Keychain != nil) {
			c.state.Phase = Starting
			c.sayKind(NoticeVerifying)
			c.reload()
		}

	case verified:
		c.verified(m)
	case recheckDue:
		if c.token == m.tok && c.state.Phase == SignedIn {
			tok := m.tok
			c.spawn(func() { c.verify(tok) })
		}
	case pinShown:
		c.showPIN(m.pin)
	case signInRetry:
		if c.state.Phase == SigningIn {
			c.say(Notice{Kind: NoticeSignInRetrying, Err: m.err, Wait: m.wait})
		}
	case signInDone:
		c.signInDone(m.tok, m.err)
	case checkPlan:
		if m.gen == c.checkGen {
			c.table, c.allChanged = servers.NewTable(m.list), true
			c.state.Servers.Err = nil // plex.tv answered
		}
	case checkStep:
		if m.gen == c.checkGen && c.table != nil {
			c.table.Apply(m.ev) // O(that server); ignored if it does not fit
		}
	case checkDone:
		c.checkDone(m)
	case copied:
		c.copiedDone(m)
	case clipCleared:
		if c.state.Notice.Kind == NoticeTokenCopied {
			if m.cleared {
				c.sayKind(NoticeTokenCleared)
			} else {
				c.sayKind(NoticeNone)
			}
		}
	case browserFailed:
		if c.state.Phase == SigningIn {
			c.say(Notice{Kind: NoticeBrowserFailed, Err: m.err})
		}
	case autostartRead:
		c.state.Autostart.Busy = false
		if m.err != nil {
			c.cfg.Log.Info("autostart unknown", "err", m.err)
			c.state.Autostart.Supported = false
		}
		c.state.Autostart.On = m.on
	case autostartSet:
		c.state.Autostart.Busy = false
		c.state.Autostart.On = m.on
		if m.err != nil {
			c.cfg.Log.Warn("autostart toggle failed", "err", m.err)
			c.say(Notice{Kind: NoticeAutostartFailed, Err: m.err})
		}
	}
}

// ——— verification ———

// verify asks plex.tv whose token tok is, off the owner goroutine.
func (c *Core) verify(tok plextv.Token) {
	u, err := c.cfg.Services.Verify(c.ctx, tok)
	c.post(verified{tok, u, err})
}

// verified: 200 → signed in; 401 → revoked, removed; anything else → kept,
// asked again later.
func (c *Core) verified(m verified) {
	if c.token != m.tok || c.state.Phase != SignedIn {
		return // signed out or in again meanwhile
	}
	switch {
	case m.err == nil:
		first := c.state.Username == ""
		c.state.Username, c.state.Name = m.user.DisplayName(), m.user.AccountName()
		c.state.Unverified = false
		c.retryWait = 0
		if c.state.Notice.Kind == NoticeSaving {
			c.sayKind(NoticeSignedIn)
			c.notify()
		} else if c.state.Notice.Problem() || c.state.Notice.Progress() {
			c.sayKind(NoticeNone)
		}
		if c.acct == "" && c.state.Stored && m.user.UUID != "" {
			c.confirm(m.tok, m.user)
		}
		c.accountVerified(m.user)
		c.toolsAcct = toolsAccount(m.user)
		c.loadTools()
		if first || c.state.Servers.Checked.IsZero() {
			c.startCheck()
		}
	case errors.Is(m.err, plextv.ErrTokenInvalid):
		c.rejectToken()
	case c.ctx.Err() != nil:
	default:
		c.cfg.Log.Warn("plex.tv unreachable; keeping the token", "err", m.err)
		c.scheduleRecheck(m.err)
	}
}

// scheduleRecheck keeps the token and asks plex.tv again with backoff.
func (c *Core) scheduleRecheck(err error) {
	if c.retryCancel != nil {
		c.retryCancel()
	}
	c.retryWait = min(max(2*c.retryWait, firstRecheck), maxRecheck)
	if ra := plextv.RetryAfter(err); ra > c.retryWait {
		c.retryWait = ra
	}
	c.state.Unverified = true
	c.say(Notice{Kind: NoticeUnreachable, Err: err, Wait: c.retryWait})
	ctx, cancel := context.WithCancel(c.ctx)
	c.retryCancel = cancel
	wait, tok := c.retryWait, c.token
	c.spawn(func() {
		if c.sleep(ctx, wait) {
			c.post(recheckDue{tok})
		}
	})
}

// ——— sign-in ———

func (c *Core) startSignIn(m signin.Method) {
	switch c.state.Phase {
	case SignedOut, Locked:
	default:
		return // one flow at a time; sign out first
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.flowCancel = cancel
	c.state.Phase = SigningIn
	c.state.Method = m
	c.state.Code, c.state.URL, c.state.CodeExpires = "", "", time.Time{}
	c.sayKind(NoticeAskingCode)
	c.spawn(func() {
		tok, err := c.cfg.Services.SignIn(ctx, m,
			func(p signin.PIN) { c.post(pinShown{p}) },
			func(err error, wait time.Duration) { c.post(signInRetry{err, wait}) })
		cancel()
		c.post(signInDone{tok, err})
	})
}

func (c *Core) showPIN(p signin.PIN) {
	if c.state.Phase != SigningIn {
		return
	}
	c.state.Code, c.state.URL, c.state.CodeExpires = p.Code, p.URL, p.ExpiresAt
	kind := NoticeWaitingCode
	if p.Renewed {
		kind = NoticeCodeRenewed
	}
	c.sayKind(kind)
	n, st := c.state.Notice, c.state.clone()
	method := c.state.Method
	c.spawn(func() {
		// The link page stays the same when a code is renewed; the
		// one-click page carries the code, so it opens again.
		if p.OpenBrowser(method) {
			c.openBrowser(p.URL)
		}
		if method == signin.Code && c.copy(p.Code) == nil {
			n.What = CopiedCode // the code is on the clipboard
		}
		c.notifyNow(n, st)
	})
}

func (c *Core) signInDone(tok plextv.Token, err error) {
	c.flowCancel = nil
	if c.state.Phase != SigningIn {
		return
	}
	c.state.Code, c.state.URL, c.state.CodeExpires = "", "", time.Time{}
	switch {
	case err == nil:
		c.secret(tok)
		c.token, c.acct = tok, ""
		c.state.Phase = SignedIn
		c.state.Unverified, c.state.Stored = true, false
		c.state.Username, c.state.Name = "", ""
		c.sayKind(NoticeSaving)
		// Stored after any sign-out still removing tokens (writes run in
		// order), so that removal cannot take the new token with it.
		c.write(func(ctx context.Context) msg { return kept{tok, c.cfg.Services.Keep(ctx, tok)} })
		return
	case errors.Is(err, signin.ErrCancelled):
		c.sayKind(NoticeCancelled)
	case errors.Is(err, signin.ErrTimedOut):
		c.sayKind(NoticeTimedOut)
		c.notify()
	case errors.Is(err, signin.ErrExpired):
		c.sayKind(NoticeExpired)
	default:
		c.cfg.Log.Warn("sign-in failed", "err", err)
		c.say(Notice{Kind: NoticeSignInFailed, Err: err})
		c.notify()
	}
	c.state.Phase = SignedOut
	if c.state.Keychain != nil && errors.Is(c.state.Keychain, keychain.ErrLocked) {
		c.state.Phase = Locked
	}
}

// confirm moves a token kept under the unconfirmed account's entry
// (stored by an earlier version, or while plex.tv could not be asked)
// under its account's, now that plex.tv said whose it is.
//
// Changes queued after it run after it, so they already name the
// account (c.acct); if it fails, the account is unconfirmed again.
func (c *Core) confirm(tok plextv.Token, u *plextv.User) {
	c.acct = u.UUID
	c.write(func(ctx context.Context) msg {
		acct, err := c.cfg.Services.Confirm(ctx, tok, u)
		return confirmed{tok, acct, err}
	})
}

// ——— sign-out ———

// signOut forgets the token here at once; the keychain entries (every
// plextray entry) and plex.tv follow in a write (Services.SignOut).
func (c *Core) signOut() {
	if c.state.Phase != SignedIn {
		return
	}
	tok, stored := c.token, c.state.Stored
	c.forgetToken()
	c.sayKind(NoticeSigningOut)
	c.write(func(ctx context.Context) msg {
		revokeErr, removeErr := c.cfg.Services.SignOut(ctx, tok)
		return signedOut{stored, revokeErr, removeErr}
	})
}

// forgetToken forgets the token here and stops everything that used it.
// A pending clipboard clear is left to run: the copied token must not
// stay on the clipboard because the person signed out.
func (c *Core) forgetToken() {
	for _, cf := range []*context.CancelFunc{&c.checkCancel, &c.retryCancel} {
		if *cf != nil {
			(*cf)()
			*cf = nil
		}
	}
	c.retryWait = 0
	c.checkGen++
	c.token, c.acct, c.toolsAcct = "", "", ""
	c.state.Tools = Tools{}
	c.state.Phase = SignedOut
	c.state.Username, c.state.Name, c.state.Unverified, c.state.Stored = "", "", false, false
	c.state.Servers = Servers{Notify: c.state.Servers.Notify}
	c.table, c.allChanged, c.lastList = nil, true, nil
	c.resetProfiles()
	if c.cfg.LastCheck != nil {
		c.cfg.LastCheck.Clear()
	}
}

// shareCheck gives a finished check to the command line (Config.LastCheck)
// when plex.tv has confirmed whose token it was.
func (c *Core) shareCheck(m checkDone) {
	if c.cfg.LastCheck == nil || m.acct == "" || m.acct != c.acct || m.network == "" {
		return
	}
	c.cfg.LastCheck.Put(lastcheck.Record{
		Account: m.acct, Profile: m.profile, Network: m.network,
		Checked: c.state.Servers.Checked, Servers: lastcheck.FromCheck(m.list),
	})
}

// ——— servers ———

// startCheck lists the account's servers and probes them; progress
// replaces the list in place. A newer check cancels the older one.
func (c *Core) startCheck() { c.startCheckFor(0) }

// startCheckFor is startCheck for a netwatch trigger (0: a click, start-up
// or sign-in, which restarts the watcher's idle timer).
func (c *Core) startCheckFor(why netwatch.Trigger) {
	if c.cfg.Checker == nil || c.state.Phase != SignedIn || c.token.IsZero() {
		return
	}
	if c.checkCancel != nil {
		c.checkCancel()
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.checkCancel = cancel
	c.checkGen++
	gen, tok := c.checkGen, c.activeToken()
	c.state.Servers.Checking = true
	c.state.Servers.Trigger = why
	if why == 0 {
		c.reportChecked()
	}
	lc := c.cfg.LastCheck
	done := checkDone{gen: gen, acct: c.acct}
	if a := c.state.Profiles.Active; a != nil && !c.prof.tok.IsZero() {
		done.profile = a.UUID
	}
	if lc != nil && (why == netwatch.NetworkChanged || why == netwatch.Woke) {
		lc.Clear() // the last check was for another network, or before a sleep
	}
	c.spawn(func() {
		if lc != nil {
			done.network = lc.Network()
		}
		done.list, done.err = c.cfg.Services.Servers(ctx, tok,
			func(plan []servers.Server) { c.post(checkPlan{gen, plan}) },
			func(ev servers.Event) { c.post(checkStep{gen, ev}) })
		if ctx.Err() != nil {
			done.err = ctx.Err()
		}
		c.post(done)
	})
}

func (c *Core) checkDone(m checkDone) {
	if m.gen != c.checkGen {
		return
	}
	c.checkCancel = nil
	c.state.Servers.Checking = false
	switch {
	case m.err == nil:
		c.table, c.allChanged = servers.NewTable(m.list), true
		c.state.Servers.Err = nil
		c.state.Servers.Checked = c.clk.Now()
		c.state.Servers.DNSBlocked = servers.DNSBlocked(m.list)
		c.state.Servers.LastCounts = c.table.Counts()
		c.serverChanges(m.list)
		c.shareCheck(m)
	case errors.Is(m.err, plextv.ErrTokenInvalid) && !c.prof.tok.IsZero():
		c.profileRejected() // the profile's token, not the account's
	case errors.Is(m.err, plextv.ErrTokenInvalid):
		c.rejectToken()
	case errors.Is(m.err, context.Canceled):
	default:
		c.state.Servers.Err = m.err
	}
}

// ——— clipboard ———

func (c *Core) copyToken() {
	if c.token.IsZero() {
		return
	}
	c.copySecret(c.activeToken(), CopiedToken)
}

// copiedDone says how a copy went, in the menu and in a notification:
// the menu is closed by the click, so the notification is what shows at
// once that it worked.
func (c *Core) copiedDone(m copied) {
	switch {
	case m.err != nil:
		c.say(Notice{Kind: NoticeCopyFailed, What: m.what, Err: m.err})
	case m.what == CopiedToken || m.what == CopiedServerToken || m.what == CopiedClaimToken:
		c.say(Notice{Kind: NoticeTokenCopied, What: m.what, Wait: m.ttl})
	default:
		c.say(Notice{Kind: NoticeCopied, What: m.what, Text: m.text})
	}
	c.notify()
}

func (c *Core) copy(text string) error {
	if c.cfg.Clipboard == nil {
		if c.cfg.ClipboardErr != nil {
			return c.cfg.ClipboardErr
		}
		return errors.New("no clipboard")
	}
	return c.cfg.Clipboard.Copy(text)
}

// clearClipboard empties the clipboard if it still holds text; something
// copied since is left alone.
func (c *Core) clearClipboard(text string) bool {
	if c.cfg.Clipboard == nil {
		return false
	}
	cur, err := c.cfg.Clipboard.Read()
	return err == nil && cur == text && c.cfg.Clipboard.Copy("") == nil
}

// ——— autostart ———

func (c *Core) toggleAutostart() {
	a := c.cfg.Autostart
	if a == nil || !c.state.Autostart.Supported || c.state.Autostart.Busy {
		return
	}
	want := !c.state.Autostart.On
	c.state.Autostart.Busy = true
	c.spawn(func() {
		var err error
		if want {
			err = a.Enable()
		} else {
			err = a.Disable()
		}
		on, rerr := a.Enabled()
		if rerr != nil {
			on = want && err == nil
		}
		c.post(autostartSet{on, err})
	})
}

// ——— helpers run off the owner goroutine ———

func (c *Core) secret(tok plextv.Token) {
	if c.cfg.Secret != nil {
		c.cfg.Secret(tok.Reveal())
	}
}

func (c *Core) sleep(ctx context.Context, d time.Duration) bool {
	ch, stop := c.clk.After(d)
	defer stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// notify shows the current notice as a notification (owner goroutine).
func (c *Core) notify() {
	n, st := c.state.Notice, c.state.clone()
	c.spawn(func() { c.notifyNow(n, st) })
}

func (c *Core) notifyNow(n Notice, st State) {
	if c.cfg.Notifier == nil {
		return
	}
	if err := c.cfg.Notifier.Notify(n, st); err != nil {
		c.cfg.Log.Info("notification not shown", "err", err)
	}
}

func (c *Core) openBrowser(url string) {
	if c.cfg.Browser == nil {
		return
	}
	if err := c.cfg.Browser.Open(url); err != nil {
		c.cfg.Log.Info("browser not opened", "err", err)
		c.post(browserFailed{err})
	}
}
