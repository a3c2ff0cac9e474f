//go:build linux

package netwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// NativeSources on Linux: the kernel's address notifications over
// rtnetlink, and NetworkManager and logind on the system bus (best
// effort: without a system bus that source ends at once).
func NativeSources(log *slog.Logger) []Source {
	return []Source{
		netlinkSource{log},
		DBusSource{Log: log, Connect: func(ctx context.Context) (*dbus.Conn, error) {
			return dbus.ConnectSystemBus(dbus.WithContext(ctx))
		}},
	}
}

// The bus names whose signals the D-Bus source listens to.
const (
	login1Name = "org.freedesktop.login1"
	nmName     = "org.freedesktop.NetworkManager"
	busName    = "org.freedesktop.DBus"
)

// DBusSource listens on a bus for
//   - org.freedesktop.NetworkManager StateChanged, and PropertiesChanged
//     on /org/freedesktop/NetworkManager (State, PrimaryConnection…):
//     NetworkChanged;
//   - org.freedesktop.login1.Manager PrepareForSleep(false) (resumed):
//     Woke.
//
// A signal counts only when its sender is the current owner of the bus
// name it belongs to (org.freedesktop.login1, org.freedesktop.NetworkManager):
// any local user can emit a signal with logind's interface and path, but
// only logind owns its name. The owners are asked once (GetNameOwner) and
// followed through NameOwnerChanged, which only the bus itself can send.
// The match rules name the senders too, so the bus does not even deliver
// most forgeries; the check here does not rely on that.
//
// Connect opens the bus (the system bus in production; tests pass a
// private one). The connection is closed when ctx ends.
type DBusSource struct {
	Connect func(ctx context.Context) (*dbus.Conn, error)
	Log     *slog.Logger // ignored signals are logged here (nil: not)
}

func (s DBusSource) Run(ctx context.Context, out chan<- Trigger) error {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := s.Connect(ctx)
	if err != nil {
		return fmt.Errorf("netwatch: system bus: %w", err)
	}
	defer conn.Close()
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	defer conn.RemoveSignal(sigs)
	// Owner changes first, so none is missed between asking and listening.
	for _, name := range []string{login1Name, nmName} {
		if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchSender(busName), dbus.WithMatchInterface(busName),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, name)); err != nil {
			return fmt.Errorf("netwatch: bus match: %w", err)
		}
	}
	own := owners{}
	for _, name := range []string{login1Name, nmName} {
		var o string
		err := conn.BusObject().CallWithContext(ctx, busName+".GetNameOwner", 0, name).Store(&o)
		var derr dbus.Error
		switch {
		case err == nil:
			own[name] = o
		case errors.As(err, &derr) && derr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner":
			// not running (yet): NameOwnerChanged will say when it is
		default:
			return fmt.Errorf("netwatch: owner of %s: %w", name, err)
		}
	}
	rules := [][]dbus.MatchOption{
		{dbus.WithMatchSender(nmName), dbus.WithMatchInterface(nmName), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchSender(nmName), dbus.WithMatchObjectPath("/org/freedesktop/NetworkManager"), dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged")},
		{dbus.WithMatchSender(login1Name), dbus.WithMatchInterface("org.freedesktop.login1.Manager"), dbus.WithMatchMember("PrepareForSleep")},
	}
	for _, r := range rules {
		if err := conn.AddMatchSignalContext(ctx, r...); err != nil {
			return fmt.Errorf("netwatch: bus match: %w", err)
		}
	}
	log.Info("netwatch: listening for network and wake signals on the system bus",
		"logind", own[login1Name] != "", "networkmanager", own[nmName] != "")
	for {
		select {
		case <-ctx.Done():
			return nil
		case sig, ok := <-sigs:
			if !ok {
				return nil // bus closed
			}
			if own.follow(sig) {
				continue
			}
			t, name, ok := classify(sig)
			if !ok {
				continue
			}
			if !own.sentBy(sig, name) {
				log.Warn("netwatch: ignored a signal not sent by its bus name's owner",
					"signal", sig.Name, "sender", sig.Sender, "owner", own[name])
				continue
			}
			send(ctx, out, t)
		}
	}
}

// owners maps a bus name to its owner's unique name ("" or missing: none).
type owners map[string]string

// follow applies a NameOwnerChanged from the bus itself about a name in
// the map's domain and reports whether sig was one (handled).
func (o owners) follow(sig *dbus.Signal) bool {
	if sig.Name != busName+".NameOwnerChanged" {
		return false
	}
	if sig.Sender != busName || len(sig.Body) != 3 {
		return true
	}
	name, _ := sig.Body[0].(string)
	owner, _ := sig.Body[2].(string)
	if name == login1Name || name == nmName {
		o[name] = owner
	}
	return true
}

// sentBy reports whether sig came from the current owner of name.
func (o owners) sentBy(sig *dbus.Signal, name string) bool {
	owner := o[name]
	return owner != "" && sig.Sender == owner
}

// classify: which trigger sig is, and the bus name that must have sent it.
func classify(sig *dbus.Signal) (Trigger, string, bool) {
	switch sig.Name {
	case "org.freedesktop.login1.Manager.PrepareForSleep":
		if sig.Path == "/org/freedesktop/login1" && len(sig.Body) == 1 {
			if going, ok := sig.Body[0].(bool); ok && !going {
				return Woke, login1Name, true
			}
		}
		return 0, "", false
	case "org.freedesktop.NetworkManager.StateChanged":
		return NetworkChanged, nmName, true
	case "org.freedesktop.DBus.Properties.PropertiesChanged":
		if sig.Path == "/org/freedesktop/NetworkManager" {
			return NetworkChanged, nmName, true
		}
	}
	return 0, "", false
}
