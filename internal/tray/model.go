// Package tray shows the session's State in the system tray. model.go is
// pure (State → Model) and tested without a desktop; systray.go is the one
// file that imports fyne.io/systray.
package tray

import (
	"fmt"
	"strings"

	"github.com/plextray/plextray/internal/session"
	"github.com/plextray/plextray/internal/signin"
)

// Icon names the tray icon for a state.
type Icon int

const (
	IconSignedOut Icon = iota
	IconSigningIn
	IconSignedIn
	IconError
)

// Key names a fixed item of the menu skeleton.
type Key int

const (
	KeyStatus        Key = iota // "Signed in as …" / "Not signed in"
	KeyDetail                   // the latest message
	KeyHint                     // missing keychain or clipboard tool
	KeySignIn                   // "Sign in to Plex…"
	KeySignInBrowser            // "Sign in with browser…"
	KeyCode                     // "Code: ABCD (click to copy)"
	KeyOpenAgain                // "Open plex.tv/link again"
	KeyCopyLink                 // "Copy link"
	KeyCancel                   // "Cancel sign-in"
	KeyCopyToken                // "Copy token"
	KeyServers                  // "Servers" submenu
	KeySignOut                  // "Sign out"
	KeyAutostart                // "Start at login" checkbox
	KeyAbout                    // "About plextray …"
	KeyQuit                     // "Quit"
	numKeys
)

// Item is how one fixed item looks.
type Item struct {
	Title   string
	Tooltip string
	Visible bool
	Enabled bool
	Checked bool
}

// Model is the whole menu for one State.
type Model struct {
	Icon    Icon
	Tooltip string
	Items   [numKeys]Item
	Servers ServersModel
}

// ServersModel is the "Servers" submenu.
type ServersModel struct {
	CheckAgain Item
	Note       Item // "Checking…", "No servers", an error
	List       []ServerModel
}

// ServerModel is one server and its own submenu.
type ServerModel struct {
	ID          string
	Title       string
	Best        string // what "Copy URI" copies; "" if nothing answers
	CopyURI     Item
	Connections []ConnModel
}

// ConnModel is one connection line; clicking copies its URI.
type ConnModel struct {
	URI   string
	Title string
}

// Options are the settings the menu shows besides the session state.
type Options struct {
	Version          string
	AutostartEnabled bool
	AutostartOK      bool // autostart can be toggled on this system
}

// Render turns a State into a Model.
func Render(s session.State, o Options) Model {
	var m Model
	on := func(k Key, title string) { m.Items[k] = Item{Title: title, Visible: true, Enabled: true} }
	line := func(k Key, title string) { m.Items[k] = Item{Title: title, Visible: title != "", Enabled: false} }

	switch s.Phase {
	case session.Starting:
		m.Icon = IconSignedOut
		line(KeyStatus, "Checking sign-in…")
	case session.SignedOut:
		m.Icon = IconSignedOut
		line(KeyStatus, "Not signed in")
		on(KeySignIn, "Sign in to Plex…")
		m.Items[KeySignIn].Tooltip = "Get a code to enter at plex.tv/link"
		on(KeySignInBrowser, "Sign in with browser…")
		m.Items[KeySignInBrowser].Tooltip = "One click, if you are already signed into plex.tv in your browser"
	case session.SigningIn:
		m.Icon = IconSigningIn
		if s.Method == signin.Browser {
			line(KeyStatus, "Signing in with your browser…")
			on(KeyOpenAgain, "Open the Plex sign-in page again")
		} else {
			line(KeyStatus, "Signing in…")
			if s.Code != "" {
				on(KeyCode, "Code: "+s.Code+" (click to copy)")
			}
			on(KeyOpenAgain, "Open plex.tv/link again")
		}
		if s.URL == "" {
			m.Items[KeyOpenAgain].Enabled = false
		} else {
			on(KeyCopyLink, "Copy link")
		}
		on(KeyCancel, "Cancel sign-in")
	case session.SignedIn:
		m.Icon = IconSignedIn
		switch {
		case s.Username != "":
			line(KeyStatus, "Signed in as "+s.Username)
		default:
			line(KeyStatus, "Signed in (not yet confirmed by plex.tv)")
		}
		on(KeyCopyToken, "Copy token")
		on(KeyServers, "Servers")
		on(KeySignOut, "Sign out")
		m.Servers = renderServers(s.Servers)
	}
	if s.Problem {
		m.Icon = IconError
	}
	line(KeyDetail, trim(s.Status, 140))
	var hints []string
	if s.KeychainHint != "" {
		hints = append(hints, "Keychain: "+s.KeychainHint)
	}
	if s.ClipboardHint != "" {
		hints = append(hints, "Clipboard: "+s.ClipboardHint)
	}
	if s.NotifyHint != "" {
		hints = append(hints, "Notifications: "+s.NotifyHint)
	}
	line(KeyHint, trim(strings.Join(hints, " "), 120))
	if s.ClipboardHint != "" {
		for _, k := range []Key{KeyCopyToken, KeyCode, KeyCopyLink} {
			m.Items[k].Tooltip = s.ClipboardHint
		}
	}

	on(KeyAutostart, "Start at login")
	m.Items[KeyAutostart].Checked = o.AutostartEnabled
	m.Items[KeyAutostart].Enabled = o.AutostartOK
	on(KeyAbout, "About plextray "+o.Version)
	m.Items[KeyAbout].Tooltip = "Version and log folder"
	on(KeyQuit, "Quit")

	m.Tooltip = tooltip(s)
	return m
}

func tooltip(s session.State) string {
	t := "plextray — "
	switch s.Phase {
	case session.Starting:
		t += "checking sign-in"
	case session.SignedOut:
		t += "not signed in to Plex"
	case session.SigningIn:
		if s.Code != "" && s.Method == signin.Code {
			t += "signing in, code " + s.Code
		} else {
			t += "signing in"
		}
	case session.SignedIn:
		if s.Username != "" {
			t += "signed in as " + s.Username
		} else {
			t += "signed in (not confirmed)"
		}
	}
	if s.Problem && s.Status != "" {
		t += " — " + s.Status
	}
	return t
}

func renderServers(sv session.Servers) ServersModel {
	m := ServersModel{CheckAgain: Item{Title: "Check again", Visible: true, Enabled: !sv.Checking}}
	switch {
	case sv.Error != "":
		m.Note = Item{Title: sv.Error, Visible: true}
	case sv.Checking && len(sv.List) == 0:
		m.Note = Item{Title: "Checking…", Visible: true}
	case !sv.Checking && len(sv.List) == 0 && !sv.Checked.IsZero():
		m.Note = Item{Title: "No servers on this account", Visible: true}
	}
	if sv.Checking {
		m.CheckAgain.Title = "Checking…"
	}
	for _, srv := range sv.List {
		sm := ServerModel{ID: srv.ID, Title: srv.Summary, Best: srv.Best}
		if sm.Title == "" {
			sm.Title = srv.Name
		}
		sm.CopyURI = Item{Title: "Copy URI", Visible: true, Enabled: srv.Best != ""}
		if srv.Best != "" {
			sm.CopyURI.Tooltip = srv.Best
		} else {
			sm.CopyURI.Title = "Copy URI (no reachable connection)"
		}
		for _, c := range srv.Connections {
			sm.Connections = append(sm.Connections, ConnModel{URI: c.URI, Title: fmt.Sprintf("%s — %s", c.URI, c.Label)})
		}
		m.List = append(m.List, sm)
	}
	return m
}

func trim(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
