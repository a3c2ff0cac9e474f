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
// server's own token. A click on a server's row copies what `plextray
// uri` prints, onto the real clipboard.
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
	// Attic's details: its connection, the plex.direct name shortened in
	// the label (what it copies is not), within 60 characters.
	attic := lay.Find("Server details").Find("Attic")
	if attic == nil || !attic.Submenu {
		t.Fatalf("no Attic under Server details:\n%s", lay.Tree())
	}
	c := attic.Find("127-0-0-1.…plex.direct:")
	if c == nil || !strings.Contains(c.Label, "— local · ") || len([]rune(c.Label)) > 60 {
		t.Fatalf("Attic's connection:\n%s", lay.Tree())
	}
	if err := tr.Click(c.ID); err != nil {
		t.Fatal(err)
	}
	w.waitClipboard("Attic's whole plex.direct URI", func(s string) bool {
		return strings.HasPrefix(s, "https://127-0-0-1.") && strings.HasSuffix(strings.Split(s, ":")[1], ".plex.direct") && !strings.Contains(s, "…")
	})
	for _, l := range lay.Labels() {
		if n := len([]rune(strings.TrimSpace(l))); n > 60 {
			t.Errorf("a row of %d characters: %q", n, l)
		}
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
	item := lay.Find("Server details").Find("Dad's Plex (shared)")
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
		if c.Visible && strings.Contains(c.Label, " — ") {
			rows = append(rows, c.Label)
		}
	}
	if len(rows) != 50 {
		t.Fatalf("%d server rows, want 50:\n%s", len(rows), lay.Tree())
	}
	var details []string
	for _, c := range lay.Find("Server details").Children {
		if c.Visible && c.Submenu {
			details = append(details, c.Label)
		}
	}
	if len(details) != 50 {
		t.Fatalf("%d servers under Server details, want 50:\n%s", len(details), lay.Tree())
	}
	if last := servers.Children[len(servers.Children)-1]; last.Label != more || !last.Visible {
		t.Fatalf("the last row is %q, want %q", last.Label, more)
	}
	tr.WaitLook(t, "the tooltip counting every server", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, fmt.Sprint(total))
	}, wait)
	quit(t, app, tr)
}

// copyURIMatchesCLI: for every demo server, a click on its row in the
// Servers submenu (a leaf: one click) copies exactly what `plextray uri
// NAME` prints, and a server with nothing to copy, whose row is disabled,
// is one `uri` fails for (one URI policy for both).
func copyURIMatchesCLI(t *testing.T, w *world, tr *desktop.Tray, lay desktop.MenuItem) {
	t.Helper()
	for _, s := range []struct{ row, name string }{
		{"Living Room — ", "Living Room"}, {"Dad's Plex (shared) — ", "Dad's Plex"}, {"Cabin — ", "Cabin"}, {"Attic — ", "Attic"},
	} {
		row := lay.Find("Servers").Find(s.row)
		if row == nil || row.Submenu {
			t.Fatalf("%s: no row to click in Servers:\n%s", s.name, lay.Tree())
		}
		code, out, errb := w.cli("", "uri", s.name)
		if !row.Enabled {
			if code == 0 {
				t.Fatalf("%s: row disabled (%q), but uri printed %q", s.name, row.Label, out)
			}
			continue
		}
		if code != 0 {
			t.Fatalf("%s: row enabled, but uri exit %d: %s", s.name, code, errb)
		}
		if err := tr.Click(row.ID); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(out)
		w.waitClipboard(s.name+"'s URI as `uri` prints it, "+want, func(c string) bool { return c == want })
	}
}
