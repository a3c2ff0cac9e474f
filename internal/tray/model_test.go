package tray

import (
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/desktop"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

// visible lists the visible items' titles.
func visible(m Model) []string {
	var out []string
	for _, it := range m.Items {
		if it.Visible {
			out = append(out, it.Title)
		}
	}
	return out
}

func TestRenderPhases(t *testing.T) {
	o := Options{Version: "1.2.3"}
	for _, tc := range []struct {
		name  string
		state core.State
		want  []string
		icon  Icon
	}{
		{"signed out", core.State{Phase: core.SignedOut},
			[]string{"Not signed in", "Sign in with a code…", "Sign in with your browser's Plex session…", "Start at login", "About plextray 1.2.3", "Quit"}, IconSignedOut},
		{"signing in", core.State{Phase: core.SigningIn, Code: "7RQZ", URL: "https://plex.tv/link/?pin=7RQZ"},
			[]string{"Signing in…", "Code: 7RQZ (click to copy)", "Open plex.tv/link again", "Copy link", "Cancel sign-in", "Start at login", "About plextray 1.2.3", "Quit"}, IconSigningIn},
		{"one-click", core.State{Phase: core.SigningIn, Method: signin.Browser, Code: "longcode", URL: "https://app.plex.tv/auth#?code=longcode"},
			[]string{"Signing in with your browser…", "Open the Plex sign-in page again", "Copy link", "Cancel sign-in", "Start at login", "About plextray 1.2.3", "Quit"}, IconSigningIn},
		{"locked", core.State{Phase: core.Locked, Keychain: keychain.ErrLocked},
			[]string{"Your token is in a locked keyring", "Keychain: locked; unlock, then Try again", "Sign in with a code…", "Sign in with your browser's Plex session…", "Start at login", "About plextray 1.2.3", "Quit", "Try again"}, IconError},
		{"signed in", core.State{Phase: core.SignedIn, Username: "demo", Name: "Demo User"},
			[]string{"Signed in as Demo User", "Copy token", "Copy claim token", "Servers", "Sign out", "Start at login", "About plextray 1.2.3", "Quit", "Tokens for tools"}, IconSignedIn},
		{"error", core.State{Phase: core.SignedIn, Unverified: true, Notice: core.Notice{Kind: core.NoticeUnreachable, Err: &plextv.StatusError{StatusCode: 503}, Wait: 15 * time.Second}},
			[]string{"Signed in (not yet confirmed by plex.tv)", "plex.tv is having trouble (HTTP 503)", "Copy token", "Copy claim token", "Servers", "Sign out", "Start at login", "About plextray 1.2.3", "Quit", "Tokens for tools"}, IconPlexTVDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Render(tc.state, o)
			if got := visible(m); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("items\n got %q\nwant %q", got, tc.want)
			}
			if m.Icon != tc.icon {
				t.Fatalf("icon %v, want %v", m.Icon, tc.icon)
			}
			if !strings.HasPrefix(m.Tooltip, "plextray — ") {
				t.Fatalf("tooltip %q", m.Tooltip)
			}
		})
	}
}

func TestStatusLinesAreNotClickable(t *testing.T) {
	m := Render(core.State{Phase: core.SignedIn, Username: "x", Notice: core.Notice{Kind: core.NoticeCancelled}, Keychain: keychain.ErrUnavailable}, Options{})
	for _, k := range []Key{KeyStatus, KeyDetail, KeyHint} {
		if !m.Items[k].Visible || m.Items[k].Enabled {
			t.Fatalf("item %d: %+v", k, m.Items[k])
		}
	}
	// The hint fits the menu; the tooltip has all of it.
	if h := m.Items[KeyHint].Title; h != "Keychain: none; install gnome-keyring" || !strings.Contains(m.Tooltip, "No Secret Service is running: install and start gnome-keyring") {
		t.Fatalf("hint %q tooltip %q", h, m.Tooltip)
	}
}

func TestClipboardHintOnCopyItems(t *testing.T) {
	m := Render(core.State{Phase: core.SignedIn, Username: "x", Clipboard: desktop.ErrNoClipboard}, Options{})
	if !strings.Contains(m.Items[KeyCopyToken].Tooltip, "xclip") || !strings.Contains(m.Items[KeyHint].Title, "xclip") {
		t.Fatalf("%+v", m.Items[KeyCopyToken])
	}
}

func TestRenderServers(t *testing.T) {
	st := core.State{Phase: core.SignedIn, Username: "x", Servers: core.Servers{List: snapshot(
		servers.Server{ClientIdentifier: "a", Name: "Living Room", Owned: true, Best: "https://a:1", BestIndex: 0, Decided: true,
			URI: "https://a:1", URIKind: servers.URIBest,
			Connections: []servers.Connection{{URI: "https://a:1", Protocol: "https", Local: true, State: servers.Reachable, Latency: 4 * time.Millisecond}}},
		servers.Server{ClientIdentifier: "b", Name: "Old NAS", Owned: true, BestIndex: -1, Decided: true,
			Connections: []servers.Connection{{URI: "http://b:1", Protocol: "http", State: servers.Refused}}},
	)}}
	m := Render(st, Options{}).Servers
	// A server's row is what a click copies: its best URI.
	if r := m.List[0]; len(m.List) != 2 || r.Row.Title != "Living Room — local · 4 ms" || !r.Row.Enabled || r.Row.Tooltip != "https://a:1" || r.Best != "https://a:1" || r.Name != "Living Room" {
		t.Fatalf("%+v", m.List)
	}
	if r := m.List[1]; r.Row.Enabled || r.Best != "" || r.Row.Title != "Old NAS — offline" || m.List[0].Connections[0].Title != "a:1 — local · 4 ms" || r.Connections[0].Title != "http://b:1 — remote http · refused" {
		t.Fatalf("%+v", m.List)
	}
	if !m.CheckAgain.Enabled || m.Note.Visible {
		t.Fatalf("%+v", m)
	}
	st.Servers.Checking, st.Servers.List = true, servers.Snapshot{}
	m = Render(st, Options{}).Servers
	if m.CheckAgain.Enabled || m.Note.Title != "Checking…" {
		t.Fatalf("%+v", m)
	}
}

// A friend controls a shared server's name and sourceTitle, and plex.tv
// the URIs: the menu shows them as one clean, short line each.
func TestHostileServerNamesAreOneCleanLine(t *testing.T) {
	hostile := "Evil\n\x1b[2J\x1b]0;pwned\x07\u202eredoc " + strings.Repeat("A", 10_000)
	st := core.State{Phase: core.SignedIn, Username: "bob\x1b[31m\nroot", Servers: core.Servers{List: snapshot(
		servers.Server{Name: hostile, SourceTitle: hostile, BestIndex: 0, Decided: true, Best: "https://user:secret@a:1",
			Connections: []servers.Connection{{URI: "https://user:secret@a:1\n\x1b[2J", Protocol: "https", State: servers.Reachable, Latency: time.Millisecond}}},
	)}}
	m := Render(st, Options{})
	titles := []string{m.Items[KeyStatus].Title, m.Tooltip, m.Servers.List[0].Row.Title, m.Servers.List[0].Row.Tooltip, m.Servers.List[0].Name, m.Servers.List[0].Connections[0].Title}
	for _, title := range titles {
		if strings.ContainsAny(title, "\n\r\x1b\x07\u202e") || strings.Contains(title, "secret") {
			t.Errorf("unsafe label %q", title)
		}
		if n := len([]rune(title)); n > 300 {
			t.Errorf("label of %d runes", n)
		}
	}
	for _, title := range []string{m.Items[KeyStatus].Title, m.Servers.List[0].Row.Title, m.Servers.List[0].Name, m.Servers.List[0].Connections[0].Title} {
		if n := len([]rune(title)); n > maxLabel {
			t.Errorf("label of %d runes: %q", n, title)
		}
	}
	if r := m.Servers.List[0].Row.Title; !strings.HasPrefix(r, "Evil") || !strings.Contains(r, "…") || !strings.HasSuffix(r, " — remote · 1 ms") {
		t.Errorf("row %q", r)
	}
}

// snapshot is the immutable server list the core publishes.
func snapshot(list ...servers.Server) servers.Snapshot { return servers.NewTable(list).Snapshot() }

// Only the Locked phase has "Try again": no other state tells the person
// to click it (signed in after the keyring refused the new token, or a
// removal the locked keyring refused).
func TestTryAgainIsNamedOnlyWhenOffered(t *testing.T) {
	for _, st := range []core.State{
		{Phase: core.SignedIn, Username: "demo", Keychain: keychain.ErrLocked, Notice: core.Notice{Kind: core.NoticeSignedIn}},
		{Phase: core.SignedOut, Notice: core.Notice{Kind: core.NoticeKeychainFailed, Err: keychain.ErrLocked}},
	} {
		m := Render(st, Options{})
		n, _ := Notify(st.Notice, st)
		for _, text := range []string{m.Items[KeyDetail].Title, m.Items[KeyHint].Title, m.Tooltip, n.Body} {
			if strings.Contains(text, "Try again") && !m.Items[KeyTryAgain].Visible {
				t.Errorf("%v: %q names Try again, which the menu does not show", st.Phase, text)
			}
		}
		if !strings.Contains(m.Items[KeyHint].Title+m.Items[KeyDetail].Title, "locked") {
			t.Errorf("%v: the lock is not named: %q / %q", st.Phase, m.Items[KeyHint].Title, m.Items[KeyDetail].Title)
		}
	}
}
