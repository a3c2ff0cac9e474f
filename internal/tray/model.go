// Package tray shows the core's State in the system tray. model.go is
// pure (State → Model) and tested without a desktop; words.go holds every
// sentence the tray shows; systray.go and profiles_systray.go (the Plex
// Home submenu) are the only files that import fyne.io/systray.
package tray

import (
	"strings"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
	"github.com/plextray/plextray/internal/textsafe"
	"github.com/plextray/plextray/internal/wording"
)

// Icon names the tray icon for a state.
type Icon int

const (
	IconSignedOut Icon = iota
	IconSigningIn
	IconSignedIn
	IconError
	IconNoServer        // signed in, but no server answers
	IconSomeUnreachable // a server plex.tv reports online is unreachable from here
	IconPlexTVDown      // plex.tv can't be reached or fails
)

// Key names a fixed item of the menu skeleton.
type Key int

const (
	KeyStatus        Key = iota // "Signed in as …" / "Not signed in"
	KeyDetail                   // the latest message
	KeyHint                     // missing keychain or clipboard tool
	KeySignIn                   // "Sign in with a code…"
	KeySignInBrowser            // "Sign in with your browser's Plex session…"
	KeyCode                     // "Code: ABCD (click to copy)"
	KeyOpenAgain                // "Open plex.tv/link again"
	KeyCopyLink                 // "Copy link"
	KeyCancel                   // "Cancel sign-in"
	KeyCopyToken                // "Copy token"
	KeyCopyClaim                // "Copy claim token" (for a new server)
	KeyServers                  // "Servers" submenu: a row per server, a click copies its URI
	KeyServerDetails            // "Server details" submenu: a submenu per server
	KeySignOut                  // "Sign out"
	KeyAutostart                // "Start at login" checkbox
	KeyAbout                    // "About plextray …"
	KeyQuit                     // "Quit"
	KeyTryAgain                 // "Try again" (keyring locked)
	KeyProfiles                 // "Profile" submenu (Plex Home)
	KeySwitchBack               // "Switch back to <admin>"
	KeyTools                    // "Tokens for tools" submenu
	numKeys
)

// Separator stands for a separator line in Skeleton.
const Separator Key = -1

// Skeleton is the order of the menu's fixed items, top to bottom, with
// its separators. Every platform's menu is built from it once; a model
// only shows and hides its items.
var Skeleton = []Key{
	KeyStatus, KeyDetail, KeyHint, Separator,
	KeyTryAgain, KeySignIn, KeySignInBrowser, KeyCode, KeyOpenAgain, KeyCopyLink, KeyCancel,
	KeyCopyToken, KeyCopyClaim, KeyTools, KeyServers, KeyServerDetails, KeyProfiles, KeySwitchBack, KeySignOut, Separator,
	KeyAutostart, KeyAbout, KeyQuit,
}

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
	Icon     Icon
	Tooltip  string
	Items    [numKeys]Item
	Servers  ServersModel
	Profiles ProfilesModel
	Tools    ToolsModel
}

// ServersModel is the "Servers" submenu.
type ServersModel struct {
	CheckAgain Item
	Note       Item // "Checking…", "No servers", an error
	Checked    Item // "Checked at 14:32"
	DNS        Item // this network's DNS blocks plex.direct names, and the fix
	Notify     Item // "Notify me about servers" checkbox
	// List is the servers shown (at most MaxServerRows), in the list's
	// order; More, the last row, says how many more there are.
	List []ServerModel
	More Item
	// Changed lists the entries of List that differ from the Model
	// rendered before this one (by the same Renderer); All: any may.
	// Render (pure) always sets All.
	Changed []int
	All     bool
}

// ServerModel is one server: its row in the Servers submenu, which
// copies its best URI when clicked, and its submenu under Server details.
type ServerModel struct {
	ID string
	// Row is the Servers submenu's row ("Living Room — local · 4 ms"),
	// enabled when there is a URI to copy.
	Row Item
	// Best is what a click on Row copies ("" if nothing answers): the
	// URI `plextray uri` prints (servers.Server.URI).
	Best string
	// Name is the server's entry under Server details ("Living Room").
	Name      string
	CopyToken Item // "Copy server token"
	// Web is where "Open Plex Web" goes (servers.WebURL), "" for nowhere.
	Web         string
	OpenWeb     Item
	Connections []ConnModel
}

// ConnModel is one connection line; clicking copies its URI.
type ConnModel struct {
	URI   string
	Title string
}

// Options are the settings the menu shows besides the core's state.
type Options struct {
	Version string
	// AppURL is the Plex web app ("Open Plex Web" for a server that is
	// not local); default https://app.plex.tv.
	AppURL string
}

func (o Options) appURL() string {
	if o.AppURL == "" {
		return "https://app.plex.tv"
	}
	return o.AppURL
}

// Render turns a State into a Model. All words come from words.go.
func Render(s core.State, o Options) Model { return render(s, o, nil) }

// render is Render; with r, server rows come from r's cache (Renderer).
func render(s core.State, o Options, r *Renderer) Model {
	var m Model
	on := func(k Key, title string) { m.Items[k] = Item{Title: title, Visible: true, Enabled: true} }
	line := func(k Key, title string) { m.Items[k] = Item{Title: title, Visible: title != "", Enabled: false} }

	line(KeyStatus, statusLine(s))
	switch s.Phase {
	case core.Starting:
		m.Icon = IconSignedOut
	case core.Locked, core.SignedOut:
		m.Icon = IconSignedOut
		if s.Phase == core.Locked {
			m.Icon = IconError
			on(KeyTryAgain, "Try again")
			m.Items[KeyTryAgain].Tooltip = "Read the token again once the keyring is unlocked"
		}
		on(KeySignIn, signInCodeTitle)
		m.Items[KeySignIn].Tooltip = signInCodeTip
		on(KeySignInBrowser, signInBrowserTitle)
		m.Items[KeySignInBrowser].Tooltip = signInBrowserTip
	case core.SigningIn:
		m.Icon = IconSigningIn
		if s.Method == signin.Browser {
			on(KeyOpenAgain, "Open the Plex sign-in page again")
		} else {
			if s.Code != "" {
				on(KeyCode, "Code: "+code(s.Code)+" (click to copy)")
			}
			on(KeyOpenAgain, "Open plex.tv/link again")
		}
		if s.URL == "" {
			m.Items[KeyOpenAgain].Enabled = false
		} else {
			on(KeyCopyLink, "Copy link")
		}
		on(KeyCancel, "Cancel sign-in")
	case core.SignedIn:
		m.Icon = IconSignedIn
		on(KeyCopyToken, "Copy token")
		on(KeyCopyClaim, "Copy claim token")
		m.Items[KeyCopyClaim].Tooltip = claimTip
		on(KeyServers, "Servers")
		m.Items[KeyServers].Tooltip = serversTip
		on(KeySignOut, "Sign out")
		m.Servers = renderServers(s.Servers, s.Now, o, r)
		if len(m.Servers.List) > 0 {
			on(KeyServerDetails, "Server details")
			m.Items[KeyServerDetails].Tooltip = serverDetailsTip
		}
		renderProfiles(&m, s)
		renderTools(&m, s)
	}
	if s.Phase != core.SignedIn {
		m.Servers.All = true // no rows: hide any shown
		if r != nil {
			r.forget()
		}
	}
	switch s.Health() {
	case core.HealthSomeUnreachable:
		m.Icon = IconSomeUnreachable
	case core.HealthNoServer:
		m.Icon = IconNoServer
	case core.HealthPlexTV:
		m.Icon = IconPlexTVDown
	}
	switch {
	case s.Notice.Kind == core.NoticeUnreachable:
		m.Icon = IconPlexTVDown // checking the token: plex.tv down at start
	case s.Notice.Problem():
		m.Icon = IconError
	}
	// The detail line: a problem notice, else how things stand when that
	// is not all good, else the latest notice, else that all is good.
	detail := noticeLine(s)
	if h := healthLine(s); h != "" && (detail == "" || !s.Notice.Problem() && s.Health() != core.HealthGood) {
		detail = h
	}
	line(KeyDetail, textsafe.Line(detail, textsafe.Long))
	line(KeyHint, textsafe.Line(hintLine(s), textsafe.Long))
	if s.Clipboard != nil {
		for _, k := range []Key{KeyCopyToken, KeyCopyClaim, KeyCode, KeyCopyLink} {
			m.Items[k].Tooltip = clipboardWords(s.Clipboard)
		}
	}

	on(KeyAutostart, "Start at login")
	m.Items[KeyAutostart].Checked = s.Autostart.On
	m.Items[KeyAutostart].Enabled = s.Autostart.Supported && !s.Autostart.Busy
	on(KeyAbout, "About plextray "+o.Version)
	m.Items[KeyAbout].Tooltip = "Version and log folder"
	on(KeyQuit, "Quit")

	m.Tooltip = tooltip(s)
	// No line wider than maxTop (maxLabel in submenus): what a shortened
	// line left out is said in the tooltip, which a panel shows in full.
	for _, k := range []Key{KeyStatus, KeyDetail, KeyHint} {
		if full := m.Items[k].Title; fit(&m.Items[k], maxTop) && !strings.Contains(m.Tooltip, full) {
			m.Tooltip += " — " + full
		}
	}
	fitServers(&m.Servers)
	for i := range m.Profiles.List {
		fit(&m.Profiles.List[i].Item, maxLabel)
	}
	fit(&m.Profiles.Note, maxLabel)
	return m
}

// renderServers renders the Servers submenu: the MaxServerRows most
// relevant servers (see relevance) and a row counting the others. With a
// Renderer's cache, only the shown servers in sv.Changed are rendered
// again, unless the whole list or the servers shown changed.
func renderServers(sv core.Servers, now time.Time, o Options, r *Renderer) ServersModel {
	m := ServersModel{CheckAgain: Item{Title: "Check again", Visible: true, Enabled: !sv.Checking}}
	if note := serversNote(sv); note != "" {
		m.Note = Item{Title: note, Visible: true}
	}
	if sv.Checking {
		m.CheckAgain.Title = "Checking…"
	}
	if line := checkedLine(sv, now); line != "" {
		m.Checked = Item{Title: line, Visible: true}
	}
	if sv.DNSBlocked {
		m.DNS = Item{Title: dnsBlockedLine, Tooltip: dnsBlockedTip, Visible: true}
	}
	m.Notify = Item{Title: notifyServersTitle, Tooltip: notifyServersTip, Visible: true, Enabled: true, Checked: sv.Notify}
	n := sv.List.Len()
	if r == nil {
		rel := newRelevance(sv.List)
		sel := rel.pick(MaxServerRows)
		m.List, m.All = make([]ServerModel, len(sel)), true
		for p, i := range sel {
			m.List[p] = renderServer(sv.List.Server(i), now, staleSince(sv), o)
		}
	} else {
		m.List, m.Changed, m.All = r.servers(sv, now)
	}
	if more := n - len(m.List); more > 0 {
		m.More = Item{Title: moreServersLine(more), Tooltip: moreServersTip, Visible: true}
	}
	return m
}

// renderServer renders one server's row and details; asOf, when set, is
// the time of the last successful check the row is from (plex.tv fails
// now). Every label fits maxLabel.
func renderServer(srv servers.Server, now, asOf time.Time, o Options) ServerModel {
	name := wording.ServerName(srv)
	sm := ServerModel{ID: srv.ClientIdentifier, Name: ellipsis(name, maxName)}
	sm.Best = srv.URI
	if srv.URIKind == servers.URINone {
		sm.Best = ""
	}
	sm.Row = Item{Title: serverRow(name, srv, now, asOf), Tooltip: rowTip(srv), Visible: true, Enabled: sm.Best != ""}
	sm.Web = servers.WebURL(srv, o.appURL())
	sm.OpenWeb = Item{Title: "Open Plex Web", Tooltip: webTip(sm.Web), Visible: true, Enabled: sm.Web != ""}
	sm.CopyToken = Item{Title: "Copy server token", Tooltip: serverTokenTip, Visible: true, Enabled: !srv.AccessToken.IsZero()}
	sm.Connections = make([]ConnModel, len(srv.Connections))
	for i, c := range srv.Connections {
		sm.Connections[i] = ConnModel{URI: c.URI, Title: connTitle(c)}
	}
	return sm
}
