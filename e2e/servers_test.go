//go:build linux

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestServersStayCurrent: the tray re-checks on its own (here every 2 s:
// PLEXTRAY_RECHECK_INTERVAL), so after a network move the menu updates
// without a click and exactly one notification says what changed; a
// plex.direct server whose name this machine's DNS does not resolve is
// reachable over verified https and the submenu names the DNS problem;
// "Copy server token" and `plextray token --server` give the shared
// server's own token.
func TestServersStayCurrent(t *testing.T) {
	w := newWorld(t, desktop.Options{}, "PLEXTRAY_RECHECK_INTERVAL=2s")
	if err := w.sim.AddDemoPlexDirectServer(); err != nil {
		t.Fatal(err)
	}
	app, tr := w.start()
	w.signIn(tr)

	// Attic: https://127-0-0-1.<hash>.plex.direct, no DNS answer here,
	// reached by the address in its name with the certificate verified
	// (an unverified certificate would be "TLS error").
	lay := tr.WaitFor(t, "servers checked, DNS note", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — local") != nil && m.Find("Attic — local") != nil &&
			m.Find("Dad's Plex (shared) — relay") != nil && m.Find("Cabin — offline") != nil &&
			has("This network's DNS blocks plex.direct names")(m) && has("Checked ")(m)
	}, wait)
	attic := lay.Find("Attic — local")
	if c := attic.Find("https://127-0-0-1."); c == nil || !strings.Contains(c.Label, "— local · ") {
		t.Fatalf("Attic's connection:\n%s", lay.Tree())
	}
	if cp := attic.Find("Copy URI ("); cp == nil || !strings.Contains(cp.Label, "plex.direct") {
		t.Fatalf("Attic's Copy URI does not say it avoids the plex.direct name:\n%s", lay.Tree())
	}
	if n := serverNotifications(w); len(n) != 0 {
		t.Fatalf("notified before anything changed: %v", n)
	}
	copyURIMatchesCLI(t, w, tr, lay)

	// A network move: plex.tv no longer lists Living Room's fast
	// connection as local. No click: the next re-check shows it.
	if err := w.sim.SetConnection("Living Room", 0, plextvsim.ConnChange{Local: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	tr.WaitFor(t, "Living Room remote, without a click", has("Living Room — remote"), wait)
	w.d.WaitNotification(t, func(n desktop.Notification) bool {
		return strings.HasPrefix(n.Summary, "Living Room is now reachable remotely")
	}, wait)
	// Two more checks with nothing new: still one notification.
	for n := w.resourceRequests() + 2; w.resourceRequests() < n; {
		tr.WaitFor(t, "another check", func(desktop.MenuItem) bool { return w.resourceRequests() >= n }, wait)
	}
	if n := serverNotifications(w); len(n) != 1 {
		t.Fatalf("want exactly one server notification, got %v", n)
	}

	// Dad's Plex's own token, from the menu and from the command line.
	var dad string
	for _, r := range w.sim.Resources() {
		if r.Name == "Dad's Plex" {
			dad = r.AccessToken
		}
	}
	lay, _ = tr.Layout()
	item := lay.Find("Dad's Plex (shared) — ")
	if item == nil || item.Find("Copy server token") == nil {
		t.Fatalf("no Copy server token under Dad's Plex:\n%s", lay.Tree())
	}
	if err := tr.Click(item.Find("Copy server token").ID); err != nil {
		t.Fatal(err)
	}
	w.waitClipboard("Dad's Plex's token", func(s string) bool { return s == dad && dad != "" })
	code, out, errb := w.cli("", "token", "--server", "Dad's Plex")
	if code != 0 || out != dad+"\n" {
		t.Fatalf("token --server: exit %d %q %s", code, out, errb)
	}
	if strings.Contains(out+errb, w.storedToken()) {
		t.Fatal("the account's token printed")
	}
	code, out, errb = w.cli("", "uri", "Living Room")
	if code != 0 || out != w.sim.FindPMS("Living Room").URL()+"\n" {
		t.Fatalf("uri: exit %d %q %s", code, out, errb)
	}
	quit(t, app, tr)
}

func serverNotifications(w *world) []string {
	var out []string
	for _, n := range w.d.Notifications() {
		if strings.Contains(n.Summary, " is offline") || strings.Contains(n.Summary, " — unreachable from here") || strings.Contains(n.Summary, " — offline") ||
			strings.Contains(n.Summary, " is back") || strings.Contains(n.Summary, " is now reachable") {
			out = append(out, n.Summary)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// TestServersMenuCapped: with more servers than the menu shows, the
// Servers submenu lists 50 of them, the reachable owned ones among them,
// and a last row counting the rest; the tooltip counts every server.
func TestServersMenuCapped(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	refused, err := plextvsim.ClosedPortURL("https")
	if err != nil {
		t.Fatal(err)
	}
	const extra = 60 // beside the demo servers
	for i := range extra {
		if _, err := w.sim.AddServer(plextvsim.ServerSpec{Name: fmt.Sprintf("Bulk %02d", i), MachineIdentifier: fmt.Sprintf("%040x", 0xb000+i),
			Owned: true, Connections: []plextvsim.ConnSpec{{URI: refused, Local: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, r := range w.sim.Resources() {
		if strings.Contains(r.Provides, "server") {
			total++
		}
	}
	app, tr := w.start()
	w.signIn(tr)
	more := fmt.Sprintf("%d more… ('plextray servers' lists all)", total-50)
	lay := tr.WaitFor(t, "the last row counting the servers not shown", func(m desktop.MenuItem) bool {
		return has(more)(m) && has("Living Room — local")(m)
	}, wait)
	servers := lay.Find("Servers")
	var rows []string
	for _, c := range servers.Children {
		if c.Visible && c.Submenu {
			rows = append(rows, c.Label)
		}
	}
	if len(rows) != 50 {
		t.Fatalf("%d server rows, want 50:\n%s", len(rows), lay.Tree())
	}
	if last := servers.Children[len(servers.Children)-1]; last.Label != more || !last.Visible {
		t.Fatalf("the last row is %q, want %q", last.Label, more)
	}
	tr.WaitLook(t, "the tooltip counting every server", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, fmt.Sprint(total))
	}, wait)
	quit(t, app, tr)
}

// copyURIMatchesCLI: for every demo server, the tray's Copy URI copies
// exactly what `plextray uri NAME` prints, and a server with nothing to
// copy is one `uri` fails for (one URI policy for both).
func copyURIMatchesCLI(t *testing.T, w *world, tr *desktop.Tray, lay desktop.MenuItem) {
	t.Helper()
	for _, s := range []struct{ row, name string }{
		{"Living Room — ", "Living Room"}, {"Dad's Plex (shared) — ", "Dad's Plex"}, {"Cabin — ", "Cabin"}, {"Attic — ", "Attic"},
	} {
		row := lay.Find(s.row)
		if row == nil || row.Find("Copy URI") == nil {
			t.Fatalf("no Copy URI under %s:\n%s", s.name, lay.Tree())
		}
		cp := row.Find("Copy URI")
		code, out, errb := w.cli("", "uri", s.name)
		if !cp.Enabled {
			if code == 0 {
				t.Fatalf("%s: Copy URI disabled (%q), but uri printed %q", s.name, cp.Label, out)
			}
			continue
		}
		if code != 0 {
			t.Fatalf("%s: Copy URI enabled, but uri exit %d: %s", s.name, code, errb)
		}
		if err := tr.Click(cp.ID); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(out)
		w.waitClipboard(s.name+"'s URI as `uri` prints it, "+want, func(c string) bool { return c == want })
	}
}
