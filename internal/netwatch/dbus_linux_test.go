//go:build linux

package netwatch

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/plextray/plextray/internal/netwatch/netwatchtest"
)

// The D-Bus source turns logind's resume and NetworkManager's state
// changes, sent over a real (private) bus by the owners of their names,
// into triggers; the same signals from any other connection are ignored,
// also from a former owner after the name moved on.
func TestDBusSource(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a dbus-daemon")
	}
	addr := netwatchtest.Bus(t)
	ctx, cancel := context.WithCancel(context.Background())
	src := DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) { return dbus.Connect(addr, dbus.WithContext(ctx)) }}
	out := make(chan Trigger, 1)
	ended := make(chan error, 1)
	go func() { ended <- src.Run(ctx, out) }()
	owner := netwatchtest.Peer(t, addr, login1Name, nmName)
	forger := netwatchtest.Peer(t, addr)
	const nmPath = "/org/freedesktop/NetworkManager"
	resumed := func(c *dbus.Conn) { t.Helper(); netwatchtest.Resumed(t, c) }
	networkChanged := func(c *dbus.Conn) {
		t.Helper()
		if err := c.Emit(nmPath, "org.freedesktop.NetworkManager.StateChanged", uint32(70)); err != nil {
			t.Fatal(err)
		}
	}
	next := func() Trigger {
		t.Helper()
		select {
		case tr := <-out:
			return tr
		case <-time.After(20 * time.Second):
			t.Fatal("no trigger within 20 s")
		}
		return 0
	}
	// Emit until the source has subscribed and passes the signal on.
	for subscribed := false; !subscribed; {
		networkChanged(owner)
		select {
		case tr := <-out:
			if tr != NetworkChanged {
				t.Fatalf("trigger %v, want network changed", tr)
			}
			subscribed = true
		case <-time.After(20 * time.Millisecond):
		}
	}
	// Each forgery is followed by a genuine network change from the owner:
	// had the forgery passed, its Woke would come first.
	resumed(forger)
	networkChanged(owner)
	if tr := next(); tr != NetworkChanged {
		t.Fatalf("after a forged PrepareForSleep: trigger %v, want network changed", tr)
	}
	resumed(owner)
	if tr := next(); tr != Woke {
		t.Fatalf("logind's PrepareForSleep(false): trigger %v, want woke", tr)
	}
	// logind restarts under a new unique name.
	if _, err := owner.ReleaseName(login1Name); err != nil {
		t.Fatal(err)
	}
	newOwner := netwatchtest.Peer(t, addr, login1Name)
	resumed(owner)
	networkChanged(owner)
	if tr := next(); tr != NetworkChanged {
		t.Fatalf("after a PrepareForSleep from the former owner: trigger %v, want network changed", tr)
	}
	resumed(newOwner)
	if tr := next(); tr != Woke {
		t.Fatalf("the new owner's PrepareForSleep(false): trigger %v, want woke", tr)
	}
	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not end with its context")
	}
}

// Without a bus the source ends at once with an error (the watcher then
// relies on its periodic timer).
func TestDBusSourceNoBus(t *testing.T) {
	src := DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) {
		return dbus.Connect("unix:path=" + filepath.Join(t.TempDir(), "none"))
	}}
	if err := src.Run(context.Background(), make(chan Trigger)); err == nil {
		t.Fatal("Run without a bus: no error")
	}
}
