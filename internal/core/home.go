package core

import (
	"context"
	"errors"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/pinpage"
	"github.com/plextray/plextray/internal/plextv"
)

// Plex Home profiles in the core: which profile's token is active, the
// Home's profiles, and switching (at once, or through the local PIN page
// when plex.tv wants a PIN). The account's own token (Core.token) stays
// the one that signs in and out and switches; the active profile's token
// (profileRun.tok) is what "Copy token" copies and the server check uses.

// Profiles is the Plex Home part of the State.
type Profiles struct {
	// Offered: the account has a Home; List holds its profiles (titles
	// untrusted), the admin among them.
	Offered bool
	List    []plextv.HomeUser
	Listing bool
	// Active is the profile whose token is active; nil: the account's own.
	Active *home.Active
	// Kept: the active profile's token is in the keychain (else memory).
	Kept bool
	// Switching is the profile a switch is under way to (nil: none);
	// PINPage the local page asking for its PIN ("" until it is open).
	Switching *plextv.HomeUser
	PINPage   string
}

// Admin returns the Home's admin from the list, or nil.
func (p Profiles) Admin() *plextv.HomeUser {
	for i := range p.List {
		if p.List[i].Admin {
			return &p.List[i]
		}
	}
	return nil
}

// IsActive reports whether u's token is the active one.
func (p Profiles) IsActive(u plextv.HomeUser) bool {
	return home.State{Active: p.Active}.IsActive(u.UUID, u.Admin)
}

// profileRun is the core's private profile bookkeeping (owner goroutine).
type profileRun struct {
	tok      plextv.Token       // the active profile's token; "" when the account's own
	verified bool               // the active profile's token was checked this run
	gen      int                // identifies the latest switch
	cancel   context.CancelFunc // the running switch or PIN page, or nil
	// fellBack is the profile dropped before plex.tv confirmed the
	// account: its notice is said again once the account is confirmed
	// (which clears earlier problems).
	fellBack string
}

type (
	cmdSwitchProfile  struct{ uuid string }
	cmdReloadProfiles struct{}

	profileVerified struct {
		tok plextv.Token
		err error
	}
	homeListed struct {
		acct plextv.Token
		home *plextv.Home
		err  error
	}
	profileSwitched struct {
		gen int
		to  plextv.HomeUser
		tok plextv.Token
		err error
	}
	pinPageOpened struct {
		gen int
		url string
		err error
	}
	pinPageWrong     struct{ gen int }
	pinPageNoBrowser struct {
		gen int
		err error
	}
	pinPageDone struct {
		gen int
		err error
	}
	// profileUsed: the switch the core accepted was kept (UseProfile).
	profileUsed struct {
		to  plextv.HomeUser
		tok plextv.Token
		err error
	}
	// profileDropped: the profile's rejected (or missing) token was dealt
	// with (ProfileRejected).
	profileDropped struct {
		active     home.Active
		tok, newer plextv.Token
		err        error
	}
)

func (cmdSwitchProfile) isMsg()  {}
func (cmdReloadProfiles) isMsg() {}
func (profileVerified) isMsg()   {}
func (homeListed) isMsg()        {}
func (profileSwitched) isMsg()   {}
func (pinPageOpened) isMsg()     {}
func (pinPageWrong) isMsg()      {}
func (pinPageNoBrowser) isMsg()  {}
func (pinPageDone) isMsg()       {}
func (profileUsed) isMsg()       {}
func (profileDropped) isMsg()    {}

// SwitchProfile makes the token of the Home profile uuid the active one
// (the admin's uuid: the account's own token). A protected profile, or
// any profile plex.tv asks a PIN for, opens the local PIN page in the
// browser. A new choice replaces a switch still waiting for its PIN.
func (c *Core) SwitchProfile(uuid string) { c.post(cmdSwitchProfile{uuid}) }

// ReloadProfiles lists the Home's profiles again.
func (c *Core) ReloadProfiles() { c.post(cmdReloadProfiles{}) }

// applyHome handles the profile messages; false when m is not one.
func (c *Core) applyHome(m msg) bool {
	switch m := m.(type) {
	case cmdSwitchProfile:
		c.switchProfile(m.uuid)
	case cmdReloadProfiles:
		c.listHome(nil)
	case profileVerified:
		if m.tok == c.prof.tok && !m.tok.IsZero() && errors.Is(m.err, plextv.ErrTokenInvalid) {
			c.profileRejected()
		}
	case homeListed:
		if m.acct != c.token {
			return true
		}
		c.state.Profiles.Listing = false
		if m.err != nil {
			c.cfg.Log.Warn("listing the Plex Home failed", "err", m.err)
			c.say(Notice{Kind: NoticeProfileListFailed, Err: m.err})
			return true
		}
		if m.home != nil {
			c.state.Profiles.Offered = true
			c.state.Profiles.List = m.home.Users
		} else {
			c.state.Profiles.Offered, c.state.Profiles.List = false, nil
		}
	case profileSwitched:
		c.profileSwitched(m)
	case pinPageOpened:
		if m.gen != c.prof.gen || c.state.Profiles.Switching == nil {
			return true
		}
		if m.err != nil {
			c.endSwitch()
			c.say(Notice{Kind: NoticeProfileFailed, Err: m.err})
			return true
		}
		c.state.Profiles.PINPage = m.url
		c.say(Notice{Kind: NoticeProfilePIN, Title: c.state.Profiles.Switching.Title})
	case pinPageNoBrowser:
		if m.gen == c.prof.gen && c.state.Profiles.Switching != nil {
			c.say(Notice{Kind: NoticeProfilePIN, Title: c.state.Profiles.Switching.Title, Err: m.err})
		}
	case pinPageWrong:
		if m.gen == c.prof.gen && c.state.Profiles.Switching != nil {
			c.say(Notice{Kind: NoticeProfileWrongPIN, Title: c.state.Profiles.Switching.Title})
		}
	case pinPageDone:
		if m.gen != c.prof.gen || c.state.Profiles.Switching == nil {
			return true
		}
		title := c.state.Profiles.Switching.Title
		c.endSwitch()
		switch {
		case errors.Is(m.err, pinpage.ErrExpired):
			c.say(Notice{Kind: NoticeProfileExpired, Title: title})
		case errors.Is(m.err, pinpage.ErrTooManyTries):
			// The page closed in the browser: say it where the menu is too.
			c.say(Notice{Kind: NoticeProfilePINTries, Title: title})
			c.notify()
		}
	case profileUsed:
		if m.err != nil && c.state.Phase == SignedIn && (m.tok == c.prof.tok || (m.to.Admin && c.prof.tok.IsZero())) {
			c.cfg.Log.Warn("the active profile not recorded", "err", m.err)
			c.state.Profiles.Kept = false
			c.say(Notice{Kind: NoticeProfileNotKept, Err: m.err, Title: m.to.Title})
		}
	case profileDropped:
		c.profileDropped(m)
	default:
		return false
	}
	return true
}

// activeToken is the token "Copy token" and the server check use.
func (c *Core) activeToken() plextv.Token {
	if !c.prof.tok.IsZero() {
		return c.prof.tok
	}
	return c.token
}

// ——— following the stored profile ———

// useStoredProfile uses the active profile t names (an adopted token's).
func (c *Core) useStoredProfile(t Truth) {
	if c.cfg.Services.profilesOK() != nil || t.Profile == nil {
		return
	}
	switch {
	case errors.Is(t.ProfileErr, keychain.ErrNotFound):
		c.cfg.Log.Info("the active profile's token is not in the keychain; back to the account's")
		c.state.Profiles.Active = t.Profile // what fallBack falls back from
		c.fallBack(*t.Profile)
		c.dropProfile(*t.Profile, "")
	case t.ProfileErr != nil:
		// The keychain failed now; the account's token was read, so
		// say so and use it.
		c.cfg.Log.Warn("reading the active profile's token failed", "err", t.ProfileErr)
		c.say(Notice{Kind: NoticeKeychainFailed, Err: t.ProfileErr})
	default:
		c.secret(t.ProfileToken)
		c.prof.tok = t.ProfileToken
		c.state.Profiles.Active = t.Profile
		c.state.Profiles.Kept = true
		if !c.state.Unverified {
			c.verifyProfile()
		}
	}
}

// followProfile follows a profile switched to (or back from) elsewhere
// while the account's token stayed the same.
func (c *Core) followProfile(t Truth) {
	if c.cfg.Services.profilesOK() != nil {
		return
	}
	cur := c.state.Profiles.Active
	switch {
	case t.Profile == nil && cur == nil:
		return
	case t.Profile == nil:
		c.endSwitch()
		c.prof.tok = ""
		c.state.Profiles.Active, c.state.Profiles.Kept = nil, false
		title := ""
		if a := c.state.Profiles.Admin(); a != nil {
			title = a.Title
		}
		c.say(Notice{Kind: NoticeProfileSwitched, Title: title})
	case t.ProfileErr != nil:
		return // its token can't be read (yet): keep what we have
	case cur != nil && cur.UUID == t.Profile.UUID && c.prof.tok == t.ProfileToken:
		return
	default:
		c.endSwitch()
		c.secret(t.ProfileToken)
		c.prof.tok = t.ProfileToken
		c.prof.verified = false
		c.state.Profiles.Active, c.state.Profiles.Kept = t.Profile, true
		c.say(Notice{Kind: NoticeProfileSwitched, Title: t.Profile.Title})
		if !c.state.Unverified {
			c.verifyProfile()
		}
	}
	c.dropServers()
	c.startCheck()
}

// accountVerified runs once plex.tv confirmed the account's token (u):
// the Home is listed, and the active profile's token is checked.
func (c *Core) accountVerified(u *plextv.User) {
	if c.cfg.Services.profilesOK() != nil {
		return
	}
	if c.prof.fellBack != "" {
		c.say(Notice{Kind: NoticeProfileFallback, Title: c.prof.fellBack})
		c.prof.fellBack = ""
	}
	if !c.state.Profiles.Offered && !c.state.Profiles.Listing {
		c.listHome(u)
	}
	c.verifyProfile()
}

// verifyProfile asks plex.tv once per run whether the active profile's
// token still works; a rejected one falls back to the account's.
func (c *Core) verifyProfile() {
	if c.prof.tok.IsZero() || c.prof.verified {
		return
	}
	c.prof.verified = true
	tok := c.prof.tok
	c.spawn(func() {
		_, err := c.cfg.Services.Verify(c.ctx, tok)
		c.post(profileVerified{tok, err})
	})
}

func (c *Core) listHome(u *plextv.User) {
	if c.state.Phase != SignedIn || c.token.IsZero() || c.cfg.Services.profilesOK() != nil {
		return
	}
	c.state.Profiles.Listing = true
	acct := c.token
	c.spawn(func() {
		h, err := c.cfg.Services.Home(c.ctx, acct, u)
		c.post(homeListed{acct, h, err})
	})
}

// profileRejected: plex.tv rejected the active profile's token (at start
// or in a server check). The keychain decides (compare before delete): a
// newer token of the profile there is used instead; else the account's
// own token is active again.
func (c *Core) profileRejected() {
	if c.state.Profiles.Active == nil {
		return
	}
	c.dropProfile(*c.state.Profiles.Active, c.prof.tok)
}

// dropProfile runs Services.ProfileRejected for a's token tok (zero: it
// is missing) in a write.
func (c *Core) dropProfile(a home.Active, tok plextv.Token) {
	acct := c.acct
	c.write(func(ctx context.Context) msg {
		newer, err := c.cfg.Services.ProfileRejected(ctx, acct, a.UUID, tok)
		return profileDropped{a, tok, newer, err}
	})
}

func (c *Core) profileDropped(m profileDropped) {
	if m.err != nil {
		c.cfg.Log.Warn("removing the profile's token failed", "err", m.err)
	}
	if m.tok.IsZero() || m.tok != c.prof.tok || c.state.Phase != SignedIn {
		return // a missing token: fallen back already
	}
	if !m.newer.IsZero() {
		c.cfg.Log.Info("the rejected profile token was replaced in the keychain; using the new one")
		c.secret(m.newer)
		c.prof.tok = m.newer
		c.dropServers()
		c.startCheck()
		return
	}
	c.cfg.Log.Info("the active profile's token was rejected by plex.tv; back to the account's")
	c.fallBack(m.active)
	if m.err != nil {
		c.say(Notice{Kind: NoticeKeychainFailed, Err: m.err})
	}
	c.startCheck()
}

// fallBack makes the account's own token active here and says so.
func (c *Core) fallBack(a home.Active) {
	c.prof.tok = ""
	c.dropServers()
	c.state.Profiles.Active, c.state.Profiles.Kept = nil, false
	c.say(Notice{Kind: NoticeProfileFallback, Title: a.Title})
	c.notify()
	if c.state.Unverified {
		c.prof.fellBack = a.Title
	}
}

// dropServers forgets the server list fetched with the token that was
// active until now: its servers' own tokens are that profile's, never to
// be copied under another (the next check lists the active one's).
func (c *Core) dropServers() {
	c.state.Servers = Servers{Notify: c.state.Servers.Notify}
	c.table, c.allChanged, c.lastList = nil, true, nil
}

// ——— switching ———

func (c *Core) switchProfile(uuid string) {
	p := &c.state.Profiles
	if c.state.Phase != SignedIn || c.token.IsZero() || c.cfg.Services.profilesOK() != nil {
		return
	}
	var to *plextv.HomeUser
	for i := range p.List {
		if p.List[i].UUID == uuid {
			to = &p.List[i]
		}
	}
	if to == nil {
		return
	}
	if p.IsActive(*to) {
		c.endSwitch() // choosing the active one ends a pending switch
		return
	}
	if p.Switching != nil && p.Switching.UUID == to.UUID && p.PINPage != "" {
		// The page is open already: show it again.
		if b := c.cfg.Browser; b != nil {
			url := p.PINPage
			c.spawn(func() { _ = b.Open(url) })
		}
		return
	}
	c.endSwitch()
	ctx, cancel := context.WithCancel(c.ctx)
	c.prof.cancel = cancel
	c.prof.gen++
	gen, target, acct := c.prof.gen, *to, c.token
	p.Switching = &target
	if target.Protected {
		c.openPINPage(ctx, gen, target)
		return
	}
	c.say(Notice{Kind: NoticeProfileSwitching, Title: target.Title})
	c.spawn(func() {
		tok, err := c.cfg.Services.SwitchToken(ctx, acct, target, "")
		c.post(profileSwitched{gen, target, tok, err})
	})
}

// openPINPage serves the local PIN page and opens it in the browser. The
// page's accepted PIN switches (Submit) and posts the result.
func (c *Core) openPINPage(ctx context.Context, gen int, to plextv.HomeUser) {
	c.say(Notice{Kind: NoticeProfilePIN, Title: to.Title})
	acct := c.token
	c.spawn(func() {
		url, done, err := pinpage.Serve(ctx, pinpage.Options{
			Title:  to.Title,
			Clock:  c.clk,
			Server: c.cfg.Pages,
			Submit: func(ctx context.Context, pin string) error {
				tok, err := c.cfg.Services.SwitchToken(ctx, acct, to, pin)
				if errors.Is(err, plextv.ErrProfilePIN) {
					c.post(pinPageWrong{gen})
					return err
				}
				if err != nil {
					return err // shown on the page; try again
				}
				c.post(profileSwitched{gen, to, tok, nil})
				return nil
			},
		})
		c.post(pinPageOpened{gen, url, err})
		if err != nil {
			return
		}
		// url is the page's launch file, which leads to its one-time
		// secret address: the log redacts it like a token wherever it
		// appears (a browser error quotes it).
		if c.cfg.Secret != nil {
			c.cfg.Secret(url)
		}
		if c.cfg.Browser != nil {
			if berr := c.cfg.Browser.Open(url); berr != nil {
				c.cfg.Log.Info("browser not opened for the PIN page", "err", berr)
				c.post(pinPageNoBrowser{gen, berr})
			}
		}
		res := <-done
		c.post(pinPageDone{gen, res.Err})
	})
}

func (c *Core) profileSwitched(m profileSwitched) {
	if m.gen != c.prof.gen || c.state.Phase != SignedIn {
		return
	}
	switch {
	case errors.Is(m.err, plextv.ErrProfilePIN):
		// plex.tv wants a PIN after all: ask for it on the page.
		ctx := c.ctx
		if c.prof.cancel != nil {
			c.prof.cancel()
		}
		ctx, c.prof.cancel = context.WithCancel(ctx)
		c.openPINPage(ctx, m.gen, m.to)
		return
	case errors.Is(m.err, plextv.ErrTokenInvalid):
		c.endSwitch()
		c.rejectToken()
		return
	case m.err != nil:
		c.cfg.Log.Warn("profile switch failed", "err", m.err)
		c.endSwitch()
		c.say(Notice{Kind: NoticeProfileFailed, Err: m.err, Title: m.to.Title})
		return
	}
	// Done. A PIN page finishes its answer before it stops (pinpage
	// waits for a submission in flight), so it can be cancelled now.
	if c.prof.cancel != nil {
		c.prof.cancel()
		c.prof.cancel = nil
	}
	c.state.Profiles.Switching, c.state.Profiles.PINPage = nil, ""
	if m.to.Admin {
		c.prof.tok = ""
		c.state.Profiles.Active, c.state.Profiles.Kept = nil, false
	} else {
		c.secret(m.tok)
		c.prof.tok = m.tok
		c.prof.verified = true
		c.state.Profiles.Active = &home.Active{UUID: m.to.UUID, Title: m.to.Title}
		c.state.Profiles.Kept = true
	}
	c.say(Notice{Kind: NoticeProfileSwitched, Title: m.to.Title})
	acct, to, tok := c.acct, m.to, m.tok
	c.write(func(ctx context.Context) msg {
		return profileUsed{to, tok, c.cfg.Services.UseProfile(ctx, acct, to, tok)}
	})
	c.dropServers()
	c.startCheck()
}

// endSwitch stops a switch in progress (closing its PIN page).
func (c *Core) endSwitch() {
	if c.prof.cancel != nil {
		c.prof.cancel()
		c.prof.cancel = nil
	}
	c.prof.gen++
	c.state.Profiles.Switching, c.state.Profiles.PINPage = nil, ""
}

// resetProfiles forgets everything about profiles here (signed out).
func (c *Core) resetProfiles() {
	c.endSwitch()
	c.prof = profileRun{gen: c.prof.gen}
	c.state.Profiles = Profiles{}
}
