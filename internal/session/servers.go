package session

import (
	"context"
	"errors"

	"github.com/plextray/plextray/internal/plextv"
)

// startCheck lists the account's servers and probes them; progress
// replaces the list in place. A newer check cancels the older one.
func (s *Session) startCheck() {
	if s.cfg.Checker == nil || s.state.Phase != SignedIn || s.token.IsZero() {
		return
	}
	if s.checkCancel != nil {
		s.checkCancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.checkCancel = cancel
	s.checkGen++
	gen, tok := s.checkGen, s.token
	s.state.Servers.Checking = true
	s.state.Servers.Error = ""
	current := func() bool { return gen == s.checkGen && s.token == tok }

	s.spawn(func() {
		rctx, rcancel := context.WithTimeout(ctx, callTimeout)
		rs, err := s.cfg.PlexTV.Resources(rctx, tok)
		rcancel()
		if err != nil {
			s.do(func() {
				if !current() {
					return
				}
				s.state.Servers.Checking = false
				if errors.Is(err, plextv.ErrTokenInvalid) {
					s.dropToken()
					s.say("Plex revoked your token — sign in again.", true)
					return
				}
				if ctx.Err() == nil {
					s.state.Servers.Error = "Couldn't list servers: " + short(err)
				}
			})
			return
		}
		final, err := s.cfg.Checker.Check(ctx, plextv.Servers(rs), func(list []Server) {
			s.do(func() {
				if current() {
					s.state.Servers.List = list
				}
			})
		})
		s.do(func() {
			if !current() {
				return
			}
			s.state.Servers.Checking = false
			if ctx.Err() != nil {
				return
			}
			s.state.Servers.List = final
			s.state.Servers.Checked = s.cfg.Clock.Now()
			if err != nil {
				s.state.Servers.Error = "Check failed: " + err.Error()
			}
		})
	})
}
