//go:build linux

package netwatch

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestClassifyDBusSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  dbus.Signal
		want Trigger
		ok   bool
	}{
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Body: []any{false}}, Woke, true},
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Body: []any{true}}, 0, false},
		{dbus.Signal{Name: "org.freedesktop.login1.Manager.PrepareForSleep", Body: []any{"x"}}, 0, false},
		{dbus.Signal{Name: "org.freedesktop.NetworkManager.StateChanged", Body: []any{uint32(70)}}, NetworkChanged, true},
		{dbus.Signal{Name: "org.freedesktop.DBus.Properties.PropertiesChanged", Path: "/org/freedesktop/NetworkManager"}, NetworkChanged, true},
		{dbus.Signal{Name: "org.freedesktop.DBus.Properties.PropertiesChanged", Path: "/org/freedesktop/NetworkManager/Devices/1"}, 0, false},
		{dbus.Signal{Name: "org.example.Other"}, 0, false},
	} {
		got, ok := classify(&tc.sig)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s %v: %v %v, want %v %v", tc.sig.Name, tc.sig.Body, got, ok, tc.want, tc.ok)
		}
	}
}
