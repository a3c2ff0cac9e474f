package tray

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func up(name, id string, local bool) servers.Server {
	return servers.Server{ClientIdentifier: id, Name: name, Owned: true, Best: "https://" + id + ":1", BestIndex: 0, Decided: true,
		URI: "https://" + id + ":1", URIKind: servers.URIBest,
		AccessToken: plextv.Token("tok-" + id),
		Connections: []servers.Connection{{URI: "https://" + id + ":1", Protocol: "https", Local: local, State: servers.Reachable, Latency: 4 * time.Millisecond}}}
}

func down(name, id string, seen time.Time) servers.Server {
	return servers.Server{ClientIdentifier: id, Name: name, Owned: true, BestIndex: -1, URIIndex: -1, Decided: true, LastSeenAt: seen,
		Connections: []servers.Connection{{URI: "http://" + id + ":1", Protocol: "http", State: servers.Refused}}}
}

func signedIn(list ...servers.Server) core.State {
	tab := servers.NewTable(list)
	return core.State{Phase: core.SignedIn, Username: "x", Now: now, Servers: core.Servers{
		List: tab.Snapshot(), Counts: tab.Counts(), LastCounts: tab.Counts(), Checked: now.Add(-2 * time.Minute), Notify: true, AllChanged: true}}
}

func TestServersSubmenu(t *testing.T) {
	st := signedIn(up("Living Room", "a", true), down("Cabin", "b", now.Add(-75*time.Hour)))
	m := Render(st, Options{})
	sm := m.Servers
	if sm.Checked.Title != "Checked at 11:58" || !sm.Checked.Visible {
		t.Fatalf("checked %+v", sm.Checked)
	}
	if !sm.Notify.Checked || sm.Notify.Title != "Notify me about servers" || sm.DNS.Visible {
		t.Fatalf("%+v %+v", sm.Notify, sm.DNS)
	}
	if sm.List[1].Row.Title != "Cabin — offline · last seen 3 days ago" || sm.List[1].Row.Enabled || sm.List[1].Name != "Cabin" {
		t.Fatalf("%+v", sm.List[1])
	}
	if it := m.Items[KeyServerDetails]; !it.Visible || it.Title != "Server details" {
		t.Fatalf("Server details %+v", it)
	}
	if !sm.List[0].CopyToken.Enabled || sm.List[1].CopyToken.Enabled || sm.List[0].CopyToken.Title != "Copy server token" {
		t.Fatalf("%+v %+v", sm.List[0].CopyToken, sm.List[1].CopyToken)
	}
	// Open Plex Web: a local server's own /web, else the web app on the
	// server's library (PLEXTRAY_APP_URL's, here the default).
	if w := sm.List[0]; w.Web != "https://a:1/web" || !w.OpenWeb.Enabled || w.OpenWeb.Title != "Open Plex Web" {
		t.Fatalf("Living Room's Open Plex Web: %q %+v", w.Web, w.OpenWeb)
	}
	if w := sm.List[1]; w.Web != "https://app.plex.tv/desktop/#!/media/b/com.plexapp.plugins.library" || !strings.Contains(w.OpenWeb.Tooltip, "web app") {
		t.Fatalf("Cabin's Open Plex Web: %q %+v", w.Web, w.OpenWeb)
	}
	if w := Render(st, Options{AppURL: "http://127.0.0.1:32499"}).Servers.List[1].Web; w != "http://127.0.0.1:32499/desktop/#!/media/b/com.plexapp.plugins.library" {
		t.Fatalf("with another app URL: %q", w)
	}
	if m.Items[KeyCopyClaim].Title != "Copy claim token" || !m.Items[KeyCopyClaim].Visible || !strings.Contains(m.Items[KeyCopyClaim].Tooltip, "4 minutes") {
		t.Fatalf("Copy claim token: %+v", m.Items[KeyCopyClaim])
	}
	if m.Icon != IconSignedIn || !strings.Contains(m.Tooltip, "1 of 2 servers reachable") {
		t.Fatalf("icon %v tooltip %q", m.Icon, m.Tooltip)
	}
	// The token never shows in a label.
	for _, it := range []Item{sm.List[0].CopyToken, sm.List[0].Row} {
		if strings.Contains(it.Title+it.Tooltip, "tok-a") {
			t.Fatalf("token in %+v", it)
		}
	}

	st.Servers.Checking, st.Servers.Trigger = true, netwatch.NetworkChanged
	if got := Render(st, Options{}).Servers.Checked.Title; got != "Checked at 11:58; checking again (network changed)…" {
		t.Fatalf("%q", got)
	}
	// A check of another day says which.
	st.Servers.Checking, st.Servers.Checked = false, now.Add(-13*time.Hour)
	if got := Render(st, Options{}).Servers.Checked.Title; got != "Checked at 23:00 on 29 Nov" {
		t.Fatalf("%q", got)
	}
}

func TestHealthAtAGlance(t *testing.T) {
	none := signedIn(down("Cabin", "b", time.Time{}), down("Shed", "c", time.Time{}))
	m := Render(none, Options{})
	if m.Icon != IconNoServer || !strings.Contains(m.Tooltip, "none of your 2 servers is reachable") {
		t.Fatalf("icon %v tooltip %q", m.Icon, m.Tooltip)
	}
	// A check running meanwhile changes neither until it ends.
	none.Servers.Checking, none.Servers.Counts = true, servers.Counts{Servers: 2}
	if m2 := Render(none, Options{}); m2.Icon != IconNoServer || m2.Tooltip != m.Tooltip {
		t.Fatalf("while checking: icon %v tooltip %q", m2.Icon, m2.Tooltip)
	}
	good := signedIn(up("Living Room", "a", true))
	if m := Render(good, Options{}); m.Icon != IconSignedIn || !strings.Contains(m.Tooltip, "all good") {
		t.Fatalf("icon %v tooltip %q", m.Icon, m.Tooltip)
	}
	if m := Render(good, Options{}); m.Items[KeyDetail].Title != "All good: every server reachable" {
		t.Fatalf("detail %+v", m.Items[KeyDetail])
	}
	unverified := good
	unverified.Unverified = true
	unverified.Notice = core.Notice{Kind: core.NoticeUnreachable, Err: errors.New("dial tcp: refused"), Wait: time.Minute}
	if m := Render(unverified, Options{}); m.Icon != IconPlexTVDown || !strings.Contains(m.Tooltip, "Can't reach plex.tv") || strings.Contains(m.Tooltip, "dial tcp") {
		t.Fatalf("icon %v tooltip %q", m.Icon, m.Tooltip)
	}
}

// The four states of health each have their own icon, tooltip and top
// line, and the server rows say so when plex.tv fails mid-session.
func TestFourHealthStates(t *testing.T) {
	offline := down("Cabin", "c", time.Time{}) // offline at plex.tv: never counts against health
	gone := down("Living Room", "a", time.Time{})
	gone.Presence = true // online at plex.tv, nothing reaches it from here
	checked := time.Date(2026, 12, 2, 14, 32, 0, 0, time.Local)
	failing := signedIn(up("Living Room", "a", true), offline)
	failing.Servers.Checked = checked
	failing.Servers.Err = &plextv.StatusError{Op: "resources", StatusCode: 503}
	for _, tc := range []struct {
		name          string
		st            core.State
		icon          Icon
		tooltip, line string
	}{
		{"all good", signedIn(up("Living Room", "a", true), offline), IconSignedIn,
			"all good: 1 of 2 servers reachable, 1 offline at plex.tv", "All good: 1 of 2 reachable, 1 offline"},
		{"online but unreachable", signedIn(gone, up("Dad", "b", false), offline), IconSomeUnreachable,
			"1 of 3 servers reachable; 1 server is unreachable from here (online at plex.tv)", "1 server is unreachable from here"},
		{"none reachable", signedIn(gone, offline), IconNoServer,
			"none of your 2 servers is reachable", "No server is reachable from here"},
		{"plex.tv failing mid-session", failing, IconPlexTVDown,
			"plex.tv is having trouble (HTTP 503); servers as of 14:32", "plex.tv is having trouble (HTTP 503)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Render(tc.st, Options{})
			if m.Icon != tc.icon || m.Tooltip != "plextray — signed in as x — "+tc.tooltip || m.Items[KeyDetail].Title != tc.line {
				t.Fatalf("icon %v tooltip %q line %q", m.Icon, m.Tooltip, m.Items[KeyDetail].Title)
			}
		})
	}
	// A copy notice does not hide that things are not all good.
	failing.Notice = core.Notice{Kind: core.NoticeCopied, What: core.CopiedServerURI}
	m := NewRenderer(Options{}).Render(failing)
	if !strings.HasPrefix(m.Items[KeyDetail].Title, "plex.tv is having trouble") {
		t.Fatalf("line %q", m.Items[KeyDetail].Title)
	}
	if got := m.Servers.List[0].Row.Title; got != "Living Room — local · 4 ms (as of 14:32)" {
		t.Fatalf("row %q", got)
	}
}

func TestCopyURIWhenDNSBlocksPlexDirect(t *testing.T) {
	pd := "https://192-168-1-2.0123456789abcdef.plex.direct:32400"
	s := servers.Server{ClientIdentifier: "a", Name: "Attic", Owned: true, Best: pd, BestIndex: 0, Decided: true,
		Connections: []servers.Connection{{URI: pd, Protocol: "https", Local: true, Address: "192.168.1.2", Port: 32400,
			State: servers.Reachable, DNS: servers.DNSFailed, ViaAddress: true}}}
	cases := []struct {
		kind servers.URIKind
		uri  string
		tip  string
	}{
		{servers.URIOther, "https://203.0.113.7:32400", "https://203.0.113.7:32400 (the best one, " + pd + ", needs plex.direct DNS, which this network blocks)"},
		{servers.URINeedsDNS, pd, pd + " (needs plex.direct DNS, blocked here: allow plex.direct in your router's DNS-rebinding protection)"},
	}
	for _, c := range cases {
		s.URIKind, s.URI = c.kind, c.uri
		st := signedIn(s)
		st.Servers.DNSBlocked = true
		m := Render(st, Options{}).Servers
		if r := m.List[0]; r.Best != c.uri || !r.Row.Enabled || r.Row.Tooltip != c.tip || r.Row.Title != "Attic — local · <1 ms" {
			t.Errorf("%v: copies %q as %+v", c.kind, r.Best, r.Row)
		}
		// The copy's confirmation says what the tooltip says.
		no, ok := Notify(core.Notice{Kind: core.NoticeCopied, What: core.CopiedServerURI, Text: c.uri}, st)
		if want := c.kind == servers.URINeedsDNS; !ok || no.Title != "Server URI copied" || !strings.HasPrefix(no.Body, c.uri) || strings.Contains(no.Body, "plex.direct DNS") != want {
			t.Errorf("%v: notification %+v", c.kind, no)
		}
		if !m.DNS.Visible || !strings.Contains(m.DNS.Title, "plex.direct") || !strings.Contains(m.DNS.Tooltip, "rebinding") {
			t.Errorf("DNS note %+v", m.DNS)
		}
	}
	// DNS fine: the best URI, plainly.
	s.Connections[0].DNS = servers.DNSResolved
	s.URIKind, s.URI = servers.URIBest, pd
	if m := Render(signedIn(s), Options{}).Servers; m.List[0].Best != pd || m.List[0].Row.Tooltip != pd || m.DNS.Visible {
		t.Fatalf("%+v", m.List[0].Row)
	}
	// Its connection's label is short; what it copies is not.
	if c := Render(signedIn(s), Options{}).Servers.List[0].Connections[0]; c.URI != pd || c.Title != "192-168-1-2.…plex.direct:32400 — local · <1 ms" {
		t.Fatalf("%+v", c)
	}
}

// The Renderer re-renders only the rows the core says changed.
func TestRendererRendersChangedRowsOnly(t *testing.T) {
	list := []servers.Server{up("A", "a", true), up("B", "b", true), up("C", "c", true)}
	tab := servers.NewTable(list)
	r := NewRenderer(Options{})
	st := signedIn(list...)
	m := r.Render(st)
	if !m.Servers.All || len(m.Servers.List) != 3 {
		t.Fatalf("first: %+v", m.Servers)
	}
	b := down("B", "b", time.Time{})
	tab.Dirty()
	tab.Apply(servers.Event{Kind: servers.ServerChecked, Index: 1, ID: "b", Server: b})
	st.Servers.List, st.Servers.Changed, st.Servers.AllChanged = tab.Snapshot(), tab.Dirty(), false
	m = r.Render(st)
	if m.Servers.All || len(m.Servers.Changed) != 1 || m.Servers.Changed[0] != 1 || m.Servers.List[1].Row.Title != "B — offline" || m.Servers.List[0].Row.Title != "A — local · 4 ms" {
		t.Fatalf("%+v", m.Servers)
	}
	// Signed out: every row goes; signed in again: all drawn.
	if m := r.Render(core.State{Phase: core.SignedOut}); !m.Servers.All || len(m.Servers.List) != 0 {
		t.Fatalf("%+v", m.Servers)
	}
	st.Servers.AllChanged = false
	if m := r.Render(st); !m.Servers.All || len(m.Servers.List) != 3 {
		t.Fatalf("%+v", m.Servers)
	}
	// A new minute redraws "last seen" words.
	st.Now = st.Now.Add(time.Minute)
	if m := r.Render(st); !m.Servers.All {
		t.Fatal("a new minute keeps old words")
	}
}

func TestServerNotifications(t *testing.T) {
	cases := []struct {
		n           core.Notice
		title, body string
	}{
		{core.Notice{Kind: core.NoticeServerOffline, Title: "Living Room", FromClass: servers.ClassLocal}, "Living Room is offline", "No connection answers any more (it was reachable locally)."},
		{core.Notice{Kind: core.NoticeServerBack, Title: "Living Room", Class: servers.ClassRelay}, "Living Room is back", "Reachable again through a Plex relay."},
		{core.Notice{Kind: core.NoticeServerClass, Title: "Dad\x1b", FromClass: servers.ClassLocal, Class: servers.ClassRelay}, "Dad is now reachable through a Plex relay only", "Its best connection changed from local to relay."},
	}
	for _, c := range cases {
		got, ok := Notify(c.n, core.State{})
		if !ok || got.Title != c.title || got.Body != c.body {
			t.Errorf("%v: %+v", c.n.Kind, got)
		}
	}
}

// A server that stops answering is notified in the menu's words for it:
// not "offline" when plex.tv reports it online.
func TestServerOfflineNotificationUsesTheMenuWords(t *testing.T) {
	gone := down("Living Room", "a", time.Time{})
	gone.Presence = true
	st := signedIn(gone)
	n := core.Notice{Kind: core.NoticeServerOffline, Title: "Living Room", ServerID: "a", FromClass: servers.ClassLocal, Server: &gone}
	no, ok := Notify(n, st)
	row := Render(st, Options{}).Servers.List[0].Row.Title
	if !ok || no.Title != row || no.Title != "Living Room — unreachable from here (online at plex.tv)" {
		t.Fatalf("notification %+v, row %q", no, row)
	}
}

func TestClaimTokenWords(t *testing.T) {
	st := signedIn()
	st.Notice = core.Notice{Kind: core.NoticeTokenCopied, What: core.CopiedClaimToken, Wait: 4 * time.Minute}
	if got := noticeLine(st); !strings.Contains(got, "Claim token copied") || !strings.Contains(got, "4m0s") {
		t.Errorf("copied: %q", got)
	}
	if no, _ := Notify(st.Notice, st); no.Title != "Claim token copied" || !strings.Contains(no.Body, "PLEX_CLAIM") {
		t.Errorf("notification %+v", no)
	}
	st.Notice = core.Notice{Kind: core.NoticeCopyFailed, What: core.CopiedClaimToken, Err: &plextv.StatusError{Op: "claim token", StatusCode: 503}}
	if got := noticeLine(st); got != "No claim token: plex.tv is having trouble (HTTP 503)" {
		t.Errorf("plex.tv failed: %q", got)
	}
	st.Notice = core.Notice{Kind: core.NoticeCopyFailed, What: core.CopiedClaimToken, Err: errors.New("xclip: not found")}
	if got := noticeLine(st); !strings.HasPrefix(got, "Couldn't copy") {
		t.Errorf("clipboard failed: %q", got)
	}
}
