package tray

import "fyne.io/systray"

// The Profile submenu on fyne.io/systray (the rest is in systray.go).
// Like the servers, entries are reused by position; a click reads the
// profile's uuid under Tray.mu and asks the core to switch.

type profilesMenu struct {
	note, reload           *systray.MenuItem
	shownNote, shownReload Item
	entries                []*profileEntry
	admin                  string // the admin's uuid, for "Switch back"; guarded by Tray.mu
}

type profileEntry struct {
	item  *systray.MenuItem
	shown Item
	uuid  string // guarded by Tray.mu
}

// buildProfiles adds the submenu's fixed items (t.mu held, in OnReady).
func (t *Tray) buildProfiles() {
	parent := t.items[KeyProfiles]
	t.prof.note = parent.AddSubMenuItem("", "")
	t.prof.shownNote = Item{Visible: true, Enabled: true}
	t.prof.reload = parent.AddSubMenuItem("Reload profiles", "")
	t.prof.shownReload = Item{Title: "Reload profiles", Visible: true, Enabled: true}
	onClick(t.prof.reload, t.actions.ReloadProfiles)
	t.onValueClick(t.items[KeySwitchBack], &t.prof.admin, t.actions.SwitchProfile)
}

// hideProfiles hides the submenu's fixed items once the whole skeleton is
// built (OnReady); never before, see update.
func (t *Tray) hideProfiles() {
	update(t.prof.note, &t.prof.shownNote, Item{})
	update(t.prof.reload, &t.prof.shownReload, Item{})
}

func (t *Tray) applyProfiles(m ProfilesModel) {
	update(t.prof.note, &t.prof.shownNote, m.Note)
	update(t.prof.reload, &t.prof.shownReload, m.Reload)
	t.prof.admin = m.Admin
	parent := t.items[KeyProfiles]
	for i, pm := range m.List {
		if i == len(t.prof.entries) {
			// A radio item: one profile is active (a check mark where
			// the platform has no radio items).
			e := &profileEntry{item: parent.AddSubMenuItemRadio(pm.Item.Title, pm.Item.Tooltip, false)}
			e.shown = Item{Title: pm.Item.Title, Tooltip: pm.Item.Tooltip, Visible: true, Enabled: true}
			t.prof.entries = append(t.prof.entries, e)
			t.onValueClick(e.item, &e.uuid, t.actions.SwitchProfile)
		}
		e := t.prof.entries[i]
		e.uuid = pm.UUID
		update(e.item, &e.shown, pm.Item)
	}
	for _, e := range t.prof.entries[min(len(m.List), len(t.prof.entries)):] {
		e.uuid = ""
		update(e.item, &e.shown, Item{})
	}
}
