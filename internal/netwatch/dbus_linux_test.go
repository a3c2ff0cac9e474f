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
// changes, sent over a real (private) bus, into triggers.
func TestDBusSource(t *testing.T) {
	addr := privateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	src := DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) { return dbus.Connect(addr, dbus.WithContext(ctx)) }}
	out := make(chan Trigger, 1)
	ended := make(chan error, 1)
	go func() { ended <- src.Run(ctx, out) }()
	emitter, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer emitter.Close()

	// Emit until the source has subscribed and passes the signal on.
	expect := func(want Trigger, path dbus.ObjectPath, name string, body ...any) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if err := emitter.Emit(path, name, body...); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-out:
				if got != want {
					t.Fatalf("%s: trigger %v, want %v", name, got, want)
				}
				return
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no trigger within 20 s", name)
			}
		}
	}
	expect(Woke, "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", false)
	expect(NetworkChanged, "/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager.StateChanged", uint32(70))
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
// relies on the poll).
func TestDBusSourceNoBus(t *testing.T) {
	src := DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) {
		return dbus.Connect("unix:path=" + filepath.Join(t.TempDir(), "none"))
	}}
	if err := src.Run(context.Background(), make(chan Trigger)); err == nil {
		t.Fatal("Run without a bus: no error")
	}
}
