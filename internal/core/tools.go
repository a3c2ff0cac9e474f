package core

import (
	"context"
	"net/url"

	"github.com/plextray/plextray/internal/plextv"
)

// Server web apps and claim tokens: opening a server's Plex Web, and
// copying a claim token for a new server (cleared from the clipboard when
// it expires).

type (
	cmdOpenURL   struct{ url string }
	cmdCopyClaim struct{}
	claimFetched struct {
		tok plextv.Token
		err error
	}
)

func (cmdOpenURL) isMsg()   {}
func (cmdCopyClaim) isMsg() {}
func (claimFetched) isMsg() {}

// OpenURL opens an http or https address (a server's Plex Web) in the
// browser; anything else is ignored.
func (c *Core) OpenURL(u string) { c.post(cmdOpenURL{u}) }

// CopyClaimToken asks plex.tv for a claim token and copies it; it is
// cleared from the clipboard when plex.tv stops accepting it.
func (c *Core) CopyClaimToken() { c.post(cmdCopyClaim{}) }

// applyTools handles this file's messages; false for any other.
func (c *Core) applyTools(m msg) bool {
	switch m := m.(type) {
	case cmdOpenURL:
		if u, err := url.Parse(m.url); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			c.spawn(func() { c.openBrowser(m.url) })
		}
	case cmdCopyClaim:
		if c.state.Phase != SignedIn || c.token.IsZero() {
			break
		}
		tok := c.token
		c.spawn(func() {
			ctx, cancel := context.WithTimeout(c.ctx, CallTimeout)
			defer cancel()
			ct, err := c.cfg.Services.PlexTV.ClaimToken(ctx, tok)
			c.post(claimFetched{ct, err})
		})
	case claimFetched:
		if m.err != nil {
			c.say(Notice{Kind: NoticeCopyFailed, What: CopiedClaimToken, Err: m.err})
			break
		}
		c.secret(m.tok)
		c.copySecretFor(m.tok, CopiedClaimToken, plextv.ClaimTokenLife)
	default:
		return false
	}
	return true
}
