package tray

import (
	"runtime"
	"sync"

	"fyne.io/systray"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/signin"
)

// Actions are what clicks ask for; *core.Core implements them.
type Actions interface {
	SignIn(signin.Method)
	CancelSignIn()
	OpenLinkAgain()
	CopyCode()
	CopyLink()
	CopyToken()
	CopyText(text string, what core.Copied)
	SignOut()
	CheckServers()
	Retry()
	Quit()
	SwitchProfile(uuid string) // Plex Home (profiles_systray.go)
	ReloadProfiles()
	CopyServerToken(clientIdentifier string) // a server's own token
	ToggleServerNotifications()
	OpenURL(url string) // a server's Plex Web
	CopyClaimToken()
	NewToolToken() // tokens for other programs (tools_systray.go)
	RevokeTool(clientIdentifier string)
}

// IconSet holds the icon bytes per state: PNG (Linux, macOS fallback),
// ICO (Windows) and a black-and-alpha template (macOS menu bar).
type IconSet struct {
	PNG, ICO, Template map[Icon][]byte
}

// Extra handles the items that are not session commands.
type Extra struct {
	ToggleAutostart func() // called on "Start at login"
	About           func() // called on "About plextray …"
}

// Tray is the fyne.io/systray side. It builds a fixed skeleton once and
// afterwards only changes titles, visibility, checks and the servers list,
// so a state change never rebuilds the menu or flickers.
type Tray struct {
	actions Actions
	icons   IconSet
	extra   Extra

	mu      sync.Mutex
	ready   bool
	pending *Model
	items   [numKeys]*systray.MenuItem
	shown   [numKeys]Item
	icon    Icon
	tooltip string
	hasIcon bool

	checkAgain, note *systray.MenuItem
	shownCheck       Item
	shownNote        Item
	// "Checked at 14:32", the plex.direct DNS note, "Notify me about
	// servers" (a checkbox).
	checked, dns, notify   *systray.MenuItem
	shownChecked, shownDNS Item
	shownNotify            Item
	servers                []*serverEntry
	// "N more…", after the server rows; made when first needed, when
	// every row it follows exists (MaxServerRows of them).
	more      *systray.MenuItem
	shownMore Item
	prof      profilesMenu
	tools     toolsMenu
}

// serverEntry is one server: its row in Servers (a leaf, so a click
// copies its URI) and its submenu under Server details.
type serverEntry struct {
	row, details *systray.MenuItem
	shownRow     Item
	shownDetails Item
	conns        []*connEntry
	best         string // guarded by Tray.mu
	copyToken    *systray.MenuItem
	shownToken   Item
	openWeb      *systray.MenuItem
	shownWeb     Item
	web          string // where Open Plex Web goes, guarded by Tray.mu
	id           string // clientIdentifier, guarded by Tray.mu
}

type connEntry struct {
	item  *systray.MenuItem
	shown Item
	uri   string // guarded by Tray.mu
}

// New returns a Tray; pass its OnReady to systray.Run.
func New(a Actions, icons IconSet, extra Extra) *Tray {
	return &Tray{actions: a, icons: icons, extra: extra}
}

// OnReady builds the menu skeleton and returns at once: fyne.io/systray
// answers the panel's menu requests only after it returns.
//
// The panel may read the menu while it is being built. So the skeleton's
// items have no titles until the first model (nothing to click on), and
// that model is applied only once every click handler is set.
//
// Every item is created visible and hidden only once the whole skeleton
// (submenu children included) exists: on Windows fyne.io/systray can give an
// item a submenu only while the item is in its menu, and any SetTitle,
// SetTooltip, Enable, Disable, Check or Uncheck on a hidden item inserts it
// again (a blank row). So nothing here or in update touches a hidden item
// except Show.
func (t *Tray) OnReady() {
	t.mu.Lock()
	defer t.mu.Unlock()
	systray.SetTitle("plextray")
	add := func(k Key) *systray.MenuItem {
		it := systray.AddMenuItem("", "")
		t.items[k] = it
		t.shown[k] = Item{Visible: true, Enabled: true}
		return it
	}
	for _, k := range Skeleton {
		switch k {
		case Separator:
			systray.AddSeparator()
		case KeyAutostart:
			t.items[k] = systray.AddMenuItemCheckbox("", "", false)
			t.shown[k] = Item{Visible: true, Enabled: true}
		default:
			add(k)
		}
	}
	t.checkAgain = t.items[KeyServers].AddSubMenuItem("", "")
	t.shownCheck = Item{Visible: true, Enabled: true}
	t.note = t.items[KeyServers].AddSubMenuItem("", "")
	t.shownNote = Item{Visible: true, Enabled: true}
	t.checked = t.items[KeyServers].AddSubMenuItem("", "")
	t.shownChecked = Item{Visible: true, Enabled: true}
	t.dns = t.items[KeyServers].AddSubMenuItem("", "")
	t.shownDNS = Item{Visible: true, Enabled: true}
	t.notify = t.items[KeyServers].AddSubMenuItemCheckbox("", "", false)
	t.shownNotify = Item{Visible: true, Enabled: true}
	t.buildProfiles()
	t.buildTools()
	// Only now, with every submenu built, hide what the first model
	// does not show (see update).
	update(t.note, &t.shownNote, Item{})
	update(t.checked, &t.shownChecked, Item{})
	update(t.dns, &t.shownDNS, Item{})
	update(t.notify, &t.shownNotify, Item{})
	t.hideProfiles()
	t.hideTools()
	for k := range numKeys {
		update(t.items[k], &t.shown[k], Item{})
	}

	a := t.actions
	handlers := map[Key]func(){
		KeySignIn:        func() { a.SignIn(signin.Code) },
		KeySignInBrowser: func() { a.SignIn(signin.Browser) },
		KeyCode:          a.CopyCode,
		KeyOpenAgain:     a.OpenLinkAgain,
		KeyCopyLink:      a.CopyLink,
		KeyCancel:        a.CancelSignIn,
		KeyCopyToken:     a.CopyToken,
		KeyCopyClaim:     a.CopyClaimToken,
		KeySignOut:       a.SignOut,
		KeyQuit:          a.Quit,
		KeyTryAgain:      a.Retry,
		KeyAutostart:     t.extra.ToggleAutostart,
		KeyAbout:         t.extra.About,
	}
	for k, h := range handlers {
		if h != nil {
			onClick(t.items[k], h)
		}
	}
	onClick(t.checkAgain, a.CheckServers)
	onClick(t.notify, a.ToggleServerNotifications)

	t.ready = true
	if t.pending != nil {
		t.apply(*t.pending)
		t.pending = nil
	}
}

// onClick runs fn for every click of it. The patched fyne.io/systray
// (third_party/fyne.io/systray) runs every item's handler on one
// goroutine, in click order, and drops none: no goroutine per item. fn
// never blocks on work: it only queues a command or copies a string.
func onClick(it *systray.MenuItem, fn func()) {
	it.SetOnClicked(fn)
}

// Apply shows m. Safe from any goroutine; before OnReady it is kept and
// applied then.
func (t *Tray) Apply(m Model) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ready {
		// A Renderer's List is reused by its next call: keep a copy,
		// and draw every row once ready.
		m.Servers.List = append([]ServerModel(nil), m.Servers.List...)
		m.Servers.All, m.Servers.Changed = true, nil
		t.pending = &m
		return
	}
	t.apply(m)
}

func (t *Tray) apply(m Model) {
	if !t.hasIcon || m.Icon != t.icon {
		t.setIcon(m.Icon)
		t.icon, t.hasIcon = m.Icon, true
	}
	if m.Tooltip != t.tooltip {
		systray.SetTooltip(m.Tooltip)
		t.tooltip = m.Tooltip
	}
	for k := range numKeys {
		update(t.items[k], &t.shown[k], m.Items[k])
	}
	update(t.checkAgain, &t.shownCheck, m.Servers.CheckAgain)
	update(t.note, &t.shownNote, m.Servers.Note)
	update(t.checked, &t.shownChecked, m.Servers.Checked)
	update(t.dns, &t.shownDNS, m.Servers.DNS)
	update(t.notify, &t.shownNotify, m.Servers.Notify)
	if m.Servers.All {
		t.applyServers(m.Servers.List)
	} else {
		for _, i := range m.Servers.Changed {
			if i >= 0 && i < len(m.Servers.List) && i < len(t.servers) {
				t.applyServer(i, m.Servers.List[i])
			}
		}
	}
	if m.Servers.More.Visible && t.more == nil {
		t.more = t.items[KeyServers].AddSubMenuItem("", "")
		t.shownMore = Item{Visible: true, Enabled: true}
	}
	if t.more != nil {
		update(t.more, &t.shownMore, m.Servers.More)
	}
	t.applyProfiles(m.Profiles)
	t.applyTools(m.Tools)
}

func (t *Tray) setIcon(i Icon) {
	png := t.icons.PNG[i]
	switch runtime.GOOS {
	case "windows":
		if ico := t.icons.ICO[i]; ico != nil {
			systray.SetIcon(ico)
		}
	case "darwin":
		if tmpl := t.icons.Template[i]; tmpl != nil {
			systray.SetTemplateIcon(tmpl, png)
			return
		}
		fallthrough
	default:
		if png != nil {
			systray.SetIcon(png)
		}
	}
}

// applyServers reuses entries by position: the list keeps its order from
// one check to the next, so an update only changes titles.
func (t *Tray) applyServers(list []ServerModel) {
	for i, sm := range list {
		if i == len(t.servers) {
			e := &serverEntry{row: t.items[KeyServers].AddSubMenuItem(sm.Row.Title, "")}
			e.details = t.items[KeyServerDetails].AddSubMenuItem(sm.Name, "")
			e.copyToken = e.details.AddSubMenuItem("Copy server token", "")
			e.openWeb = e.details.AddSubMenuItem("Open Plex Web", "")
			e.shownRow = Item{Title: sm.Row.Title, Visible: true, Enabled: true}
			e.shownDetails = Item{Title: sm.Name, Visible: true, Enabled: true}
			e.shownWeb = Item{Title: "Open Plex Web", Visible: true, Enabled: true}
			e.shownToken = Item{Title: "Copy server token", Visible: true, Enabled: true}
			t.servers = append(t.servers, e)
			t.copyOnClick(e.row, &e.best, core.CopiedServerURI)
			t.onValueClick(e.copyToken, &e.id, t.actions.CopyServerToken)
			t.onValueClick(e.openWeb, &e.web, t.actions.OpenURL)
		}
		t.applyServer(i, sm)
	}
	for _, e := range t.servers[min(len(list), len(t.servers)):] {
		e.best, e.id, e.web = "", "", ""
		update(e.row, &e.shownRow, Item{})
		update(e.details, &e.shownDetails, Item{})
	}
}

// applyServer shows row i (an existing entry) as sm.
func (t *Tray) applyServer(i int, sm ServerModel) {
	{
		e := t.servers[i]
		e.best, e.id, e.web = sm.Best, sm.ID, sm.Web
		update(e.copyToken, &e.shownToken, sm.CopyToken)
		update(e.openWeb, &e.shownWeb, sm.OpenWeb)
		update(e.row, &e.shownRow, sm.Row)
		update(e.details, &e.shownDetails, Item{Title: sm.Name, Visible: true, Enabled: true})
		for j, cm := range sm.Connections {
			if j == len(e.conns) {
				c := &connEntry{item: e.details.AddSubMenuItem(cm.Title, "Click to copy")}
				c.shown = Item{Title: cm.Title, Visible: true, Enabled: true, Tooltip: "Click to copy"}
				e.conns = append(e.conns, c)
				t.copyOnClick(c.item, &c.uri, core.CopiedConnectionURI)
			}
			c := e.conns[j]
			c.uri = cm.URI
			update(c.item, &c.shown, Item{Title: cm.Title, Visible: true, Enabled: true, Tooltip: "Click to copy"})
		}
		for _, c := range e.conns[len(sm.Connections):] {
			c.uri = ""
			update(c.item, &c.shown, Item{})
		}
	}
}

// copyOnClick copies *uri, read under t.mu when clicked, if it is set.
func (t *Tray) copyOnClick(it *systray.MenuItem, uri *string, what core.Copied) {
	t.onValueClick(it, uri, func(u string) { t.actions.CopyText(u, what) })
}

// onValueClick calls fn with *v, read under t.mu when it is clicked, if
// it is set: a row's value (an id, a URI) is cleared when the row stops
// showing something, so a late click on it does nothing.
func (t *Tray) onValueClick(it *systray.MenuItem, v *string, fn func(string)) {
	onClick(it, func() {
		t.mu.Lock()
		s := *v
		t.mu.Unlock()
		if s != "" {
			fn(s)
		}
	})
}

// menuItem is what update needs of a *systray.MenuItem.
type menuItem interface {
	SetTitle(string)
	SetTooltip(string)
	Enable()
	Disable()
	Check()
	Uncheck()
	Show()
	Hide()
}

// update makes it look like want, changing only what differs from shown.
//
// A hidden item is never changed, only hidden: fyne.io/systray on Windows
// inserts a hidden item into the menu again on any SetTitle, SetTooltip,
// Enable, Disable, Check or Uncheck (its addOrUpdateMenuItem inserts every
// item not in its visible list), which showed stale or blank rows. Titles
// and states are applied after Show, when the item is back in the menu.
// shown keeps what the hidden item still holds, so showing it again changes
// only what differs.
func update(it menuItem, shown *Item, want Item) {
	if !want.Visible {
		if shown.Visible {
			it.Hide()
			shown.Visible = false
		}
		return
	}
	if !shown.Visible {
		it.Show()
	}
	if want.Title != shown.Title {
		it.SetTitle(want.Title)
	}
	if want.Tooltip != shown.Tooltip {
		it.SetTooltip(want.Tooltip)
	}
	if want.Enabled != shown.Enabled {
		if want.Enabled {
			it.Enable()
		} else {
			it.Disable()
		}
	}
	if want.Checked != shown.Checked {
		if want.Checked {
			it.Check()
		} else {
			it.Uncheck()
		}
	}
	*shown = want
}
