package tray

import (
	"errors"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/tooltokens"
)

func TestToolsSubmenu(t *testing.T) {
	s := core.State{Phase: core.SignedIn, Username: "demo"}
	m := Render(s, Options{})
	if it := m.Items[KeyTools]; !it.Visible || it.Title != "Tokens for tools" {
		t.Fatalf("submenu: %+v", it)
	}
	if !m.Tools.New.Enabled || m.Tools.Note.Title != "No tool tokens yet" || len(m.Tools.List) != 0 {
		t.Fatalf("no tools: %+v", m.Tools)
	}

	s.Tools.List = []tooltokens.Tool{
		{Name: "Kometa", ClientIdentifier: "a", CreatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
		{Name: "Tautulli\x1b[31m", ClientIdentifier: "b", ProfileUUID: "p", ProfileTitle: "Kid"},
	}
	s.Tools.Revoking = "b"
	m = Render(s, Options{})
	if len(m.Tools.List) != 2 || m.Tools.Note.Visible {
		t.Fatalf("two tools: %+v", m.Tools)
	}
	k, ta := m.Tools.List[0], m.Tools.List[1]
	if k.ID != "a" || k.Item.Title != "Kometa" || k.Revoke.Title != "Revoke…" || k.Revoke.Enabled {
		t.Errorf("Kometa while another is revoked: %+v", k)
	}
	if ta.Item.Title != "Tautulli[31m (for Kid)" || ta.Revoke.Title != "Revoking…" {
		t.Errorf("Tautulli: %+v", ta)
	}

	s.Tools = core.Tools{Err: errors.New("bad json")}
	if m = Render(s, Options{}); m.Tools.Note.Title != "Couldn't read the tools list: bad json" {
		t.Errorf("note: %+v", m.Tools.Note)
	}
	if m = Render(core.State{Phase: core.SignedOut}, Options{}); m.Items[KeyTools].Visible || m.Tools.New.Visible {
		t.Error("the submenu shows while signed out")
	}
}

func TestToolNoticeWords(t *testing.T) {
	for _, tc := range []struct {
		n    core.Notice
		want string
	}{
		{core.Notice{Kind: core.NoticeToolRevoked, Title: "Kometa"}, "Revoked Kometa's token"},
		{core.Notice{Kind: core.NoticeToolRevoked, Title: "Kometa", Err: tooltokens.ErrAlreadyRevoked}, "Kometa's token was already revoked at plex.tv; it is no longer listed"},
		{core.Notice{Kind: core.NoticeToolRevokeFailed, Title: "Kometa", Err: &core.ToolProfileError{Profile: "Kid", Err: errors.New("not found")}},
			"Couldn't revoke Kometa's token: it was made for the profile Kid, whose token is not stored here; switch to Kid once and try again"},
	} {
		if got := noticeLine(core.State{Phase: core.SignedIn, Notice: tc.n}); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.n.Kind, got, tc.want)
		}
		if _, ok := Notify(tc.n, core.State{}); !ok {
			t.Errorf("%v: no notification", tc.n.Kind)
		}
	}
}
