//go:build linux

package netwatch

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// NativeSources on Linux: NetworkManager and logind on the system bus
// (best effort: without a system bus the source ends at once).
func NativeSources() []Source {
	return []Source{DBusSource{Connect: func(ctx context.Context) (*dbus.Conn, error) {
		return dbus.ConnectSystemBus(dbus.WithContext(ctx))
	}}}
}

// DBusSource listens on a bus for
//   - org.freedesktop.NetworkManager StateChanged, and PropertiesChanged
//     on /org/freedesktop/NetworkManager (State, PrimaryConnection…):
//     NetworkChanged;
//   - org.freedesktop.login1.Manager PrepareForSleep(false) (resumed):
//     Woke.
//
// Connect opens the bus (the system bus in production; tests pass a
// private one). The connection is closed when ctx ends.
type DBusSource struct {
	Connect func(ctx context.Context) (*dbus.Conn, error)
}

func (s DBusSource) Run(ctx context.Context, out chan<- Trigger) error {
	conn, err := s.Connect(ctx)
	if err != nil {
		return fmt.Errorf("netwatch: system bus: %w", err)
	}
	defer conn.Close()
	rules := [][]dbus.MatchOption{
		{dbus.WithMatchInterface("org.freedesktop.NetworkManager"), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchObjectPath("/org/freedesktop/NetworkManager"), dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged")},
		{dbus.WithMatchInterface("org.freedesktop.login1.Manager"), dbus.WithMatchMember("PrepareForSleep")},
	}
	for _, r := range rules {
		if err := conn.AddMatchSignalContext(ctx, r...); err != nil {
			return fmt.Errorf("netwatch: bus match: %w", err)
		}
	}
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	defer conn.RemoveSignal(sigs)
	for {
		select {
		case <-ctx.Done():
			return nil
		case sig, ok := <-sigs:
			if !ok {
				return nil // bus closed
			}
			t, ok := classify(sig)
			if !ok {
				continue
			}
			select {
			case out <- t:
			case <-ctx.Done():
				return nil
			default: // a trigger is already waiting; it covers this one
			}
		}
	}
}

func classify(sig *dbus.Signal) (Trigger, bool) {
	switch sig.Name {
	case "org.freedesktop.login1.Manager.PrepareForSleep":
		if len(sig.Body) == 1 {
			if going, ok := sig.Body[0].(bool); ok && !going {
				return Woke, true
			}
		}
		return 0, false
	case "org.freedesktop.NetworkManager.StateChanged":
		return NetworkChanged, true
	case "org.freedesktop.DBus.Properties.PropertiesChanged":
		if sig.Path == "/org/freedesktop/NetworkManager" {
			return NetworkChanged, true
		}
	}
	return 0, false
}
