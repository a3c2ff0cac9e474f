//go:build linux

package keychain

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/plextv"
)

// generous bounds a call that must not wait on anything: far above any
// real answer, far below what a hang (D-Bus's 25 s) would take.
const generous = 20 * time.Second

// TestNoSessionBusStartsNothing: with no session bus address every call
// fails with ErrNoSessionBus (not a timeout), and no process is started
// (godbus would autolaunch dbus-launch → dbus-daemon, gnome-keyring).
func TestNoSessionBusStartsNothing(t *testing.T) {
	marker := "PLEXTRAY_KEYCHAIN_TEST=" + rand.Text()
	k, v, _ := strings.Cut(marker, "=")
	t.Setenv(k, v)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	t.Setenv("DISPLAY", "")
	os.Unsetenv("DISPLAY")

	for _, addr := range []string{"", "autolaunch:", "  "} {
		kc := OS{SessionBus: addr, Timeout: generous}
		ctx := context.Background()
		if _, err := kc.Get(ctx); !errors.Is(err, ErrNoSessionBus) {
			t.Errorf("Get with bus %q = %v, want ErrNoSessionBus", addr, err)
		}
		if err := kc.Set(ctx, "tok"); !errors.Is(err, ErrNoSessionBus) {
			t.Errorf("Set with bus %q = %v", addr, err)
		}
		if err := kc.Delete(ctx); !errors.Is(err, ErrNoSessionBus) {
			t.Errorf("Delete with bus %q = %v", addr, err)
		}
	}
	// A bus address that leads nowhere is no session bus either.
	gone := "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	if _, err := (OS{SessionBus: gone, Timeout: generous}).Get(context.Background()); !errors.Is(err, ErrNoSessionBus) {
		t.Errorf("Get with a dead bus = %v", err)
	}
	if pids := withEnv(marker); len(pids) > 0 {
		t.Fatalf("processes started by the keychain: %v", pids)
	}
}

// withEnv lists live processes (other than this one) whose environment
// holds kv.
func withEnv(kv string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		if slicesContains(bytes.Split(env, []byte{0}), []byte(kv)) {
			comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
			out = append(out, fmt.Sprintf("%d %s", pid, strings.TrimSpace(string(comm))))
		}
	}
	return out
}

func slicesContains(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

func keyringSession(t *testing.T, opts desktop.Options) (*desktop.Desktop, OS) {
	t.Helper()
	opts.NoDisplay, opts.NoWatcher, opts.NoNotifications, opts.NoBrowser = true, true, true, true
	d := desktop.Start(t, opts)
	return d, OS{SessionBus: d.BusAddress(), Timeout: generous}
}

func TestSecretServiceRoundTrip(t *testing.T) {
	d, kc := keyringSession(t, desktop.Options{})
	ctx := context.Background()
	if _, err := kc.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Get = %v", err)
	}
	if err := kc.Delete(ctx); err != nil {
		t.Fatalf("deleting a missing entry: %v", err)
	}
	for _, tok := range []string{"tok-1", "tok-2"} { // the second replaces the first
		if err := kc.Set(ctx, plextv.Token(tok)); err != nil {
			t.Fatal(err)
		}
		if got, err := kc.Get(ctx); err != nil || got.Reveal() != tok {
			t.Fatalf("Get = %q, %v; want %q", got.Reveal(), err, tok)
		}
	}
	// Stored where go-keyring stored it, so earlier tokens are found.
	if s, err := d.SecretLookup("service", Service, "username", Account); err != nil || s != "tok-2" {
		t.Fatalf("secret-tool lookup = %q, %v", s, err)
	}
	search, _ := d.SecretSearch(Service)
	if n := strings.Count(search, "attribute.username = "+Account); n != 1 {
		t.Fatalf("%d entries for %s, want 1:\n%s", n, Account, search)
	}

	// Another account is another entry, and a change to it is reported.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	changes, err := kc.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	other := kc.Entry("home-user-7")
	if _, err := other.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("other account Get = %v", err)
	}
	if err := other.Set(ctx, "tok-other"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(generous):
		t.Fatal("no change reported after an entry was created")
	}
	if names, err := kc.Names(ctx); err != nil || strings.Join(names, ",") != "home-user-7,"+Account {
		t.Fatalf("Names = %v, %v", names, err)
	}
	if err := kc.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v", err)
	}
	if got, err := other.Get(ctx); err != nil || got.Reveal() != "tok-other" {
		t.Fatalf("other account after deleting the default: %q, %v", got.Reveal(), err)
	}
}

func TestSecretServiceLocked(t *testing.T) {
	d, kc := keyringSession(t, desktop.Options{})
	ctx := context.Background()
	if err := kc.Set(ctx, "tok-locked"); err != nil {
		t.Fatal(err)
	}
	lockAll(t, d.Conn())

	if _, err := kc.Get(ctx); !errors.Is(err, ErrLockedToken) || !errors.Is(err, ErrLocked) {
		t.Fatalf("Get on a locked keyring holding the token = %v, want ErrLockedToken", err)
	}
	other := kc
	other.Account = "nobody"
	if _, err := other.Get(ctx); !errors.Is(err, ErrLocked) || errors.Is(err, ErrLockedToken) {
		t.Fatalf("Get on a locked keyring without the entry = %v, want ErrLocked only", err)
	}
	if err := kc.Set(ctx, "tok-new"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Set on a locked keyring = %v, want ErrLocked", err)
	}
	if err := kc.Delete(ctx); !errors.Is(err, ErrLocked) {
		t.Fatalf("Delete on a locked keyring = %v, want ErrLocked", err)
	}
	// A locked keyring still says which entries it holds (sign-out
	// names them in its error rather than forgetting them).
	if names, err := kc.Names(ctx); err != nil || !slices.Contains(names, Account) {
		t.Fatalf("Names on a locked keyring = %v, %v", names, err)
	}
}

// lockAll locks every collection of the Secret Service (gnome-keyring
// locks without a prompt).
func lockAll(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	svc := conn.Object(ssName, ssPath)
	v, err := svc.GetProperty(ssService + ".Collections")
	if err != nil {
		t.Fatal(err)
	}
	colls, _ := v.Value().([]dbus.ObjectPath)
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call(ssService+".Lock", 0, colls).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	if prompt != "/" || len(locked) == 0 {
		t.Fatalf("Lock: locked %v, prompt %v", locked, prompt)
	}
}

func TestNoSecretService(t *testing.T) {
	_, kc := keyringSession(t, desktop.Options{NoKeyring: true, NoServiceActivation: true})
	ctx := context.Background()
	if _, err := kc.Get(ctx); !errors.Is(err, ErrNoSecretService) {
		t.Fatalf("Get = %v, want ErrNoSecretService", err)
	}
	if err := kc.Set(ctx, "x"); !errors.Is(err, ErrNoSecretService) {
		t.Fatalf("Set = %v, want ErrNoSecretService", err)
	}
}

// An entry holding an empty secret (left by another tool, or by a Set of
// an empty token) is no token: Get says ErrNotFound, as Memory does, so a
// caller never goes on with an empty token and exit 0.
func TestSecretServiceEmptySecretIsNotFound(t *testing.T) {
	_, kc := keyringSession(t, desktop.Options{})
	ctx := context.Background()
	if err := kc.Set(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if tok, err := kc.Get(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of an empty entry = %q, %v; want ErrNotFound", tok.Reveal(), err)
	}
}
