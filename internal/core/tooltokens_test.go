package core

import (
	"context"
	"testing"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/tooltokens"
)

// The tools the config folder lists show in the State once read again
// (as a change of the folder makes the tray do); Revoke kills exactly
// that tool's token at plex.tv and forgets it; a plex.tv failure keeps
// the tool listed and says why.
func TestToolsListedAndRevoked(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		own := storedToken(t, sim)
		kc.Set(context.Background(), own)
		dir := t.TempDir()
		var client *plextv.Client
		h := start(t, sim, kc, func(c *Config) {
			c.ConfigDir = dir
			client = c.Services.PlexTV.(*plextv.Client)
		})
		st := h.wait("signed in", func(s State) bool { return signedIn(s) && s.Username != "" })
		if len(st.Tools.List) != 0 || st.Tools.Err != nil {
			t.Fatalf("tools before any: %+v", st.Tools)
		}

		store := tooltokens.Store{Dir: dir}
		acct := sim.DemoAccount().UUID
		made := map[string]plextv.Token{}
		for _, name := range []string{"Kometa", "Tautulli"} {
			tok, tool, err := tooltokens.Maker{Client: client}.Make(context.Background(), own, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Add(acct, tool); err != nil {
				t.Fatal(err)
			}
			made[name] = tok
		}
		h.c.Reload()
		st = h.wait("two tools", func(s State) bool { return len(s.Tools.List) == 2 })
		kometa := st.Tools.List[0]
		if kometa.Name != "Kometa" {
			t.Fatalf("tools %+v", st.Tools.List)
		}

		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointDevices, Status: 503, Count: 1}); err != nil {
			t.Fatal(err)
		}
		h.c.RevokeTool(kometa.ClientIdentifier)
		st = h.wait("revoke failed", func(s State) bool { return s.Notice.Kind == NoticeToolRevokeFailed })
		if st.Notice.Title != "Kometa" || st.Notice.Err == nil || !sim.TokenValid(string(made["Kometa"])) {
			t.Fatalf("after a 503: %+v", st.Notice)
		}
		h.wait("still listed", func(s State) bool { return len(s.Tools.List) == 2 && s.Tools.Revoking == "" })

		h.c.RevokeTool(kometa.ClientIdentifier)
		st = h.wait("revoked", func(s State) bool { return s.Notice.Kind == NoticeToolRevoked })
		if st.Notice.Title != "Kometa" || st.Notice.Err != nil {
			t.Fatalf("notice %+v", st.Notice)
		}
		st = h.wait("Kometa gone", func(s State) bool { return len(s.Tools.List) == 1 })
		if st.Tools.List[0].Name != "Tautulli" {
			t.Fatalf("tools %+v", st.Tools.List)
		}
		if sim.TokenValid(string(made["Kometa"])) || !sim.TokenValid(string(made["Tautulli"])) || !sim.TokenValid(string(own)) {
			t.Fatal("the revoke did not kill exactly Kometa's token")
		}
		if left, _ := store.List(acct); len(left) != 1 || left[0].Name != "Tautulli" {
			t.Fatalf("tools.json: %+v", left)
		}
	})
}
