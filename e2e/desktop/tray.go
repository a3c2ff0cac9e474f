//go:build linux

package desktop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	sniIface     = "org.kde.StatusNotifierItem"
	dbusmenuIfce = "com.canonical.dbusmenu"
	callTimeout  = 5 * time.Second
)

// Tray drives one registered StatusNotifierItem the way a panel does:
// it reads the item's properties and its com.canonical.dbusmenu menu, and
// sends clicks. Its methods may be called from several goroutines, but the
// ones taking a testing.TB fail the test and belong on the test's goroutine.
type Tray struct {
	d       *Desktop
	Service string          // the item's unique bus name
	Path    dbus.ObjectPath // the item's object path

	mu   sync.Mutex
	menu dbus.ObjectPath // cached Menu property
}

// MenuItem is one node of the item's dbusmenu, as a panel sees it.
type MenuItem struct {
	ID          int32
	Label       string
	Enabled     bool
	Visible     bool
	Type        string // "standard" or "separator"
	ToggleType  string // "", "checkmark" or "radio"
	ToggleState int    // 1 checked, 0 unchecked, -1 indeterminate
	Submenu     bool   // children-display = "submenu"
	Children    []MenuItem
}

// Tray waits for a tray item to register with the harness's watcher and
// returns the most recently registered one that is still on the bus.
func (d *Desktop) Tray(t testing.TB, timeout time.Duration) *Tray {
	t.Helper()
	return d.tray(t, 0, timeout)
}

func (d *Desktop) tray(t testing.TB, pid int, timeout time.Duration) *Tray {
	t.Helper()
	if d.watcher == nil {
		t.Fatalf("e2e/desktop: Tray with Options.NoWatcher")
	}
	var found *trayItem
	var seen []trayItem
	if !poll(timeout, 20*time.Millisecond, func() bool {
		seen = d.watcher.registered()
		for i := len(seen) - 1; i >= 0; i-- {
			if pid == 0 || d.pidOf(seen[i].Service) == pid {
				found = &seen[i]
				return true
			}
		}
		return false
	}) {
		what := "any tray item"
		if pid != 0 {
			what = fmt.Sprintf("a tray item from pid %d", pid)
		}
		t.Fatalf("e2e/desktop: no %s registered within %v (registered: %v)", what, timeout, seen)
	}
	return &Tray{d: d, Service: found.Service, Path: found.Path}
}

func (d *Desktop) pidOf(busName string) int {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var pid uint32
	if err := d.conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetConnectionUnixProcessID", 0, busName).Store(&pid); err != nil {
		return -1
	}
	return int(pid)
}

// Property reads a StatusNotifierItem property (Title, ToolTip, IconPixmap,
// Status, IconName, Id, Category, Menu, ...) and returns its value.
func (tr *Tray) Property(name string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var v dbus.Variant
	err := tr.d.conn.Object(tr.Service, tr.Path).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		sniIface, name).Store(&v)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	return v.Value(), nil
}

// Look is what a panel draws for the item: its title, the tooltip's text
// and the first icon pixmap (ARGB, big-endian, as the StatusNotifierItem
// spec has it).
type Look struct {
	Title, Tooltip string
	IconW, IconH   int32
	Icon           []byte
}

type pixmap struct {
	W, H int32
	ARGB []byte
}

// Look reads the item's Title, ToolTip and IconPixmap, as a panel does on
// NewTitle, NewToolTip and NewIcon.
func (tr *Tray) Look() (Look, error) {
	var l Look
	var tip struct {
		IconName string
		Icon     []pixmap
		Title    string
		Text     string
	}
	var px []pixmap
	for name, into := range map[string]any{"Title": &l.Title, "ToolTip": &tip, "IconPixmap": &px} {
		v, err := tr.Property(name)
		if err != nil {
			return l, err
		}
		if err := dbus.Store([]any{v}, into); err != nil {
			return l, fmt.Errorf("%s %v: %w", name, v, err)
		}
	}
	// fyne.io/systray puts the text in the tooltip's title field.
	l.Tooltip = tip.Title
	if len(px) > 0 {
		l.IconW, l.IconH, l.Icon = px[0].W, px[0].H, px[0].ARGB
	}
	return l, nil
}

// WaitLook polls Look until pred holds and returns it; it fails the test
// after timeout.
func (tr *Tray) WaitLook(t testing.TB, desc string, pred func(Look) bool, timeout time.Duration) Look {
	t.Helper()
	var last Look
	var lastErr error
	if poll(timeout, 50*time.Millisecond, func() bool {
		last, lastErr = tr.Look()
		return lastErr == nil && pred(last)
	}) {
		return last
	}
	t.Fatalf("e2e/desktop: timed out after %v waiting for %s; last: title %q, tooltip %q, icon %dx%d (%d bytes); error: %v",
		timeout, desc, last.Title, last.Tooltip, last.IconW, last.IconH, len(last.Icon), lastErr)
	return Look{}
}

// Registered reports whether the item is still registered with the watcher
// (it is dropped when its connection leaves the bus).
func (tr *Tray) Registered() bool {
	for _, it := range tr.d.watcher.registered() {
		if it.Service == tr.Service && it.Path == tr.Path {
			return true
		}
	}
	return false
}

func (tr *Tray) menuPath() (dbus.ObjectPath, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.menu != "" {
		return tr.menu, nil
	}
	v, err := tr.Property("Menu")
	if err != nil {
		return "", err
	}
	p, ok := v.(dbus.ObjectPath)
	if !ok || !p.IsValid() {
		return "", fmt.Errorf("the Menu property is %T %v, not an object path", v, v)
	}
	tr.menu = p
	return p, nil
}

// Layout reads the whole menu: GetLayout(0, -1, []), then each submenu again
// with GetLayout(id, -1, []), since after a connection's first GetLayout the
// patched fyne.io/systray sends a submenu new to it without its items (for
// libdbusmenu-gtk3; PATCHES.md 6c). The root item (ID 0) has the top-level
// items as children.
func (tr *Tray) Layout() (MenuItem, error) {
	mp, err := tr.menuPath()
	if err != nil {
		return MenuItem{}, err
	}
	root, err := tr.getLayout(mp, 0)
	if err != nil {
		return MenuItem{}, err
	}
	if err := tr.fillSubmenus(mp, &root); err != nil {
		return MenuItem{}, err
	}
	return root, nil
}

func (tr *Tray) fillSubmenus(mp dbus.ObjectPath, m *MenuItem) error {
	for i := range m.Children {
		c := &m.Children[i]
		if c.Submenu {
			fresh, err := tr.getLayout(mp, c.ID)
			if err != nil {
				return fmt.Errorf("submenu %d %q: %w", c.ID, c.Label, err)
			}
			if fresh.ID == c.ID {
				*c = fresh
			}
		}
		if err := tr.fillSubmenus(mp, c); err != nil {
			return err
		}
	}
	return nil
}

func (tr *Tray) getLayout(mp dbus.ObjectPath, id int32) (MenuItem, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	call := tr.d.conn.Object(tr.Service, mp).CallWithContext(ctx, dbusmenuIfce+".GetLayout", 0, id, int32(-1), []string{})
	if call.Err != nil {
		return MenuItem{}, fmt.Errorf("GetLayout(%d): %w", id, call.Err)
	}
	if len(call.Body) != 2 {
		return MenuItem{}, fmt.Errorf("GetLayout(%d): reply has %d values", id, len(call.Body))
	}
	return parseNode(call.Body[1])
}

// parseNode converts a (ia{sv}av) node, as godbus decodes it, to a MenuItem.
func parseNode(v any) (MenuItem, error) {
	if vv, ok := v.(dbus.Variant); ok {
		v = vv.Value()
	}
	fields, ok := v.([]any)
	if !ok || len(fields) != 3 {
		return MenuItem{}, fmt.Errorf("menu node is %T, not (ia{sv}av)", v)
	}
	id, ok1 := fields[0].(int32)
	props, ok2 := fields[1].(map[string]dbus.Variant)
	children, ok3 := fields[2].([]dbus.Variant)
	if !ok1 || !ok2 || !ok3 {
		return MenuItem{}, fmt.Errorf("menu node has types %T %T %T, not (ia{sv}av)", fields[0], fields[1], fields[2])
	}
	m := MenuItem{ID: id, Enabled: true, Visible: true, Type: "standard"}
	for k, pv := range props {
		switch val := pv.Value(); k {
		case "label":
			m.Label, _ = val.(string)
		case "enabled":
			m.Enabled, _ = val.(bool)
		case "visible":
			m.Visible, _ = val.(bool)
		case "type":
			m.Type, _ = val.(string)
		case "toggle-type":
			m.ToggleType, _ = val.(string)
		case "toggle-state":
			if n, ok := val.(int32); ok {
				m.ToggleState = int(n)
			}
		case "children-display":
			m.Submenu = val == "submenu"
		}
	}
	for _, c := range children {
		child, err := parseNode(c)
		if err != nil {
			return MenuItem{}, err
		}
		m.Children = append(m.Children, child)
	}
	return m, nil
}

// Click sends the "clicked" event for menu item id, as a panel does when the
// person picks it.
func (tr *Tray) Click(id int32) error {
	mp, err := tr.menuPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	call := tr.d.conn.Object(tr.Service, mp).CallWithContext(ctx, dbusmenuIfce+".Event", 0,
		id, "clicked", dbus.MakeVariant(int32(0)), uint32(time.Now().Unix()))
	if call.Err != nil && !leftWithoutReply(call.Err) {
		return fmt.Errorf("Event(%d, clicked): %w", id, call.Err)
	}
	return nil
}

// leftWithoutReply reports whether err says the app received the call and
// left the bus before replying: what a click on Quit may do (the app exits
// while fyne.io/systray's reply is still unsent). The click was delivered;
// a crash instead shows in the app's exit status.
func leftWithoutReply(err error) bool {
	var de dbus.Error
	return errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.NoReply" &&
		strings.Contains(fmt.Sprint(de.Body...), "disconnected")
}

// ClickLabel waits (up to DefaultTimeout) for a visible, enabled item whose
// label is label (exact match first, then prefix), clicks it and returns it.
func (tr *Tray) ClickLabel(t testing.TB, label string) MenuItem {
	t.Helper()
	var target MenuItem
	tr.WaitFor(t, fmt.Sprintf("a visible, enabled item %q", label), func(root MenuItem) bool {
		if m := root.find(label, func(m *MenuItem) bool { return m.Visible && m.Enabled && m.Type != "separator" }); m != nil {
			target = *m
			return true
		}
		return false
	}, DefaultTimeout)
	if err := tr.Click(target.ID); err != nil {
		t.Fatalf("e2e/desktop: click %q: %v", label, err)
	}
	return target
}

// WaitFor polls Layout (every 50 ms) until pred(root) is true and returns
// that layout; on timeout it fails the test, showing the last menu seen.
func (tr *Tray) WaitFor(t testing.TB, desc string, pred func(MenuItem) bool, timeout time.Duration) MenuItem {
	t.Helper()
	var last MenuItem
	var lastErr error
	if poll(timeout, 50*time.Millisecond, func() bool {
		root, err := tr.Layout()
		if err != nil {
			lastErr = err
			return false
		}
		last, lastErr = root, nil
		return pred(root)
	}) {
		return last
	}
	t.Fatalf("e2e/desktop: timed out after %v waiting for %s; last menu:\n%s\nlast error: %v",
		timeout, desc, last.Tree(), lastErr)
	return MenuItem{}
}

// Find returns the first visible item in the tree (depth first, the item
// itself included) whose label is label; failing that, the first whose
// label starts with label. nil if none. Hidden items are never found: the
// tray never changes a hidden item (internal/tray/systray.go), so a hidden
// item's label is whatever it showed last.
func (m MenuItem) Find(label string) *MenuItem {
	return m.find(label, func(m *MenuItem) bool { return m.Visible })
}

func (m *MenuItem) find(label string, ok func(*MenuItem) bool) *MenuItem {
	if f := m.walk(func(x *MenuItem) bool { return ok(x) && x.Label == label }); f != nil {
		return f
	}
	if label == "" {
		return nil
	}
	return m.walk(func(x *MenuItem) bool { return ok(x) && strings.HasPrefix(x.Label, label) })
}

func (m *MenuItem) walk(match func(*MenuItem) bool) *MenuItem {
	if match(m) {
		return m
	}
	for i := range m.Children {
		if f := m.Children[i].walk(match); f != nil {
			return f
		}
	}
	return nil
}

// Labels lists the labels of the visible items below m, depth first,
// children of a submenu indented by two spaces per level; a separator is
// "---". Hidden items (and what is below them) are left out.
func (m MenuItem) Labels() []string {
	var out []string
	var walk func(MenuItem, string)
	walk = func(n MenuItem, indent string) {
		for _, c := range n.Children {
			if !c.Visible {
				continue
			}
			label := c.Label
			if c.Type == "separator" {
				label = "---"
			}
			out = append(out, indent+label)
			walk(c, indent+"  ")
		}
	}
	walk(m, "")
	return out
}

// Tree renders the menu below m with ids and states, one item a line
// (hidden items included, marked), for failure messages.
func (m MenuItem) Tree() string {
	var b strings.Builder
	var walk func(MenuItem, string)
	walk = func(n MenuItem, indent string) {
		for _, c := range n.Children {
			fmt.Fprintf(&b, "%s[%d] ", indent, c.ID)
			switch {
			case c.Type == "separator":
				b.WriteString("---")
			default:
				fmt.Fprintf(&b, "%q", c.Label)
			}
			if c.ToggleType != "" {
				fmt.Fprintf(&b, " %s=%d", c.ToggleType, c.ToggleState)
			}
			if !c.Enabled {
				b.WriteString(" (disabled)")
			}
			if !c.Visible {
				b.WriteString(" (hidden)")
			}
			if c.Submenu {
				b.WriteString(" >")
			}
			b.WriteString("\n")
			walk(c, indent+"  ")
		}
	}
	walk(m, "  ")
	if b.Len() == 0 {
		return "  (empty)"
	}
	return strings.TrimRight(b.String(), "\n")
}
