//go:build linux

package desktop

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// ---- org.freedesktop.Notifications -------------------------------------

const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
)

// Notification is one recorded org.freedesktop.Notifications.Notify call.
type Notification struct {
	ID            uint32 // the id the server returned
	Sender        string // caller's unique bus name
	AppName       string
	ReplacesID    uint32
	Icon          string
	Summary       string
	Body          string
	Actions       []string
	Hints         map[string]dbus.Variant
	ExpireTimeout int32
}

func (n Notification) String() string {
	keys := make([]string, 0, len(n.Hints))
	for k := range n.Hints {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("#%d app=%q summary=%q body=%q icon=%q hints=%v", n.ID, n.AppName, n.Summary, n.Body, n.Icon, keys)
}

// notifyServer implements the notification server. Its exported methods
// are the D-Bus methods.
type notifyServer struct {
	conn *dbus.Conn
	mu   sync.Mutex
	last uint32
	list []Notification
}

func exportNotifications(conn *dbus.Conn) (*notifyServer, error) {
	s := &notifyServer{conn: conn}
	if err := conn.Export(s, notifyPath, notifyIface); err != nil {
		return nil, err
	}
	node := &introspect.Node{Name: string(notifyPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData,
		{Name: notifyIface, Methods: introspect.Methods(s), Signals: []introspect.Signal{
			{Name: "NotificationClosed", Args: []introspect.Arg{{Name: "id", Type: "u"}, {Name: "reason", Type: "u"}}},
			{Name: "ActionInvoked", Args: []introspect.Arg{{Name: "id", Type: "u"}, {Name: "action_key", Type: "s"}}},
		}},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), notifyPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return nil, err
	}
	if err := requestName(conn, notifyName); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *notifyServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "actions", "icon-static", "persistence"}, nil
}

func (s *notifyServer) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "e2e-desktop", "plextray", "1.0", "1.2", nil
}

func (s *notifyServer) Notify(sender dbus.Sender, appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replacesID
	if id == 0 {
		s.last++
		id = s.last
	}
	s.list = append(s.list, Notification{
		ID: id, Sender: string(sender), AppName: appName, ReplacesID: replacesID, Icon: appIcon,
		Summary: summary, Body: body, Actions: actions, Hints: hints, ExpireTimeout: expireTimeout,
	})
	return id, nil
}

func (s *notifyServer) CloseNotification(id uint32) *dbus.Error {
	_ = s.conn.Emit(notifyPath, notifyIface+".NotificationClosed", id, uint32(3)) // 3: closed by a call
	return nil
}

func (s *notifyServer) all() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.list...)
}

// ---- org.kde.StatusNotifierWatcher --------------------------------------

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
)

// trayItem is a registered StatusNotifierItem.
type trayItem struct {
	Service string          // the registering connection's unique name
	Path    dbus.ObjectPath // the item's object path
}

func (i trayItem) id() string { return i.Service + string(i.Path) }

// watcher plays the panel's StatusNotifierWatcher. Its exported methods are
// the D-Bus methods.
type watcher struct {
	conn  *dbus.Conn
	props *prop.Properties
	mu    sync.Mutex
	items []trayItem
}

func exportWatcher(conn *dbus.Conn) (*watcher, error) {
	w := &watcher{conn: conn}
	if err := conn.Export(w, watcherPath, watcherIface); err != nil {
		return nil, err
	}
	props, err := prop.Export(conn, watcherPath, prop.Map{watcherIface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		return nil, err
	}
	w.props = props
	node := &introspect.Node{Name: string(watcherPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData,
		prop.IntrospectData,
		{
			Name:       watcherIface,
			Methods:    introspect.Methods(w),
			Properties: props.Introspection(watcherIface),
			Signals: []introspect.Signal{
				{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}},
				{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Type: "s"}}},
				{Name: "StatusNotifierHostRegistered"},
			},
		},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return nil, err
	}

	// Drop items whose connection leaves the bus.
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
	); err != nil {
		return nil, err
	}
	ch := make(chan *dbus.Signal, 64)
	conn.Signal(ch)
	go func() {
		for sig := range ch {
			if sig == nil {
				return
			}
			if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) < 3 {
				continue
			}
			name, _ := sig.Body[0].(string)
			newOwner, _ := sig.Body[2].(string)
			if newOwner == "" {
				w.dropService(name)
			}
		}
	}()

	if err := requestName(conn, watcherName); err != nil {
		return nil, err
	}
	_ = conn.Emit(watcherPath, watcherIface+".StatusNotifierHostRegistered")
	return w, nil
}

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	item := trayItem{Service: string(sender), Path: "/StatusNotifierItem"}
	if strings.HasPrefix(service, "/") {
		item.Path = dbus.ObjectPath(service)
	}
	w.mu.Lock()
	kept := w.items[:0]
	for _, it := range w.items {
		if it != item {
			kept = append(kept, it)
		}
	}
	w.items = append(kept, item)
	w.mu.Unlock()
	w.publish()
	_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", item.id())
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(service string) *dbus.Error {
	_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierHostRegistered")
	return nil
}

func (w *watcher) dropService(name string) {
	var gone []trayItem
	w.mu.Lock()
	kept := w.items[:0]
	for _, it := range w.items {
		if it.Service == name {
			gone = append(gone, it)
		} else {
			kept = append(kept, it)
		}
	}
	w.items = kept
	w.mu.Unlock()
	if len(gone) == 0 {
		return
	}
	w.publish()
	for _, it := range gone {
		_ = w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemUnregistered", it.id())
	}
}

func (w *watcher) publish() {
	w.mu.Lock()
	ids := make([]string, len(w.items))
	for i, it := range w.items {
		ids[i] = it.id()
	}
	w.mu.Unlock()
	// Set, not SetMust: while the session is torn down the connection may
	// already be closed, and there is nobody left to tell.
	_ = w.props.Set(watcherIface, "RegisteredStatusNotifierItems", dbus.MakeVariant(ids))
}

// registered returns the registered items, oldest first.
func (w *watcher) registered() []trayItem {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]trayItem(nil), w.items...)
}

func requestName(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("request %s: %w", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("request %s: not the owner (reply %d)", name, reply)
	}
	return nil
}
