package tray

import (
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/plextv"
)

var demoHome = []plextv.HomeUser{
	{UUID: "a1", Title: "Demo User", Username: "demo", Admin: true},
	{UUID: "k1", Title: "Kid"},
	{UUID: "t1", Title: "Teen", Protected: true},
}

func TestRenderProfiles(t *testing.T) {
	s := core.State{Phase: core.SignedIn, Username: "demo", Name: "Demo User", Profiles: core.Profiles{
		Offered: true, List: demoHome, Kept: true,
		Active: &home.Active{UUID: "k1", Title: "Kid"},
	}, Notice: core.Notice{Kind: core.NoticeProfileSwitched, Title: "Kid"}}
	m := Render(s, Options{})
	// One name for the account, and one line per fact: the top line says
	// whose token is active, and no second line says it again.
	if got := m.Items[KeyStatus].Title; got != "Signed in as Demo User · profile Kid" {
		t.Fatalf("status %q", got)
	}
	if m.Items[KeyDetail].Visible || !strings.Contains(m.Tooltip, "signed in as Demo User · profile Kid") {
		t.Fatalf("detail %+v tooltip %q", m.Items[KeyDetail], m.Tooltip)
	}
	if it := m.Items[KeyProfiles]; !it.Visible || !it.Enabled || it.Title != "Profile" {
		t.Fatalf("Profile submenu %+v", it)
	}
	if it := m.Items[KeySwitchBack]; !it.Visible || !it.Enabled || it.Title != "Switch back to Demo User" || m.Profiles.Admin != "a1" {
		t.Fatalf("switch back %+v, admin %q", it, m.Profiles.Admin)
	}
	var titles []string
	for _, p := range m.Profiles.List {
		titles = append(titles, p.Item.Title)
		if p.Item.Checked != (p.UUID == "k1") {
			t.Fatalf("%s checked=%v", p.UUID, p.Item.Checked)
		}
	}
	if strings.Join(titles, "|") != "Demo User (admin)|Kid|Teen (PIN)" {
		t.Fatalf("profiles %q", titles)
	}
	if m.Profiles.Note.Visible || m.Profiles.Reload.Visible {
		t.Fatalf("note %+v reload %+v", m.Profiles.Note, m.Profiles.Reload)
	}

	// Waiting for Teen's PIN.
	teen := demoHome[2]
	s.Profiles.Switching, s.Profiles.PINPage = &teen, "http://127.0.0.1:1/x"
	s.Notice = core.Notice{Kind: core.NoticeProfileWrongPIN, Title: "Teen"}
	m = Render(s, Options{})
	if m.Profiles.Note.Title != "Enter Teen's PIN in your browser" || m.Items[KeyDetail].Title != "Wrong PIN for Teen" || !strings.Contains(m.Tooltip, "Wrong PIN for Teen — try again in your browser") {
		t.Fatalf("note %q detail %q", m.Profiles.Note.Title, m.Items[KeyDetail].Title)
	}
	if m.Icon != IconError {
		t.Fatal("a wrong PIN is not shown as a problem")
	}
}

func TestNoProfilesWithoutHome(t *testing.T) {
	m := Render(core.State{Phase: core.SignedIn, Username: "demo"}, Options{})
	if m.Items[KeyProfiles].Visible || m.Items[KeySwitchBack].Visible {
		t.Fatal("profile items without a Home")
	}
	if m.Items[KeyStatus].Title != "Signed in as demo" {
		t.Fatal(m.Items[KeyStatus].Title)
	}
}

func TestHostileProfileTitles(t *testing.T) {
	evil := "Kid\x1b[31m\u202eevil\nline"
	s := core.State{Phase: core.SignedIn, Username: "demo", Profiles: core.Profiles{
		Offered: true, List: []plextv.HomeUser{{UUID: "a1", Title: evil, Admin: true}, {UUID: "k1", Title: evil}},
		Active: &home.Active{UUID: "k1", Title: evil},
	}, Notice: core.Notice{Kind: core.NoticeProfileFallback, Title: evil}}
	m := Render(s, Options{})
	lines := []string{m.Items[KeyStatus].Title, m.Items[KeyDetail].Title, m.Items[KeySwitchBack].Title, m.Tooltip}
	for _, p := range m.Profiles.List {
		lines = append(lines, p.Item.Title)
	}
	no, ok := Notify(s.Notice, s)
	if !ok {
		t.Fatal("fallback not notified")
	}
	lines = append(lines, no.Title, no.Body)
	for _, l := range lines {
		if strings.ContainsAny(l, "\x1b\u202e\n") {
			t.Fatalf("unclean line %q", l)
		}
	}
}

func TestReloadWhenListFailed(t *testing.T) {
	s := core.State{Phase: core.SignedIn, Username: "demo", Profiles: core.Profiles{Active: &home.Active{UUID: "k1", Title: "Kid"}},
		Notice: core.Notice{Kind: core.NoticeProfileListFailed, Err: &plextv.StatusError{StatusCode: 503}}}
	m := Render(s, Options{})
	if !m.Profiles.Reload.Visible || !strings.Contains(m.Profiles.Note.Title, "HTTP 503") {
		t.Fatalf("%+v", m.Profiles)
	}
	if m.Items[KeySwitchBack].Enabled {
		t.Fatal("switch back enabled without the admin's uuid")
	}
}
