package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/plextray/plextray/internal/fsutil"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

// Servers as people need them: staying current, notifications
// about servers, copying a server's own token.
//
//   - Re-check triggers: Config.Watch (a *netwatch.Watcher) says when the
//     network changed, the machine woke or the menu was idle for long; each
//     trigger starts a new check (fetching resources again), cancelling a
//     running one. Any other check restarts the watcher's idle timer. The
//     watcher runs only while signed in: signed out there is nothing to
//     check, and an idle tray should not wake.
//   - Nothing republishes on a timer: the menu says when the list was
//     checked (a clock time), which stays true without a tick.
//   - Probe events go through a servers.Table: applying one costs O(that
//     server), and State.Servers.Changed tells the front end which rows to
//     redraw.
//   - When a check ends, each server that went offline, came back, or
//     whose best connection changed class (local → relay) is notified,
//     at most once per ServerNotifyGap per server, unless turned off
//     ("Notify me about servers", kept in ServerPrefsFile).

// Watch is the source of re-check triggers; *netwatch.Watcher is one.
// Config.Watch starts it with the core's context, so it stops with the
// core.
type Watch interface {
	C() <-chan netwatch.Trigger
	// Checked restarts the idle timer after a check for another reason.
	Checked()
}

// ServerNotifyGap is the least time between two notifications about one
// server.
const ServerNotifyGap = 5 * time.Minute

// ServerPrefsFile, in Services.ConfigDir, remembers whether server
// notifications are on. Nothing secret is in it.
const ServerPrefsFile = "servers.json"

// The server notices (notifications only; they never replace the menu's
// notice). Title is the server's name (untrusted), ServerID its
// clientIdentifier; for NoticeServerClass FromClass and Class say from
// which class to which.
const (
	NoticeServerOffline NoticeKind = iota + 1000 // no connection answers any more
	NoticeServerBack                             // it answers again (Class: how)
	NoticeServerClass                            // its best connection changed class
)

type (
	cmdRecheck           struct{ why netwatch.Trigger }
	cmdToggleNotify      struct{}
	cmdCopyServerToken   struct{ id string }
	serverPrefsRead      struct{ on bool }
	serverPrefsWritten   struct{ err error }
	watchCheckedReported struct{}
)

func (cmdRecheck) isMsg()           {}
func (cmdToggleNotify) isMsg()      {}
func (cmdCopyServerToken) isMsg()   {}
func (serverPrefsRead) isMsg()      {}
func (serverPrefsWritten) isMsg()   {}
func (watchCheckedReported) isMsg() {}

// ToggleServerNotifications turns "Notify me about servers" on or off
// (remembered in the config folder).
func (c *Core) ToggleServerNotifications() { c.post(cmdToggleNotify{}) }

// CopyServerToken copies the own token of the server with that
// clientIdentifier, and clears it from the clipboard later like the
// account's token.
func (c *Core) CopyServerToken(clientIdentifier string) { c.post(cmdCopyServerToken{clientIdentifier}) }

// Recheck checks the servers again for why (what a Watch delivers).
func (c *Core) Recheck(why netwatch.Trigger) { c.post(cmdRecheck{why}) }

// startServerWatch starts the workers of this file (from Run).
func (c *Core) startServerWatch() {
	c.state.Servers.Notify = true
	if dir := c.cfg.Services.ConfigDir; dir != "" {
		c.spawn(func() { c.post(serverPrefsRead{readServerPrefs(dir, c.cfg.Log.Warn)}) })
	}
}

// followWatch runs the re-check triggers (Config.Watch) exactly while
// signed in: it starts them on entering SignedIn and stops them on
// leaving it. Run calls it after every message.
func (c *Core) followWatch() {
	on := c.state.Phase == SignedIn
	switch {
	case c.cfg.Watch == nil || on == (c.watchStop != nil):
	case on:
		ctx, stop := context.WithCancel(c.ctx)
		c.watchStop = stop
		w := c.cfg.Watch(ctx)
		c.watch = w
		c.spawn(func() {
			for {
				select {
				case why := <-w.C():
					c.post(cmdRecheck{why})
				case <-ctx.Done():
					return
				}
			}
		})
	default:
		c.watchStop()
		c.watchStop, c.watch = nil, nil
	}
}

// applyServers handles this file's messages; false for any other.
func (c *Core) applyServers(m msg) bool {
	switch m := m.(type) {
	case cmdRecheck:
		if c.state.Phase != SignedIn {
			break
		}
		if c.state.Unverified && c.retryCancel != nil {
			// plex.tv was unreachable: the new network (or the machine,
			// awake again) may reach it, so ask now rather than when the
			// backoff ends; a verified token starts the server check.
			c.cfg.Log.Info("asking plex.tv again", "why", m.why.String())
			c.retryCancel()
			c.retryCancel, c.retryWait = nil, 0
			tok := c.token
			c.spawn(func() { c.verify(tok) })
			break
		}
		c.cfg.Log.Info("checking the servers again", "why", m.why.String())
		c.startCheckFor(m.why)
	case watchCheckedReported:
	case serverPrefsRead:
		c.state.Servers.Notify = m.on
	case cmdToggleNotify:
		on := !c.state.Servers.Notify
		c.state.Servers.Notify = on
		if dir := c.cfg.Services.ConfigDir; dir != "" {
			c.spawn(func() { c.post(serverPrefsWritten{writeServerPrefs(dir, on)}) })
		}
	case serverPrefsWritten:
		if m.err != nil {
			c.cfg.Log.Warn("server notification setting not saved", "err", m.err)
		}
	case cmdCopyServerToken:
		c.copyServerToken(m.id)
	default:
		return false
	}
	return true
}

// serverPrefs is ServerPrefsFile's content.
type serverPrefs struct {
	Notify bool `json:"notify"`
}

// readServerPrefs: on unless the file says off (missing or damaged: on).
func readServerPrefs(dir string, warn func(string, ...any)) bool {
	b, err := os.ReadFile(filepath.Join(dir, ServerPrefsFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			warn("server notification setting unreadable; notifications stay on", "err", err)
		}
		return true
	}
	var p serverPrefs
	if err := json.Unmarshal(b, &p); err != nil {
		warn("server notification setting damaged; notifications stay on", "err", err)
		return true
	}
	return p.Notify
}

func writeServerPrefs(dir string, on bool) error {
	b, _ := json.Marshal(serverPrefs{Notify: on})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving the server notification setting: %w", err)
	}
	if err := fsutil.WriteFile(filepath.Join(dir, ServerPrefsFile), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the server notification setting: %w", err)
	}
	return nil
}

// copyServerToken copies a server's own token (from the last list, which
// the active profile's token fetched) and clears it later.
func (c *Core) copyServerToken(id string) {
	if c.table == nil {
		return
	}
	i, ok := c.table.Index(id)
	if !ok {
		return
	}
	srv := c.table.Server(i)
	tok := srv.AccessToken
	if srv.AccessTokenErr != nil {
		c.say(Notice{Kind: NoticeCopyFailed, What: CopiedServerToken, Err: srv.AccessTokenErr})
		return
	}
	if tok.IsZero() {
		c.say(Notice{Kind: NoticeCopyFailed, What: CopiedServerToken, Err: ErrNoServerToken})
		return
	}
	c.secret(tok)
	c.copySecret(tok, CopiedServerToken)
}

// ErrNoServerToken: plex.tv listed no token of its own for the server.
var ErrNoServerToken = errors.New("plex.tv lists no token for this server")

// copySecret copies tok and clears it from the clipboard after
// ClearClipboardAfter if it is still there (the account token's path).
func (c *Core) copySecret(tok plextv.Token, what Copied) {
	c.copySecretFor(tok, what, max(c.cfg.ClearClipboardAfter, 0))
}

// copySecretFor is copySecret clearing after ttl (0: never).
func (c *Core) copySecretFor(tok plextv.Token, what Copied, ttl time.Duration) {
	if c.clearCancel != nil {
		c.clearCancel()
		c.clearCancel = nil
	}
	ctx := c.ctx
	if ttl > 0 {
		ctx, c.clearCancel = context.WithCancel(c.ctx)
		c.clearing = tok
	}
	c.spawn(func() {
		err := c.copy(tok.Reveal())
		c.post(copied{what: what, ttl: ttl, err: err})
		if err != nil || ttl <= 0 || !c.sleep(ctx, ttl) {
			return
		}
		c.post(clipCleared{c.clearClipboard(tok.Reveal())})
	})
}

// serverChanges notifies what changed between the last finished check
// and this one (servers present in both, by clientIdentifier).
func (c *Core) serverChanges(list []servers.Server) {
	prev := c.lastList
	c.lastList = list
	if prev == nil || !c.state.Servers.Notify || c.cfg.Notifier == nil {
		return
	}
	before := make(map[string]servers.Server, len(prev))
	for _, s := range prev {
		before[s.ClientIdentifier] = s
	}
	now := c.clk.Now()
	for _, s := range list {
		old, ok := before[s.ClientIdentifier]
		if !ok || s.ClientIdentifier == "" {
			continue
		}
		n := Notice{Title: s.Name, ServerID: s.ClientIdentifier}
		oc, wasUp := old.BestConnection()
		nc, isUp := s.BestConnection()
		switch {
		case wasUp && !isUp:
			n.Kind = NoticeServerOffline
			n.FromClass = servers.ClassOf(oc)
			n.Server = &s
		case !wasUp && isUp:
			n.Kind, n.Class = NoticeServerBack, servers.ClassOf(nc)
		case wasUp && isUp && servers.ClassOf(oc) != servers.ClassOf(nc):
			n.Kind, n.FromClass, n.Class = NoticeServerClass, servers.ClassOf(oc), servers.ClassOf(nc)
		default:
			continue
		}
		if last, ok := c.notifiedAt[s.ClientIdentifier]; ok && now.Sub(last) < ServerNotifyGap {
			c.cfg.Log.Info("server change not notified (too soon after the last)", "server", s.ClientIdentifier)
			continue
		}
		if c.notifiedAt == nil {
			c.notifiedAt = map[string]time.Time{}
		}
		c.notifiedAt[s.ClientIdentifier] = now
		st := c.state.clone()
		c.spawn(func() { c.notifyNow(n, st) })
	}
}

// reportChecked tells the watcher a check ran for another reason, so its
// idle timer restarts.
func (c *Core) reportChecked() {
	if w := c.watch; w != nil {
		c.spawn(func() { w.Checked(); c.post(watchCheckedReported{}) })
	}
}
