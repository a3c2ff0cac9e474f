package core

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// Copy claim token: plex.tv's claim token on the clipboard, cleared when
// plex.tv stops accepting it (4 minutes), even with clearing turned off
// for tokens; a failure is said, and nothing is copied.
func TestCopyClaimTokenClearsWhenItExpires(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		kc.Set(context.Background(), storedToken(t, sim))
		h := start(t, sim, kc, func(c *Config) { c.ClearClipboardAfter = -1 })
		h.wait("signed in", signedIn)

		h.c.CopyClaimToken()
		st := h.wait("claim token copied", func(s State) bool {
			return s.Notice.Kind == NoticeTokenCopied && s.Notice.What == CopiedClaimToken
		})
		_, _, clip := h.desk.get()
		if st.Notice.Wait != plextv.ClaimTokenLife || !strings.HasPrefix(clip, "claim-") || !sim.ClaimTokenValid(clip) {
			t.Fatalf("notice %+v, clipboard %q", st.Notice, clip)
		}
		h.mu.Lock()
		redacted := slices.Contains(h.secrets, clip)
		h.mu.Unlock()
		if !redacted {
			t.Error("the claim token is not redacted from the log")
		}
		time.Sleep(plextv.ClaimTokenLife - time.Second) // synthetic time
		synctest.Wait()
		if _, _, now := h.desk.get(); now != clip {
			t.Fatalf("cleared before it expired: %q", now)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if _, _, now := h.desk.get(); now != "" {
			t.Fatalf("clipboard after 4 minutes: %q", now)
		}

		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointClaim, Status: 503, Count: 1}); err != nil {
			t.Fatal(err)
		}
		h.c.CopyClaimToken()
		st = h.wait("claim failed", func(s State) bool { return s.Notice.Kind == NoticeCopyFailed })
		if st.Notice.What != CopiedClaimToken || st.Phase != SignedIn {
			t.Fatalf("state %+v", st)
		}
	})
}

func TestOpenURLOpensOnlyWebAddresses(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://", "http://10.0.0.2:32400/web"} {
			h.c.OpenURL(u)
		}
		synctest.Wait()
		if urls, _, _ := h.desk.get(); !slices.Equal(urls, []string{"http://10.0.0.2:32400/web"}) {
			t.Fatalf("opened %q", urls)
		}
	})
}
