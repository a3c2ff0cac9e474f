package tray

import (
	"github.com/plextray/plextray/internal/core"
)

// ToolsModel is the "Tokens for tools" submenu: "New token for a tool…",
// a note line (the list could not be read, or there is none yet), and one
// entry per tool with its own "Revoke…". There is no Copy: a tool's token
// is shown once, when it is made, and kept nowhere.
type ToolsModel struct {
	New  Item
	Note Item
	List []ToolModel
}

// ToolModel is one tool; its submenu holds Revoke.
type ToolModel struct {
	ID     string // the tool's client identifier at plex.tv
	Item   Item
	Revoke Item
}

// renderTools fills the submenu of a signed-in State.
func renderTools(m *Model, s core.State) {
	if s.Phase != core.SignedIn {
		return
	}
	m.Items[KeyTools] = Item{Title: "Tokens for tools", Tooltip: toolsTip, Visible: true, Enabled: true}
	m.Tools.New = Item{Title: "New token for a tool…", Tooltip: newToolTip, Visible: true, Enabled: s.Username != ""}
	if note := toolsNote(s.Tools); note != "" {
		m.Tools.Note = Item{Title: note, Visible: true}
	}
	for _, t := range s.Tools.List {
		revoke := Item{Title: "Revoke…", Tooltip: revokeTip(t.Name), Visible: true, Enabled: s.Tools.Revoking == ""}
		if s.Tools.Revoking == t.ClientIdentifier {
			revoke.Title = "Revoking…"
		}
		m.Tools.List = append(m.Tools.List, ToolModel{
			ID:     t.ClientIdentifier,
			Item:   Item{Title: toolTitle(t), Tooltip: toolTip(t), Visible: true, Enabled: true},
			Revoke: revoke,
		})
	}
}
