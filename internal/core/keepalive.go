package core

import (
	"context"
	"errors"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Keep-alive: while signed in, the core tells plex.tv once a day that the
// token is in use (GET /api/v2/ping, which keeps a token from expiring).
// One timer runs only while signed in; nothing else wakes for it.

// KeepAliveEvery is how often the token is pinged while signed in.
const KeepAliveEvery = 24 * time.Hour

// keepAliveDue: a day has passed since signing in or the last ping.
type keepAliveDue struct{}

// pinged is a ping's answer.
type pinged struct {
	tok plextv.Token
	err error
}

func (keepAliveDue) isMsg() {}
func (pinged) isMsg()       {}

// syncKeepAlive runs the keep-alive timer exactly while signed in; the
// owner calls it after every change.
func (c *Core) syncKeepAlive() {
	every := c.cfg.KeepAliveEvery
	if every == 0 {
		every = KeepAliveEvery
	}
	on := c.state.Phase == SignedIn && !c.quitting && every > 0
	switch {
	case on && c.keepAliveCancel == nil:
		ctx, cancel := context.WithCancel(c.ctx)
		c.keepAliveCancel = cancel
		c.spawn(func() {
			for c.sleep(ctx, every) {
				c.post(keepAliveDue{})
			}
		})
	case !on && c.keepAliveCancel != nil:
		c.keepAliveCancel()
		c.keepAliveCancel = nil
	}
}

// applyKeepAlive handles this file's messages; false for any other.
func (c *Core) applyKeepAlive(m msg) bool {
	switch m := m.(type) {
	case keepAliveDue:
		if c.state.Phase != SignedIn || c.token.IsZero() {
			break
		}
		tok := c.token
		c.spawn(func() {
			ctx, cancel := context.WithTimeout(c.ctx, CallTimeout)
			defer cancel()
			c.post(pinged{tok, c.cfg.Services.PlexTV.Ping(ctx, tok)})
		})
	case pinged:
		switch {
		case m.err == nil:
			c.cfg.Log.Info("plex.tv ping: the token is kept alive")
		case errors.Is(m.err, plextv.ErrTokenInvalid) && m.tok == c.token:
			// Ask plex.tv the usual way: verification decides what a
			// rejected token means (and never drops a newer one).
			tok := m.tok
			c.spawn(func() { c.verify(tok) })
		default:
			// Transient: tomorrow's ping tries again; the token is kept.
			c.cfg.Log.Info("plex.tv ping failed", "err", m.err)
		}
	default:
		return false
	}
	return true
}
