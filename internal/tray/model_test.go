package tray

import (
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/session"
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
	o := Options{Version: "1.2.3", AutostartOK: true}
	for _, tc := range []struct {
		name  string
		state session.State
		want  []string
		icon  Icon
	}{
		{"signed out", session.State{Phase: session.SignedOut},
			[]string{"Not signed in", "Sign in to Plex…", "Sign in with browser…", "Start at login", "About plextray 1.2.3", "Quit"}, IconSignedOut},
		{"signing in", session.State{Phase: session.SigningIn, Code: "7RQZ", URL: "https://plex.tv/link/?pin=7RQZ"},
			[]string{"Signing in…", "Code: 7RQZ (click to copy)", "Open plex.tv/link again", "Copy link", "Cancel sign-in", "Start at login", "About plextray 1.2.3", "Quit"}, IconSigningIn},
		{"one-click", session.State{Phase: session.SigningIn, Method: signin.Browser, Code: "longcode", URL: "https://app.plex.tv/auth#?code=longcode"},
			[]string{"Signing in with your browser…", "Open the Plex sign-in page again", "Copy link", "Cancel sign-in", "Start at login", "About plextray 1.2.3", "Quit"}, IconSigningIn},
		{"signed in", session.State{Phase: session.SignedIn, Username: "demo"},
			[]string{"Signed in as demo", "Copy token", "Servers", "Sign out", "Start at login", "About plextray 1.2.3", "Quit"}, IconSignedIn},
		{"error", session.State{Phase: session.SignedIn, Unverified: true, Status: "plex.tv unreachable", Problem: true},
			[]string{"Signed in (not yet confirmed by plex.tv)", "plex.tv unreachable", "Copy token", "Servers", "Sign out", "Start at login", "About plextray 1.2.3", "Quit"}, IconError},
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
	m := Render(session.State{Phase: session.SignedIn, Username: "x", Status: "hi", KeychainHint: "install gnome-keyring"}, Options{})
	for _, k := range []Key{KeyStatus, KeyDetail, KeyHint} {
		if !m.Items[k].Visible || m.Items[k].Enabled {
			t.Fatalf("item %d: %+v", k, m.Items[k])
		}
	}
	if !strings.Contains(m.Items[KeyHint].Title, "gnome-keyring") {
		t.Fatal(m.Items[KeyHint].Title)
	}
}

func TestClipboardHintOnCopyItems(t *testing.T) {
	m := Render(session.State{Phase: session.SignedIn, Username: "x", ClipboardHint: "install xclip or wl-clipboard (Linux)"}, Options{})
	if !strings.Contains(m.Items[KeyCopyToken].Tooltip, "xclip") || !strings.Contains(m.Items[KeyHint].Title, "xclip") {
		t.Fatalf("%+v", m.Items[KeyCopyToken])
	}
}

func TestRenderServers(t *testing.T) {
	st := session.State{Phase: session.SignedIn, Username: "x", Servers: session.Servers{List: []session.Server{
		{ID: "a", Name: "Living Room", Summary: "Living Room — local · 4 ms", Best: "https://a:1",
			Connections: []session.Connection{{URI: "https://a:1", Label: "local https · 4 ms", OK: true}}},
		{ID: "b", Name: "Old NAS", Summary: "Old NAS — offline"},
	}}}
	m := Render(st, Options{}).Servers
	if len(m.List) != 2 || m.List[0].Title != "Living Room — local · 4 ms" || !m.List[0].CopyURI.Enabled || m.List[0].CopyURI.Tooltip != "https://a:1" || m.List[0].Best != "https://a:1" {
		t.Fatalf("%+v", m.List)
	}
	if m.List[1].CopyURI.Enabled || m.List[0].Connections[0].Title != "https://a:1 — local https · 4 ms" {
		t.Fatalf("%+v", m.List)
	}
	if !m.CheckAgain.Enabled || m.Note.Visible {
		t.Fatalf("%+v", m)
	}
	st.Servers.Checking, st.Servers.List = true, nil
	m = Render(st, Options{}).Servers
	if m.CheckAgain.Enabled || m.Note.Title != "Checking…" {
		t.Fatalf("%+v", m)
	}
}
