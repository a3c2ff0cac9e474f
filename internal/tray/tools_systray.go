package tray

import "fyne.io/systray"

// The "Tokens for tools" submenu on fyne.io/systray (the rest is in
// systray.go). Like the servers, entries are reused by position; a click
// on Revoke… reads the tool's client identifier under Tray.mu.

type toolsMenu struct {
	newTool, note       *systray.MenuItem
	shownNew, shownNote Item
	entries             []*toolEntry
}

type toolEntry struct {
	item, revoke       *systray.MenuItem
	shown, shownRevoke Item
	id                 string // guarded by Tray.mu
}

// buildTools adds the submenu's fixed items (t.mu held, in OnReady).
func (t *Tray) buildTools() {
	parent := t.items[KeyTools]
	t.tools.newTool = parent.AddSubMenuItem("New token for a tool…", "")
	t.tools.shownNew = Item{Title: "New token for a tool…", Visible: true, Enabled: true}
	t.tools.note = parent.AddSubMenuItem("", "")
	t.tools.shownNote = Item{Visible: true, Enabled: true}
	onClick(t.tools.newTool, t.actions.NewToolToken)
}

// hideTools hides the submenu's fixed items once the whole skeleton is
// built (OnReady); never before, see update.
func (t *Tray) hideTools() {
	update(t.tools.newTool, &t.tools.shownNew, Item{})
	update(t.tools.note, &t.tools.shownNote, Item{})
}

func (t *Tray) applyTools(m ToolsModel) {
	update(t.tools.newTool, &t.tools.shownNew, m.New)
	update(t.tools.note, &t.tools.shownNote, m.Note)
	parent := t.items[KeyTools]
	for i, tm := range m.List {
		if i == len(t.tools.entries) {
			e := &toolEntry{item: parent.AddSubMenuItem(tm.Item.Title, tm.Item.Tooltip)}
			e.revoke = e.item.AddSubMenuItem(tm.Revoke.Title, tm.Revoke.Tooltip)
			e.shown = Item{Title: tm.Item.Title, Tooltip: tm.Item.Tooltip, Visible: true, Enabled: true}
			e.shownRevoke = Item{Title: tm.Revoke.Title, Tooltip: tm.Revoke.Tooltip, Visible: true, Enabled: true}
			t.tools.entries = append(t.tools.entries, e)
			t.onValueClick(e.revoke, &e.id, t.actions.RevokeTool)
		}
		e := t.tools.entries[i]
		e.id = tm.ID
		update(e.revoke, &e.shownRevoke, tm.Revoke)
		update(e.item, &e.shown, tm.Item)
	}
	for _, e := range t.tools.entries[min(len(m.List), len(t.tools.entries)):] {
		e.id = ""
		update(e.item, &e.shown, Item{})
	}
}
