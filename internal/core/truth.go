package core

import (
	"context"
	"errors"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
)

// The shared truth in the core. The keychain and the config folder, not
// this process, say who is signed in and which profile is active: the
// command line changes them too. The core follows them:
//
//   - Config.Changes reports that either may have changed (Secret Service
//     signals, a file watch on the config folder); the core then reads
//     them (Services.Read) and adopts what changed elsewhere (follow).
//   - The core's own changes to them (store, confirm, sign out, switch,
//     forget a rejected token) run one at a time, in order, in a worker
//     (write), each a Services call the command line makes too.
//   - A read is applied only if no change of the core's own started or
//     ended since the read began: truthGen counts them, and a read that
//     carries an older number is stale and dropped (and read again). No
//     lock is shared with any worker; profiles.json's file lock orders
//     changes between processes.

type (
	cmdReload struct{}
	// truthRead is what Services.Read found, read at generation gen.
	truthRead struct {
		gen int
		t   Truth
	}
	// wrote wraps the result of one of the core's own changes.
	wrote struct{ m msg }

	kept struct {
		tok plextv.Token
		k   Kept
	}
	confirmed struct {
		tok  plextv.Token
		acct string
		err  error
	}
	rejected struct {
		tok, newer plextv.Token
		err        error
	}
	signedOut struct {
		stored              bool
		revokeErr, removeEr error
	}
)

func (cmdReload) isMsg() {}
func (truthRead) isMsg() {}
func (wrote) isMsg()     {}
func (kept) isMsg()      {}
func (confirmed) isMsg() {}
func (rejected) isMsg()  {}
func (signedOut) isMsg() {}

// Reload reads the keychain and the config folder again and follows what
// changed there, as a report on Config.Changes does.
func (c *Core) Reload() { c.post(cmdReload{}) }

// startFollowing turns Config.Changes into reloads (from Run).
func (c *Core) startFollowing() {
	if c.cfg.Changes == nil {
		return
	}
	ch := c.cfg.Changes(c.ctx)
	if ch == nil {
		return
	}
	c.spawn(func() {
		for {
			select {
			case <-c.ctx.Done():
				return
			case _, ok := <-ch:
				if !ok {
					return
				}
				c.post(cmdReload{})
			}
		}
	})
}

// applyTruth handles the messages of this file; false when m is not one.
func (c *Core) applyTruth(m msg) bool {
	switch m := m.(type) {
	case cmdReload:
		c.reload()
	case truthRead:
		c.reading = false
		if m.gen != c.truthGen {
			c.reload() // stale: a change of ours came in between
			return true
		}
		c.follow(m.t)
		c.loadTools() // the command line may have made or revoked one
		if c.reloadDue {
			c.reload()
		}
	case wrote:
		c.writing = false
		c.truthGen++
		if m.m != nil {
			c.apply(m.m)
		}
		c.nextWrite()
		if !c.writing && c.reloadDue {
			c.reload()
		}
	case kept:
		c.kept(m)
	case confirmed:
		if m.err != nil {
			c.cfg.Log.Warn("moving the token under its account failed", "err", m.err)
		}
		if m.tok == c.token {
			c.acct = m.acct
		}
	case rejected:
		c.rejectedDone(m)
	case signedOut:
		switch {
		case m.removeEr != nil && (m.stored || !unusable(m.removeEr)):
			c.cfg.Log.Warn("removing tokens from the keychain failed", "err", m.removeEr)
			c.say(Notice{Kind: NoticeKeychainFailed, Err: m.removeEr})
		case m.revokeErr != nil:
			c.say(Notice{Kind: NoticeSignOutOffline, Err: m.revokeErr})
		case c.state.Notice.Kind == NoticeSigningOut:
			c.sayKind(NoticeSignedOut)
		}
	default:
		return false
	}
	return true
}

// unusable: the keychain is not there at all (no session bus, no Secret
// Service), so there was nothing in it to remove.
func unusable(err error) bool {
	return errors.Is(err, keychain.ErrNoSessionBus) || errors.Is(err, keychain.ErrNoSecretService)
}

// write queues one of the core's own changes to the keychain or the
// config folder; they run one at a time, in the order the core decided
// them. f runs in a worker and returns the message to apply.
func (c *Core) write(f func(ctx context.Context) msg) {
	c.writes = append(c.writes, f)
	c.nextWrite()
}

func (c *Core) nextWrite() {
	if c.writing || len(c.writes) == 0 {
		return
	}
	f := c.writes[0]
	c.writes = c.writes[1:]
	c.writing = true
	c.truthGen++
	c.spawn(func() { c.post(wrote{f(c.ctx)}) })
}

// reload reads the truth again, unless a read or a change of ours is
// under way (then once it ends).
func (c *Core) reload() {
	if c.writing || c.reading {
		c.reloadDue = true
		return
	}
	c.reloadDue = false
	c.reading = true
	gen := c.truthGen
	c.spawn(func() { c.post(truthRead{gen, c.cfg.Services.Read(c.ctx)}) })
}

// follow adopts what the keychain and the config folder hold (t), read
// when no change of ours was under way.
func (c *Core) follow(t Truth) {
	switch c.state.Phase {
	case Starting:
		c.started(t)
	case SigningIn:
		if !t.Token.IsZero() {
			// Signed in elsewhere meanwhile (the command line): use that.
			if c.flowCancel != nil {
				c.flowCancel()
				c.flowCancel = nil
			}
			c.state.Code, c.state.URL = "", ""
			c.adopt(t)
		}
	case SignedOut, Locked:
		switch {
		case !t.Token.IsZero():
			c.adopt(t)
		case t.Err == nil && c.state.Phase == Locked:
			c.state.Phase, c.state.Keychain = SignedOut, nil
		}
	case SignedIn:
		switch {
		case t.Err != nil:
			// The keychain can't be read now: keep what we hold.
		case t.Token.IsZero():
			if c.state.Stored {
				c.cfg.Log.Info("the token left the keychain (signed out elsewhere)")
				c.forgetToken()
				c.sayKind(NoticeSignedOut)
			}
		case t.Token != c.token:
			c.cfg.Log.Info("a new token in the keychain (signed in elsewhere); using it")
			c.adopt(t)
		default:
			c.acct = t.Account
			c.followProfile(t)
		}
	}
}

// started is the first read: signed in with the stored token, signed
// out, or the keychain locked or unavailable.
func (c *Core) started(t Truth) {
	switch {
	case !t.Token.IsZero():
		c.adopt(t)
	case t.Err == nil:
		c.state.Keychain = nil
		c.state.Phase = SignedOut
		c.sayKind(NoticeNone)
	case errors.Is(t.Err, keychain.ErrLocked):
		c.cfg.Log.Warn("keychain locked", "err", t.Err)
		c.state.Keychain = t.Err
		c.state.Phase = Locked
		c.sayKind(NoticeNone)
	default:
		c.cfg.Log.Warn("keychain unavailable", "err", t.Err)
		c.state.Keychain = t.Err
		c.state.Phase = SignedOut
		c.sayKind(NoticeNone)
	}
}

// adopt makes t's stored token the one held here, asks plex.tv about it
// and uses t's active profile.
func (c *Core) adopt(t Truth) {
	if c.state.Phase == SignedIn {
		c.forgetToken()
	}
	c.secret(t.Token)
	c.token, c.acct = t.Token, t.Account
	c.state.Keychain = nil
	c.state.Phase, c.state.Stored, c.state.Unverified = SignedIn, true, true
	c.state.Username, c.state.Name = "", ""
	c.sayKind(NoticeVerifying)
	tok := t.Token
	c.spawn(func() { c.verify(tok) })
	c.useStoredProfile(t)
}

// kept: the new token is stored (or, without a keychain, held in memory
// for this run), and plex.tv said whose it is.
func (c *Core) kept(m kept) {
	if c.token != m.tok {
		return
	}
	c.acct = m.k.Account
	if m.k.StoreErr != nil {
		c.cfg.Log.Warn("keychain unavailable; token kept in memory", "err", m.k.StoreErr)
		c.state.Stored, c.state.Keychain = false, m.k.StoreErr
	} else {
		c.state.Stored, c.state.Keychain = true, nil
	}
	c.verified(verified{m.tok, m.k.User, m.k.VerifyErr})
}

// rejectToken: plex.tv rejected the account's token. The keychain decides
// (compare before delete): it is removed only if it still holds that
// token; a newer one there is used instead.
func (c *Core) rejectToken() {
	tok, acct := c.token, c.acct
	c.write(func(ctx context.Context) msg {
		newer, err := c.cfg.Services.Rejected(ctx, acct, tok)
		return rejected{tok, newer, err}
	})
}

func (c *Core) rejectedDone(m rejected) {
	if c.token != m.tok {
		return
	}
	if !m.newer.IsZero() {
		c.cfg.Log.Info("the rejected token was replaced in the keychain; using the new one")
		c.reload()
		return
	}
	c.cfg.Log.Info("token rejected by plex.tv; removed")
	c.forgetToken()
	c.sayKind(NoticeRevoked)
	c.notify()
	if m.err != nil {
		c.cfg.Log.Warn("removing the rejected token failed", "err", m.err)
		c.say(Notice{Kind: NoticeKeychainFailed, Err: m.err})
	}
}
