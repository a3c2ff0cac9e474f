package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/toolpage"
	"github.com/plextray/plextray/internal/tooltokens"
)

// Tokens for other programs (package tooltokens): the tools plextray made
// for the signed-in account, read from the config folder whenever it may
// have changed (the command line makes and revokes them too); revoking
// one; and the local page that makes a new one and shows its token once.
// The core never holds a tool's token: Config.MakeTool hands it straight
// to the page.

// Tools are the tool tokens of the signed-in account, as the config
// folder lists them: never a token.
type Tools struct {
	List []tooltokens.Tool // oldest first
	// Err: the config folder's tools list could not be read (List is the
	// last one read).
	Err error
	// Revoking is the client identifier of the tool being revoked.
	Revoking string
}

type (
	cmdRevokeTool struct{ id string }
	cmdNewTool    struct{}
	toolsRead     struct {
		acct  string
		tools []tooltokens.Tool
		err   error
	}
	toolRevoked struct {
		tool tooltokens.Tool
		err  error
	}
	toolPageOpened struct{ err error }
	toolPageDone   struct{ res toolpage.Result }
)

func (cmdRevokeTool) isMsg()  {}
func (cmdNewTool) isMsg()     {}
func (toolsRead) isMsg()      {}
func (toolRevoked) isMsg()    {}
func (toolPageOpened) isMsg() {}
func (toolPageDone) isMsg()   {}

// RevokeTool revokes the tool token whose device has client identifier
// id at plex.tv (exactly that one) and forgets the tool.
func (c *Core) RevokeTool(id string) { c.post(cmdRevokeTool{id}) }

// NewToolToken opens the local page that names a tool and shows its new
// token once.
func (c *Core) NewToolToken() { c.post(cmdNewTool{}) }

// toolsAccount is the key of an account's tools in the config folder,
// as the command line files them.
func toolsAccount(u *plextv.User) string {
	if u.UUID != "" {
		return u.UUID
	}
	return fmt.Sprint(u.ID)
}

// loadTools reads the tools list again (while signed in to a confirmed
// account).
func (c *Core) loadTools() {
	if c.state.Phase != SignedIn || c.toolsAcct == "" || c.cfg.Services.ConfigDir == "" {
		return
	}
	acct, store := c.toolsAcct, tooltokens.Store{Dir: c.cfg.Services.ConfigDir}
	c.spawn(func() {
		tools, err := store.List(acct)
		c.post(toolsRead{acct, tools, err})
	})
}

// applyToolTokens handles this file's messages; false for any other.
func (c *Core) applyToolTokens(m msg) bool {
	switch m := m.(type) {
	case toolsRead:
		if m.acct != c.toolsAcct || c.state.Phase != SignedIn {
			break
		}
		c.state.Tools.Err = m.err
		if m.err == nil {
			c.state.Tools.List = m.tools
		}
	case cmdRevokeTool:
		c.revokeTool(m.id)
	case toolRevoked:
		c.state.Tools.Revoking = ""
		switch {
		case m.err == nil || errors.Is(m.err, tooltokens.ErrAlreadyRevoked):
			c.say(Notice{Kind: NoticeToolRevoked, Title: m.tool.Name, Err: m.err})
		default:
			c.say(Notice{Kind: NoticeToolRevokeFailed, Title: m.tool.Name, Err: m.err})
		}
		c.notify()
		c.loadTools()
	case cmdNewTool:
		c.openToolPage()
	case toolPageOpened:
		if m.err != nil {
			c.say(Notice{Kind: NoticeToolPageFailed, Err: m.err})
			c.notify()
		}
	case toolPageDone:
		if m.res.Err == nil {
			c.say(Notice{Kind: NoticeToolMade, Title: m.res.Name})
		}
		c.loadTools()
	default:
		return false
	}
	return true
}

func (c *Core) revokeTool(id string) {
	if c.state.Phase != SignedIn || c.toolsAcct == "" || c.state.Tools.Revoking != "" {
		return
	}
	var tool tooltokens.Tool
	for _, t := range c.state.Tools.List {
		if t.ClientIdentifier == id {
			tool = t
		}
	}
	if tool.ClientIdentifier == "" {
		return
	}
	c.state.Tools.Revoking = id
	acct, tok, sv := c.toolsAcct, c.token, c.cfg.Services
	c.spawn(func() {
		ctx, cancel := context.WithTimeout(c.ctx, 3*CallTimeout)
		defer cancel()
		c.post(toolRevoked{tool, revokeTool(ctx, sv, acct, tok, tool)})
	})
}

// revokeTool is what `plextray tokens revoke` does: revoke the tool's
// device with the token it was made with, then forget the tool.
func revokeTool(ctx context.Context, sv Services, acct string, tok plextv.Token, t tooltokens.Tool) error {
	devs, ok := sv.PlexTV.(tooltokens.Devices)
	if !ok {
		return errors.New("plex.tv's device list is not available here")
	}
	if t.ProfileUUID != "" {
		var err error
		if tok, err = sv.ProfileToken(ctx, acct, t.ProfileUUID); err != nil {
			return &ToolProfileError{Profile: t.ProfileTitle, Err: err}
		}
	}
	err := tooltokens.Revoke(ctx, devs, tok, t)
	if err != nil && !errors.Is(err, tooltokens.ErrAlreadyRevoked) {
		return err
	}
	if rerr := (tooltokens.Store{Dir: sv.ConfigDir}).Remove(acct, t.ClientIdentifier); rerr != nil {
		return rerr
	}
	return err
}

// ToolProfileError: the tool was made for a Plex Home profile whose token
// is not stored here, so plex.tv can't be asked to revoke it.
type ToolProfileError struct {
	Profile string // untrusted
	Err     error
}

func (e *ToolProfileError) Error() string {
	return "the token of the profile " + e.Profile + " is not stored here: " + e.Err.Error()
}
func (e *ToolProfileError) Unwrap() error { return e.Err }

// openToolPage serves the new-token page and opens it in the browser.
// The page's Make does what `plextray tokens new` does, for the account.
func (c *Core) openToolPage() {
	if c.state.Phase != SignedIn || c.toolsAcct == "" {
		return
	}
	acct, tok, store, mk := c.toolsAcct, c.token, tooltokens.Store{Dir: c.cfg.Services.ConfigDir}, c.cfg.MakeTool
	devs, _ := c.cfg.Services.PlexTV.(tooltokens.Devices)
	c.spawn(func() {
		url, done, err := toolpage.Serve(c.ctx, toolpage.Options{
			Clock:  c.clk,
			Server: c.cfg.Pages,
			Make: func(ctx context.Context, name string) (plextv.Token, error) {
				return makeTool(ctx, mk, devs, store, acct, tok, name)
			},
		})
		c.post(toolPageOpened{err})
		if err != nil {
			return
		}
		if c.cfg.Secret != nil {
			c.cfg.Secret(url) // the launch file leads to the page's secret address
		}
		if c.cfg.Browser != nil {
			if berr := c.cfg.Browser.Open(url); berr != nil {
				c.cfg.Log.Info("browser not opened for the new-token page", "err", berr)
				c.post(toolPageOpened{berr})
			}
		}
		c.post(toolPageDone{<-done})
	})
}

// ErrNoToolMaker: this build of the core was given no Config.MakeTool.
var ErrNoToolMaker = errors.New("making tool tokens is not available here")

// makeTool makes and records a tool's token as `plextray tokens new`
// does; a token that could not be recorded is revoked again.
func makeTool(ctx context.Context, mk func(context.Context, plextv.Token, string) (plextv.Token, tooltokens.Tool, error),
	devs tooltokens.Devices, store tooltokens.Store, acct string, tok plextv.Token, name string) (plextv.Token, error) {
	if mk == nil {
		return "", ErrNoToolMaker
	}
	name, err := tooltokens.CleanName(name)
	if err != nil {
		return "", err
	}
	if err := store.Check(acct, name); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*CallTimeout)
	defer cancel()
	out, tool, err := mk(ctx, tok, name)
	if err != nil {
		return "", err
	}
	if err := store.Add(acct, tool); err != nil {
		if devs != nil {
			_ = tooltokens.Revoke(ctx, devs, tok, tool)
		}
		return "", fmt.Errorf("recording %s in the config folder (its token was revoked again): %w", name, err)
	}
	return out, nil
}
