//go:build linux

package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestHealthIcon: the icon (as a panel reads it over D-Bus), the tooltip
// and the menu's top lines tell four states apart: all good (Cabin,
// offline at plex.tv, does not count), a server plex.tv reports online
// that nothing reaches from here, and plex.tv failing mid-session (the
// rows then say which check they are from); and all good again after.
func TestHealthIcon(t *testing.T) {
	// A loaded machine can take over a second for a TLS answer: a probe
	// timeout that never turns a live server unreachable by accident.
	w := newWorld(t, desktop.Options{}, "PLEXTRAY_PROBE_TIMEOUT=5s")
	app, tr := w.start()
	w.signIn(tr)
	tr.WaitFor(t, "servers checked", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — local") != nil && m.Find("Cabin — offline") != nil && has("All good: ")(m)
	}, wait)
	good := tr.WaitLook(t, "all good", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "— all good: ") && len(l.Icon) > 0
	}, wait)

	// Living Room stops answering; plex.tv still reports it online.
	for _, name := range []string{"Living Room", "Living Room (remote)"} {
		if err := w.sim.FindPMS(name).SetBehavior(plextvsim.PMSBehavior{Down: true}); err != nil {
			t.Fatal(err)
		}
	}
	tr.ClickLabel(t, "Check again")
	tr.WaitFor(t, "Living Room unreachable", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — unreachable from here (online at plex.tv)") != nil &&
			has("1 server is unreachable from here")(m)
	}, wait)
	some := tr.WaitLook(t, "the unreachable icon", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "1 server is unreachable from here (online at plex.tv)") && len(l.Icon) > 0 && !bytes.Equal(l.Icon, good.Icon)
	}, wait)
	// The notification says what the menu says.
	w.d.WaitNotification(t, func(n desktop.Notification) bool {
		return n.Summary == "Living Room — unreachable from here (online at plex.tv)"
	}, wait)
	for _, n := range w.d.Notifications() {
		if strings.Contains(n.Summary, "Living Room is offline") {
			t.Fatalf("notified %q while the menu says unreachable from here", n.Summary)
		}
	}

	// Back up, but plex.tv fails the list mid-session: the rows stay the
	// last good check's and say so.
	for _, name := range []string{"Living Room", "Living Room (remote)"} {
		if err := w.sim.FindPMS(name).SetBehavior(plextvsim.PMSBehavior{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503}); err != nil {
		t.Fatal(err)
	}
	tr.ClickLabel(t, "Check again")
	tr.WaitFor(t, "plex.tv failing", func(m desktop.MenuItem) bool {
		return has("plex.tv is having trouble (HTTP 503)")(m) &&
			m.Find("Living Room — unreachable from here (as of ") != nil
	}, wait)
	down := tr.WaitLook(t, "the plex.tv icon", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "plex.tv is having trouble (HTTP 503)") && len(l.Icon) > 0
	}, wait)
	if bytes.Equal(down.Icon, good.Icon) || bytes.Equal(down.Icon, some.Icon) {
		t.Fatal("plex.tv failing shows the same icon as another state")
	}

	// plex.tv answers again: all good, the same icon as at first.
	w.sim.ClearFaults()
	tr.ClickLabel(t, "Check again")
	tr.WaitFor(t, "all good again", func(m desktop.MenuItem) bool {
		return m.Find("Living Room — local") != nil && has("All good: ")(m)
	}, wait)
	tr.WaitLook(t, "the all-good icon again", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "— all good: ") && bytes.Equal(l.Icon, good.Icon)
	}, wait)
	quit(t, app, tr)
}
