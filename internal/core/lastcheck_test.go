package core

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/netwatch"
	"github.com/plextray/plextray/internal/plextvsim"
)

// The tray shares each finished check with the command line
// (Config.LastCheck), and takes it back as soon as it stops being current.
func TestLastCheckIsSharedAndTakenBack(t *testing.T) {
	out := newOutside(t)
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		var mu sync.Mutex
		network := "net-home"
		setNetwork := func(n string) { mu.Lock(); network = n; mu.Unlock() }
		var keeper *lastcheck.Keeper
		f := startWatched(t, sim, out, func(c *Config) {
			keeper = lastcheck.NewKeeper(c.ConfigDir, warnTo(t))
			keeper.Network = func() string { mu.Lock(); defer mu.Unlock(); return network }
			c.LastCheck = keeper
		})
		ctx, stop := context.WithCancel(context.Background())
		kept := make(chan struct{})
		go func() { keeper.Run(ctx); close(kept) }()
		defer func() { stop(); <-kept }()

		// record waits (10 s of real time at most) until the record
		// satisfies pred.
		record := func(desc string, pred func(lastcheck.Record, error) bool) lastcheck.Record {
			t.Helper()
			for ticks := 0; ; ticks++ {
				r, err := lastcheck.Read(f.dir)
				if pred(r, err) {
					return r
				}
				if ticks == 100 {
					t.Fatalf("timed out waiting for %s: %+v, %v", desc, r, err)
				}
				<-realTick
			}
		}
		gone := func(_ lastcheck.Record, err error) bool { return errors.Is(err, fs.ErrNotExist) }

		st := f.cur()
		r := record("the first check", func(r lastcheck.Record, err error) bool { return err == nil })
		if r.Account == "" || r.Account != f.c.acct || r.Profile != "" || r.Network != "net-home" || !r.Checked.Equal(st.Servers.Checked) {
			t.Fatalf("record %+v; state checked %v", r, st.Servers.Checked)
		}
		if s, _, err := r.Find("Living Room"); err != nil || s.URI == "" || s.URI != st.Servers.List.Server(0).URI {
			t.Fatalf("Living Room: %+v, %v", s, err)
		}

		// A network change takes it back before the check it starts ends;
		// that check's record is for the new network.
		f.chk.mu.Lock()
		f.chk.hold, f.chk.held = true, make(chan struct{})
		f.chk.mu.Unlock()
		setNetwork("net-cafe")
		f.w.c <- netwatch.NetworkChanged
		<-f.chk.held
		record("no record while the network's check runs", gone)
		f.chk.mu.Lock()
		f.chk.hold = false
		f.chk.mu.Unlock()
		f.c.CheckServers() // cancels the held check and checks again
		record("the new network's check", func(r lastcheck.Record, err error) bool { return err == nil && r.Network == "net-cafe" })

		// A periodic re-check that fails keeps the record (it ages out);
		// a wake takes it back even then.
		sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503})
		f.trigger(netwatch.Periodic)
		f.settle("periodic check failed", func(s State) bool { return !s.Servers.Checking && s.Servers.Err != nil })
		if _, err := lastcheck.Read(f.dir); err != nil {
			t.Fatalf("a failed periodic check took the record back: %v", err)
		}
		f.trigger(netwatch.Woke)
		record("no record after a wake", gone)
		sim.ClearFaults()
		f.trigger(netwatch.NetworkChanged)
		record("checked again", func(r lastcheck.Record, err error) bool { return err == nil })

		// Signing out takes it back.
		f.c.SignOut()
		f.wait("signed out", phase(SignedOut))
		record("no record signed out", gone)
		time.Sleep(time.Minute) // synthetic: nothing comes back
		if _, err := lastcheck.Read(f.dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a record signed out: %v", err)
		}
	})
}
