//go:build linux

// Package netwatchtest gives tests a system bus of their own, for the
// signals netwatch follows (logind's PrepareForSleep, NetworkManager's
// StateChanged): a private dbus-daemon whose policy lets any connection
// own any name, so that a test plays both logind and a forger, and
// nothing of the machine's real system bus is touched. The unit tests of
// package netwatch and the end-to-end tests of the built tray use it.
package netwatchtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Login1Path is logind's object; PrepareForSleep is sent from it.
const Login1Path = "/org/freedesktop/login1"

// Bus starts the stand-in and returns its address, for
// DBUS_SYSTEM_BUS_ADDRESS or dbus.Connect; it stops when t ends. Without
// dbus-daemon the test is skipped, or fails where CI=true.
func Bus(t testing.TB) string {
	t.Helper()
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
  <listen>unix:path=` + filepath.Join(dir, "system_bus_socket") + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	cf := filepath.Join(dir, "system.conf")
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
			t.Fatal("the system bus stand-in printed no address")
		}
		return a
	case <-time.After(20 * time.Second):
		t.Fatal("the system bus stand-in printed no address within 20 s")
	}
	return ""
}

// Peer connects to the bus at addr and owns names (none: a connection
// like any other, a forger); it is closed when t ends.
func Peer(t testing.TB, addr string, names ...string) *dbus.Conn {
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

// Resumed sends logind's "resumed from sleep" (PrepareForSleep(false))
// from c, then makes a round trip through the bus, so the signal is routed
// before whatever the test sends next from any connection.
func Resumed(t testing.TB, c *dbus.Conn) {
	t.Helper()
	if err := c.Emit(Login1Path, "org.freedesktop.login1.Manager.PrepareForSleep", false); err != nil {
		t.Fatal(err)
	}
	if err := c.BusObject().Call("org.freedesktop.DBus.GetId", 0).Err; err != nil {
		t.Fatal(err)
	}
}
