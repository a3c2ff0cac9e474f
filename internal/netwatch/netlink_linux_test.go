//go:build linux

package netwatch

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// inNetns is set in the copy of this test binary that runs inside a
// network namespace of its own.
const inNetns = "NETWATCH_TEST_IN_NETNS"

// The rtnetlink source tells an address added to an interface. The test
// runs itself again inside a new network namespace (unshare --net, as
// root), where it may change the loopback interface without touching the
// machine's network.
func TestNetlinkSource(t *testing.T) {
	if os.Getenv(inNetns) == "" {
		if testing.Short() {
			t.Skip("-short: starts a process in its own network namespace")
		}
		unshare, err := exec.LookPath("unshare")
		if err == nil {
			err = exec.Command(unshare, "--net", "true").Run()
		}
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("no network namespace (unshare --net, as root): %v", err)
			}
			t.Skipf("no network namespace (unshare --net, as root): %v", err)
		}
		cmd := exec.Command(unshare, "--net", os.Args[0], "-test.run=^TestNetlinkSource$", "-test.count=1")
		cmd.Env = append(os.Environ(), inNetns+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in its own network namespace: %v\n%s", err, out)
		}
		return
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal("ip missing (apt package iproute2)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Trigger)
	ended := make(chan error, 1)
	listening := make(chan struct{})
	go func() { ended <- runNetlink(ctx, out, func() { close(listening) }) }()
	select {
	case <-listening:
	case err := <-ended:
		t.Fatalf("runNetlink: %v", err)
	}
	// Subscribed: one address added must be told.
	if b, err := exec.Command(ip, "addr", "add", "127.0.0.2/8", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("ip addr add: %v %s", err, b)
	}
	select {
	case tr := <-out:
		if tr != NetworkChanged {
			t.Fatalf("trigger %v", tr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no trigger within 20 s of adding an address")
	}
	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("runNetlink: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("runNetlink did not end with its context")
	}
}
