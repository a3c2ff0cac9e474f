//go:build linux

package netwatch

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestClassifyDBusSignals(t *testing.T) {
	const login1Path, nmPath = "/org/freedesktop/login1", "/org/freedesktop/NetworkManager"
	for _, tc := range []struct {
		sig  dbus.Signal
		want Trigger
		from string
		ok   bool
	}{
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Path: login1Path, Body: []any{false}}, Woke, login1Name, true},
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Path: login1Path, Body: []any{true}}, 0, "", false},
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Path: login1Path, Body: []any{"x"}}, 0, "", false},
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Path: "/elsewhere", Body: []any{false}}, 0, "", false},
		{dbus.Signal{Name: "org.freedesktop.NetworkManager.StateChanged", Path: nmPath, Body: []any{uint32(70)}}, NetworkChanged, nmName, true},
		{dbus.Signal{Name: "org.freedesktop.DBus.Properties.PropertiesChanged", Path: nmPath}, NetworkChanged, nmName, true},
		{dbus.Signal{Name: "org.freedesktop.DBus.Properties.PropertiesChanged", Path: "/org/freedesktop/NetworkManager/Devices/1"}, 0, "", false},
		{dbus.Signal{Name: "org.example.Other"}, 0, "", false},
	} {
		got, from, ok := classify(&tc.sig)
		if got != tc.want || from != tc.from || ok != tc.ok {
			t.Errorf("%s %v: %v %q %v, want %v %q %v", tc.sig.Name, tc.sig.Body, got, from, ok, tc.want, tc.from, tc.ok)
		}
	}
}

// Only the current owner of logind's (NetworkManager's) name is believed;
// owners change only through the bus's own NameOwnerChanged.
func TestOwners(t *testing.T) {
	own := owners{login1Name: ":1.7"}
	sig := func(sender string) *dbus.Signal {
		return &dbus.Signal{Sender: sender, Name: "org.freedesktop.login1.Manager.PrepareForSleep"}
	}
	noc := func(sender, name, old, new string) *dbus.Signal {
		return &dbus.Signal{Sender: sender, Name: "org.freedesktop.DBus.NameOwnerChanged", Body: []any{name, old, new}}
	}
	if !own.sentBy(sig(":1.7"), login1Name) || own.sentBy(sig(":1.66"), login1Name) || own.sentBy(sig(""), login1Name) {
		t.Fatal("owner check wrong")
	}
	if own.sentBy(sig(":1.7"), nmName) || own.sentBy(&dbus.Signal{}, nmName) {
		t.Fatal("a name without owner: nothing may pass")
	}
	// A forged NameOwnerChanged (from a client) changes nothing.
	if !own.follow(noc(":1.66", login1Name, ":1.7", ":1.66")) || own[login1Name] != ":1.7" {
		t.Fatalf("forged NameOwnerChanged followed: %v", own)
	}
	// Names other than the two are not tracked.
	own.follow(noc(busName, "org.example.X", "", ":1.3"))
	if len(own) != 1 {
		t.Fatalf("tracked another name: %v", own)
	}
	// logind restarted: the new unique name is believed, the old not.
	own.follow(noc(busName, login1Name, ":1.7", ""))
	if own.sentBy(sig(":1.7"), login1Name) {
		t.Fatal("old owner believed after it lost the name")
	}
	own.follow(noc(busName, login1Name, "", ":1.9"))
	if !own.sentBy(sig(":1.9"), login1Name) || own.sentBy(sig(":1.7"), login1Name) {
		t.Fatalf("after the restart: %v", own)
	}
	if own.follow(sig(":1.9")) {
		t.Fatal("a PrepareForSleep taken for an owner change")
	}
}
