package tray

import (
	"github.com/plextray/plextray/internal/core"
)

// ProfilesModel is the "Profile" submenu of a Plex Home: a note line
// (the PIN page waiting, a listing error), "Reload profiles" when the
// list could not be had, and one radio item per profile (one choice).
type ProfilesModel struct {
	Note   Item
	Reload Item
	List   []ProfileModel
	Admin  string // the admin's uuid ("Switch back to …")
}

// ProfileModel is one profile; clicking it switches to it.
type ProfileModel struct {
	UUID string
	Item Item // Checked: its token is the active one
}

// renderProfiles fills the Profile submenu and the "Switch back to …"
// item of a signed-in State with a Home.
func renderProfiles(m *Model, s core.State) {
	p := s.Profiles
	showMenu := p.Offered || p.Active != nil
	if s.Phase != core.SignedIn || !showMenu {
		return
	}
	m.Items[KeyProfiles] = Item{Title: "Profile", Visible: true, Enabled: true, Tooltip: "Switch to another profile of your Plex Home"}
	if p.Active != nil {
		m.Items[KeySwitchBack] = Item{Title: switchBackTitle(s), Visible: true, Enabled: true,
			Tooltip: "Use your own account's token again"}
	}
	if a := p.Admin(); a != nil {
		m.Profiles.Admin = a.UUID
	} else {
		m.Items[KeySwitchBack].Enabled = false // the list is not in yet
	}
	if note := profilesNote(s); note != "" {
		m.Profiles.Note = Item{Title: note, Visible: true}
	}
	if len(p.List) == 0 && !p.Listing {
		m.Profiles.Reload = Item{Title: "Reload profiles", Visible: true, Enabled: true}
	}
	for _, u := range p.List {
		it := Item{Title: profileTitle(u), Visible: true, Enabled: true, Checked: p.IsActive(u)}
		if p.Switching != nil && p.Switching.UUID == u.UUID {
			it.Tooltip = "Waiting for the PIN — click to open the page again"
		} else if u.Protected {
			it.Tooltip = "Asks for the profile's PIN in your browser"
		}
		m.Profiles.List = append(m.Profiles.List, ProfileModel{UUID: u.UUID, Item: it})
	}
}
