//go:build !darwin && !windows

package keychain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// The Secret Service API (freedesktop.org), spoken directly on a private
// connection to OS.SessionBus. Entries are stored as go-keyring stored them
// (attributes "service" and "username", in the "login" collection or the
// default one), so tokens saved by earlier versions are found.
//
// Unlike go-keyring this never autolaunches a session bus (godbus runs
// dbus-launch when DBUS_SESSION_BUS_ADDRESS is unset) and never waits on an
// unlock prompt: a locked collection is ErrLocked at once.

const (
	ssName       = "org.freedesktop.secrets"
	ssPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService    = "org.freedesktop.Secret.Service"
	ssCollection = "org.freedesktop.Secret.Collection"
	ssItem       = "org.freedesktop.Secret.Item"
	ssSession    = "org.freedesktop.Secret.Session"
	ssLoginPath  = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")

	errIsLocked = "org.freedesktop.Secret.Error.IsLocked"
)

// ssSecret is the Secret Service's Secret struct, (oayays).
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// secretService is one conversation with the Secret Service.
type secretService struct {
	conn *dbus.Conn
	svc  dbus.BusObject
}

func (k OS) connect(ctx context.Context) (*secretService, error) {
	addr := strings.TrimSpace(k.SessionBus)
	if addr == "" || strings.HasPrefix(addr, "autolaunch:") {
		return nil, ErrNoSessionBus
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrNoSessionBus, err)
	}
	s := &secretService{conn: conn, svc: conn.Object(ssName, ssPath)}
	if err := s.present(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

func (s *secretService) close() { s.conn.Close() }

// present checks that a Secret Service is on the bus or can be started
// by the bus (D-Bus activation, as on a desktop).
func (s *secretService) present(ctx context.Context) error {
	bus := s.conn.BusObject()
	var has bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, ssName).Store(&has); err != nil {
		return fmt.Errorf("asking the session bus for the Secret Service: %w", err)
	}
	if has {
		return nil
	}
	var names []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil {
		return fmt.Errorf("asking the session bus for the Secret Service: %w", err)
	}
	if !slices.Contains(names, ssName) {
		return ErrNoSecretService
	}
	return nil
}

// collection returns the collection go-keyring uses: "login" if it exists,
// else the default alias ("/" if there is none).
func (s *secretService) collection(ctx context.Context) (dbus.ObjectPath, error) {
	var v dbus.Variant
	if err := s.svc.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, ssService, "Collections").Store(&v); err != nil {
		return "", mapDBus(err)
	}
	if paths, ok := v.Value().([]dbus.ObjectPath); ok && slices.Contains(paths, ssLoginPath) {
		return ssLoginPath, nil
	}
	var p dbus.ObjectPath
	if err := s.svc.CallWithContext(ctx, ssService+".ReadAlias", 0, "default").Store(&p); err != nil {
		return "", mapDBus(err)
	}
	return p, nil
}

// unlockedCollection returns the collection, ErrLocked if it is locked.
func (s *secretService) unlockedCollection(ctx context.Context) (dbus.ObjectPath, error) {
	coll, err := s.collection(ctx)
	if err != nil || coll == "/" {
		return coll, err
	}
	var v dbus.Variant
	if err := s.conn.Object(ssName, coll).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, ssCollection, "Locked").Store(&v); err != nil {
		return "", mapDBus(err)
	}
	if locked, _ := v.Value().(bool); locked {
		return "", ErrLocked
	}
	return coll, nil
}

// names searches every collection for the service's items (locked ones
// too: their attributes can be read without unlocking) and returns their
// account attributes.
func (k OS) names(ctx context.Context) ([]string, error) {
	s, err := k.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var unlocked, locked []dbus.ObjectPath
	if err := s.svc.CallWithContext(ctx, ssService+".SearchItems", 0, map[string]string{"service": Service}).Store(&unlocked, &locked); err != nil {
		return nil, mapDBus(err)
	}
	var out []string
	for _, item := range append(unlocked, locked...) {
		var v dbus.Variant
		if err := s.conn.Object(ssName, item).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, ssItem, "Attributes").Store(&v); err != nil {
			return nil, mapDBus(err)
		}
		if attrs, ok := v.Value().(map[string]string); ok && attrs["username"] != "" && !slices.Contains(out, attrs["username"]) {
			out = append(out, attrs["username"])
		}
	}
	slices.Sort(out)
	return out, nil
}

// Watch reports changes to the Secret Service's items (created, changed,
// deleted) and collections (an unlock, a new keyring) on the returned
// channel, one pending report at most, until ctx ends. Its own connection
// to the session bus is closed then. Without a session bus it fails.
func (k OS) Watch(ctx context.Context) (<-chan struct{}, error) {
	addr := strings.TrimSpace(k.SessionBus)
	if addr == "" || strings.HasPrefix(addr, "autolaunch:") {
		return nil, ErrNoSessionBus
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoSessionBus, err)
	}
	for _, m := range [][2]string{
		{ssCollection, "ItemCreated"}, {ssCollection, "ItemChanged"}, {ssCollection, "ItemDeleted"},
		{ssService, "CollectionCreated"}, {ssService, "CollectionChanged"}, {ssService, "CollectionDeleted"},
	} {
		if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface(m[0]), dbus.WithMatchMember(m[1])); err != nil {
			conn.Close()
			return nil, fmt.Errorf("watching the Secret Service: %w", err)
		}
	}
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	out := make(chan struct{}, 1)
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-sigs:
				if !ok {
					return
				}
				select {
				case out <- struct{}{}:
				default: // one report pending is enough
				}
			}
		}
	}()
	return out, nil
}

func (k OS) attributes() map[string]string {
	return map[string]string{"service": Service, "username": k.account()}
}

// find returns the entry's item, ErrNotFound or ErrLocked.
func (s *secretService) find(ctx context.Context, attrs map[string]string) (dbus.ObjectPath, error) {
	coll, err := s.unlockedCollection(ctx)
	if err != nil {
		return "", err
	}
	if coll == "/" {
		return "", ErrNotFound
	}
	var items []dbus.ObjectPath
	if err := s.conn.Object(ssName, coll).CallWithContext(ctx, ssCollection+".SearchItems", 0, attrs).Store(&items); err != nil {
		return "", mapDBus(err)
	}
	if len(items) == 0 {
		return "", ErrNotFound
	}
	return items[0], nil
}

// lockedEntry reports whether the Secret Service knows a locked item with
// attrs (it answers without unlocking anything).
func (s *secretService) lockedEntry(ctx context.Context, attrs map[string]string) bool {
	var unlocked, locked []dbus.ObjectPath
	err := s.svc.CallWithContext(ctx, ssService+".SearchItems", 0, attrs).Store(&unlocked, &locked)
	return err == nil && len(locked) > 0
}

// closeTimeout bounds closing a Secret Service session.
const closeTimeout = 2 * time.Second

// openSession opens a "plain" session (the bus connection is private to
// this process, so there is nothing to gain from encrypting on it).
func (s *secretService) openSession(ctx context.Context) (dbus.ObjectPath, func(), error) {
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := s.svc.CallWithContext(ctx, ssService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		return "", nil, mapDBus(err)
	}
	return session, func() {
		// Closed even when ctx has ended, but never waited on for long: a
		// Secret Service that hangs must not hold the caller (or Quit).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
		_ = s.conn.Object(ssName, session).CallWithContext(cctx, ssSession+".Close", 0).Err
	}, nil
}

func (k OS) get(ctx context.Context) (string, error) {
	s, err := k.connect(ctx)
	if err != nil {
		return "", err
	}
	defer s.close()
	item, err := s.find(ctx, k.attributes())
	if errors.Is(err, ErrLocked) && s.lockedEntry(ctx, k.attributes()) {
		return "", ErrLockedToken
	}
	if err != nil {
		return "", err
	}
	session, closeSession, err := s.openSession(ctx)
	if err != nil {
		return "", err
	}
	defer closeSession()
	var sec ssSecret
	if err := s.conn.Object(ssName, item).CallWithContext(ctx, ssItem+".GetSecret", 0, session).Store(&sec); err != nil {
		return "", mapDBus(err)
	}
	return string(sec.Value), nil
}

func (k OS) set(ctx context.Context, secret string) error {
	s, err := k.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	coll, err := s.unlockedCollection(ctx)
	if err != nil {
		return err
	}
	if coll == "/" {
		return fmt.Errorf("%w: the Secret Service has no default keyring", ErrUnavailable)
	}
	session, closeSession, err := s.openSession(ctx)
	if err != nil {
		return err
	}
	defer closeSession()
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", k.account(), Service)),
		ssItem + ".Attributes": dbus.MakeVariant(k.attributes()),
	}
	sec := ssSecret{Session: session, Parameters: []byte{}, Value: []byte(secret), ContentType: "text/plain; charset=utf8"}
	var item, prompt dbus.ObjectPath
	if err := s.conn.Object(ssName, coll).CallWithContext(ctx, ssCollection+".CreateItem", 0, props, sec, true).Store(&item, &prompt); err != nil {
		return mapDBus(err)
	}
	if prompt != "/" {
		// The service wants a person to confirm (an unlock); nobody is
		// asked here.
		return ErrLocked
	}
	return nil
}

func (k OS) delete(ctx context.Context) error {
	s, err := k.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	item, err := s.find(ctx, k.attributes())
	if err != nil {
		return err
	}
	var prompt dbus.ObjectPath
	if err := s.conn.Object(ssName, item).CallWithContext(ctx, ssItem+".Delete", 0).Store(&prompt); err != nil {
		return mapDBus(err)
	}
	if prompt != "/" {
		return ErrLocked
	}
	return nil
}

// mapDBus turns the Secret Service's "is locked" into ErrLocked and a
// missing service into ErrNoSecretService.
func mapDBus(err error) error {
	var de dbus.Error
	if errors.As(err, &de) {
		switch de.Name {
		case errIsLocked:
			return ErrLocked
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return fmt.Errorf("%w: %v", ErrNoSecretService, err)
		}
	}
	return err
}
