//go:build linux

package netwatch

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// privateBus starts a dbus-daemon of its own (no system bus is touched)
// and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: starts a dbus-daemon")
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon missing (apt package dbus)")
		}
		t.Skip("dbus-daemon missing (apt package dbus)")
	}
	dir := t.TempDir()
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + filepath.Join(dir, "bus") + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	cf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+cf, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(20 * time.Second):
		t.Fatal("dbus-daemon printed no address within 20 s")
	}
	return ""
}

// The D-Bus source turns logind's resume and NetworkManager's state
// changes, sent over a real (private) bus by the owners of their names,
// into triggers; the same signals from any other connection are ignored,
// also from a former owner after the name moved on.
func TestDBusSource(t *testing.T) {
	addr := privateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	src := DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) { return dbus.Connect(addr, dbus.WithContext(ctx)) }}
	out := make(chan Trigger, 1)
	ended := make(chan error, 1)
	go func() { ended <- src.Run(ctx, out) }()
	connect := func(names ...string) *dbus.Conn {
		t.Helper()
		c, err := dbus.Connect(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		for _, n := range names {
			if r, err := c.RequestName(n, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
				t.Fatalf("own %s: %v %v", n, r, err)
			}
		}
		return c
	}
	owner := connect(login1Name, nmName)
	forger := connect()
	const login1Path, nmPath = "/org/freedesktop/login1", "/org/freedesktop/NetworkManager"
	resumed := func(c *dbus.Conn) {
		t.Helper()
		if err := c.Emit(login1Path, "org.freedesktop.login1.Manager.PrepareForSleep", false); err != nil {
			t.Fatal(err)
		}
		// A round trip through the bus: the signal has been routed
		// before anything this connection's caller sends next.
		if err := c.BusObject().Call("org.freedesktop.DBus.GetId", 0).Err; err != nil {
			t.Fatal(err)
		}
	}
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
	newOwner := connect(login1Name)
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
