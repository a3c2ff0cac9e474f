package core

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextvsim"
)

// pings counts the keep-alive pings plex.tv answered.
func pings(sim *plextvsim.Sim) (ok, refused int) {
	for _, r := range sim.Requests() {
		if r.Path == "/api/v2/ping" {
			if r.Status == 200 {
				ok++
			} else {
				refused++
			}
		}
	}
	return ok, refused
}

// While signed in, plex.tv is pinged once a day, never sooner; a failed
// ping keeps the token; a ping plex.tv refuses makes the core ask again
// and drop the revoked token; signed out, nothing is pinged.
func TestKeepAlivePingsOnceADayWhileSignedIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		tok := storedToken(t, sim)
		kc.Set(context.Background(), tok)
		h := start(t, sim, kc, func(c *Config) { c.KeepAliveEvery = 0 })
		h.wait("signed in", signedIn)

		time.Sleep(KeepAliveEvery - time.Minute) // synthetic time
		synctest.Wait()
		if ok, _ := pings(sim); ok != 0 {
			t.Fatalf("%d pings before a day had passed", ok)
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if ok, _ := pings(sim); ok != 1 {
			t.Fatalf("%d pings after a day, want 1", ok)
		}

		// plex.tv down for the next one: the token is kept.
		if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointPing, Status: 503, Count: 1}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(KeepAliveEvery)
		synctest.Wait()
		h.mu.Lock()
		now := h.state.Phase
		h.mu.Unlock()
		if ok, refused := pings(sim); ok != 1 || refused != 1 || now != SignedIn {
			t.Fatalf("after a failed ping: %d ok, %d refused, phase %v", ok, refused, now)
		}
		time.Sleep(KeepAliveEvery)
		synctest.Wait()
		if ok, _ := pings(sim); ok != 2 {
			t.Fatalf("%d pings on day 3, want 2", ok)
		}

		// Revoked elsewhere: the next ping's 401 ends in the usual check,
		// which signs out and removes the token.
		sim.RevokeToken(tok.Reveal())
		time.Sleep(KeepAliveEvery)
		st := h.wait("signed out", phase(SignedOut))
		if st.Notice.Kind != NoticeRevoked {
			t.Fatalf("state %+v", st)
		}
		_, before := pings(sim)
		time.Sleep(7 * KeepAliveEvery)
		synctest.Wait()
		if ok, refused := pings(sim); ok != 2 || refused != before {
			t.Fatalf("pinged while signed out: %d ok, %d refused", ok, refused)
		}
	})
}
