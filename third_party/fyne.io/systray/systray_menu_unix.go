//go:build (linux || freebsd || openbsd || netbsd) && !android

package systray

import (
	"fmt"
	"log"
	"os"
	"time"

	"fyne.io/systray/internal/prop"
	"github.com/godbus/dbus/v5"

	"fyne.io/systray/internal/generated/menu"
)

// SetIcon sets the icon of a menu item.
// iconBytes should be the content of .ico/.jpg/.png
func (item *MenuItem) SetIcon(iconBytes []byte) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	m, exists := findLayout(int32(item.id))
	if exists {
		m.V1["icon-data"] = dbus.MakeVariant(iconBytes)
		propertiesChanged(m.V0)
	}
}

// SetIconFromFilePath sets the icon of a menu item from a file path.
// iconFilePath should be the path to a .ico for windows and .ico/.jpg/.png for other platforms.
func (item *MenuItem) SetIconFromFilePath(iconFilePath string) error {
	iconBytes, err := os.ReadFile(iconFilePath)
	if err != nil {
		return fmt.Errorf("failed to read icon file: %v", err)
	}
	item.SetIcon(iconBytes)
	return nil
}

// copyLayout makes full copy of layout
func copyLayout(in *menuLayout, depth int32) *menuLayout {
	out := menuLayout{
		V0: in.V0,
		V1: make(map[string]dbus.Variant, len(in.V1)),
	}
	for k, v := range in.V1 {
		out.V1[k] = v
	}
	if depth != 0 {
		depth--
		out.V2 = make([]dbus.Variant, len(in.V2))
		for i, v := range in.V2 {
			out.V2[i] = dbus.MakeVariant(copyLayout(v.Value().(*menuLayout), depth))
		}
	} else {
		out.V2 = []dbus.Variant{}
	}
	return &out
}

// sentSubmenus holds, per client that has asked for the layout before (its
// unique bus name), the submenus it knows as submenus. libdbusmenu-gtk3
// (used by Cinnamon/Xfce/GNOME) drops the items of a submenu that is new in
// the same layout as they are, since the submenu's GtkMenu does not exist
// yet: the submenu opens blank, an empty sliver. That happens to a panel's
// first layout (the process's first, upstream's case, and a restarted
// panel's) and to a submenu added later together with its items (a
// server's submenu added when the server list arrives). So a client's first
// GetLayout gets everything (a one-shot dbus-send or a test needs no more)
// but its submenus stay unsent; a submenu not sent to a client before comes
// without its items ("children-display" tells the client it is one), and a
// LayoutUpdated 150 ms after each such reply makes the client ask again and
// get them, now that their container exists. At most maxClients clients are
// kept. Guarded by menuLock; cleared by resetMenu.
var sentSubmenus = map[dbus.Sender]map[int32]bool{}

const maxClients = 16

// deferNewSubmenus turns the above on (a test that counts signals turns it
// off).
var deferNewSubmenus = true

// GetLayout is com.canonical.dbusmenu.GetLayout method.
func (t *tray) GetLayout(sender dbus.Sender, parentID int32, recursionDepth int32, propertyNames []string) (revision uint32, layout menuLayout, err *dbus.Error) {
	initialMenuBuilt.Wait()
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	if m, ok := findLayout(parentID); ok {
		sent, known := sentSubmenus[sender]
		if !known {
			if len(sentSubmenus) >= maxClients {
				forgetAClient()
			}
			sentSubmenus[sender] = map[int32]bool{}
			// Everything, and nothing counted as sent: sent below is a
			// scratch map that only says whether any submenu went out.
			sent = map[int32]bool{}
		}
		deferred := false
		out := copyLayoutFor(m, recursionDepth, sent, known && deferNewSubmenus, &deferred)
		if !known && deferNewSubmenus && len(sent) > 0 {
			deferred = true // its next ask gets them without their items
		}
		if deferred {
			time.AfterFunc(150*time.Millisecond, func() {
				instance.menuLock.Lock()
				defer instance.menuLock.Unlock()
				layoutChanged()
			})
		}
		// return copy of menu layout to prevent panic from cuncurrent access to layout
		return instance.menuVersion, *out, nil
	}
	return
}

// forgetAClient makes room in sentSubmenus: a client that has asked only
// once (a one-shot dbus-send; nothing is counted as sent to it) if there
// is one, else any. A panel forgotten would be sent its submenus without
// their items once more, and they would vanish for a moment.
func forgetAClient() {
	for k, sent := range sentSubmenus {
		if len(sent) == 0 {
			delete(sentSubmenus, k)
			return
		}
	}
	for k := range sentSubmenus {
		delete(sentSubmenus, k)
		return
	}
}

// copyLayoutFor copies in to depth for a client that knows the submenus in
// sent, and adds to sent the submenus it sends. A submenu below in that the
// depth cuts off, or (deferNew) that is not in sent, is sent without its
// items, and *deferred is set: the client is to ask again.
func copyLayoutFor(in *menuLayout, depth int32, sent map[int32]bool, deferNew bool, deferred *bool) *menuLayout {
	out := copyLayout(in, 0)
	if depth == 0 {
		return out
	}
	out.V2 = make([]dbus.Variant, len(in.V2))
	for i, v := range in.V2 {
		c := v.Value().(*menuLayout)
		if len(c.V2) > 0 && (depth == 1 || deferNew && !sent[c.V0]) {
			sent[c.V0] = true
			*deferred = true
			out.V2[i] = dbus.MakeVariant(copyLayout(c, 0))
			continue
		}
		if len(c.V2) > 0 {
			sent[c.V0] = true
		}
		out.V2[i] = dbus.MakeVariant(copyLayoutFor(c, depth-1, sent, deferNew, deferred))
	}
	return out
}

// GetGroupProperties is com.canonical.dbusmenu.GetGroupProperties method.
func (t *tray) GetGroupProperties(ids []int32, propertyNames []string) (properties []struct {
	V0 int32
	V1 map[string]dbus.Variant
}, err *dbus.Error) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	for _, id := range ids {
		if m, ok := findLayout(id); ok {
			p := struct {
				V0 int32
				V1 map[string]dbus.Variant
			}{
				V0: m.V0,
				V1: make(map[string]dbus.Variant, len(m.V1)),
			}
			for k, v := range m.V1 {
				p.V1[k] = v
			}
			properties = append(properties, p)
		}
	}
	return
}

// GetProperty is com.canonical.dbusmenu.GetProperty method.
func (t *tray) GetProperty(id int32, name string) (value dbus.Variant, err *dbus.Error) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	if m, ok := findLayout(id); ok {
		if p, ok := m.V1[name]; ok {
			return p, nil
		}
	}
	return
}

// Event is com.canonical.dbusmenu.Event method.
func (t *tray) Event(id int32, eventID string, data dbus.Variant, timestamp uint32) (err *dbus.Error) {
	switch eventID {
	case "clicked":
		systrayMenuItemSelected(uint32(id))
	case "opened":
		t.menuLock.RLock()
		rootMenuID := t.menu.V0
		t.menuLock.RUnlock()

		if id == rootMenuID {
			select {
			case TrayOpenedCh <- struct{}{}:
			default:
			}
		}
	}
	return
}

// EventGroup is com.canonical.dbusmenu.EventGroup method.
func (t *tray) EventGroup(events []struct {
	V0 int32
	V1 string
	V2 dbus.Variant
	V3 uint32
}) (idErrors []int32, err *dbus.Error) {
	for _, event := range events {
		if event.V1 == "clicked" {
			systrayMenuItemSelected(uint32(event.V0))
		}
	}
	return
}

// AboutToShow is com.canonical.dbusmenu.AboutToShow method.
func (t *tray) AboutToShow(id int32) (needUpdate bool, err *dbus.Error) {
	return
}

// AboutToShowGroup is com.canonical.dbusmenu.AboutToShowGroup method.
func (t *tray) AboutToShowGroup(ids []int32) (updatesNeeded []int32, idErrors []int32, err *dbus.Error) {
	instance.menuLock.RLock()
	defer instance.menuLock.RUnlock()
	for _, id := range ids {
		if m, ok := findLayout(id); ok && len(m.V2) > 0 {
			updatesNeeded = append(updatesNeeded, id)
		}
	}
	return
}

func createMenuPropSpec() map[string]map[string]*prop.Prop {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	return map[string]map[string]*prop.Prop{
		"com.canonical.dbusmenu": {
			"Version": {
				Value:    instance.menuVersion,
				Writable: true,
				Emit:     prop.EmitTrue,
				Callback: nil,
			},
			"TextDirection": {
				Value:    "ltr",
				Writable: false,
				Emit:     prop.EmitTrue,
				Callback: nil,
			},
			"Status": {
				Value:    "normal",
				Writable: false,
				Emit:     prop.EmitTrue,
				Callback: nil,
			},
			"IconThemePath": {
				Value:    []string{},
				Writable: false,
				Emit:     prop.EmitTrue,
				Callback: nil,
			},
		},
	}
}

// menuLayout is a named struct to map into generated bindings. It represents the layout of a menu item
type menuLayout = struct {
	V0 int32                   // the unique ID of this item
	V1 map[string]dbus.Variant // properties for this menu item layout
	V2 []dbus.Variant          // child menu item layouts
}

func addOrUpdateMenuItem(item *MenuItem) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	layout, exists := findLayout(int32(item.id))
	if !exists {
		layout = &menuLayout{
			V0: int32(item.id),
			V1: map[string]dbus.Variant{},
			V2: []dbus.Variant{},
		}

		parent := instance.menu
		if item.parent != nil {
			m, ok := findLayout(int32(item.parent.id))
			if ok {
				parent = m
				if _, already := parent.V1["children-display"]; !already {
					parent.V1["children-display"] = dbus.MakeVariant("submenu")
					if parent.V0 != 0 {
						// We've added "children-display", that's a property change
						propertiesChanged(parent.V0)
					}
				}
			}
		}
		parent.V2 = append(parent.V2, dbus.MakeVariant(layout))
		instance.byID[layout.V0] = layout
		// New item appended to a parent's children,
		// that's a structural change, so LayoutUpdated signal is required
		layoutChanged()
	}

	applyItemToLayout(item, layout)
	if exists {
		propertiesChanged(layout.V0)
	}
}

func addSeparator(id uint32, parent uint32) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	menu, ok := findLayout(int32(parent))
	if !ok {
		return
	}
	layout := &menuLayout{
		V0: int32(id),
		V1: map[string]dbus.Variant{
			"type": dbus.MakeVariant("separator"),
		},
		V2: []dbus.Variant{},
	}
	menu.V2 = append(menu.V2, dbus.MakeVariant(layout))
	instance.byID[layout.V0] = layout
	layoutChanged()
}

func applyItemToLayout(in *MenuItem, out *menuLayout) {
	out.V1["enabled"] = dbus.MakeVariant(!in.disabled)
	out.V1["label"] = dbus.MakeVariant(in.title)

	if in.isCheckable {
		out.V1["toggle-type"] = dbus.MakeVariant("checkmark")
		if in.isRadio {
			out.V1["toggle-type"] = dbus.MakeVariant("radio")
		}
		if in.checked {
			out.V1["toggle-state"] = dbus.MakeVariant(1)
		} else {
			out.V1["toggle-state"] = dbus.MakeVariant(0)
		}
	} else {
		out.V1["toggle-type"] = dbus.MakeVariant("")
		out.V1["toggle-state"] = dbus.MakeVariant(0)
	}
}

// findLayout returns the layout of item id (0: the root) from the id map.
// Called with menuLock held.
func findLayout(id int32) (*menuLayout, bool) {
	if id == 0 {
		return instance.menu, true
	}
	m, ok := instance.byID[id]
	return m, ok
}

// forgetLayout removes m and everything under it from the id map.
func forgetLayout(m *menuLayout) {
	delete(instance.byID, m.V0)
	for _, v := range m.V2 {
		forgetLayout(v.Value().(*menuLayout))
	}
}

func removeMenuItem(item *MenuItem) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()

	parent := instance.menu
	if item.parent != nil {
		m, ok := findLayout(int32(item.parent.id))
		if !ok {
			return
		}
		parent = m
	}

	for idx, v := range parent.V2 {
		if m := v.Value().(*menuLayout); m.V0 == int32(item.id) {
			parent.V2 = append(parent.V2[:idx], parent.V2[idx+1:]...)
			forgetLayout(m)
			layoutChanged()
			return
		}
	}
}

func hideMenuItem(item *MenuItem) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	m, exists := findLayout(int32(item.id))
	if exists {
		m.V1["visible"] = dbus.MakeVariant(false)
		propertiesChanged(m.V0)
	}
}

func showMenuItem(item *MenuItem) {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	m, exists := findLayout(int32(item.id))
	if exists {
		m.V1["visible"] = dbus.MakeVariant(true)
		propertiesChanged(m.V0)
	}
}

// refreshDelay is how long changes are collected before they are signalled:
// every change made within it (a burst, such as a program updating many
// items in a row) leaves in one ItemsPropertiesUpdated, one Version change
// and one LayoutUpdated, instead of those signals for each change.
var refreshDelay = 50 * time.Millisecond

// propertiesChanged records that item id's properties changed, for the
// next ItemsPropertiesUpdated. Called with menuLock held.
func propertiesChanged(id int32) {
	if _, ok := instance.changedProps[id]; !ok {
		instance.changedProps[id] = struct{}{}
		instance.changedOrder = append(instance.changedOrder, id)
	}
	scheduleRefresh()
}

// layoutChanged records that items were added or removed, for the next
// LayoutUpdated. Called with menuLock held.
func layoutChanged() {
	instance.layoutChanged = true
	scheduleRefresh()
}

// scheduleRefresh makes refresh run after refreshDelay, unless it is
// already due. Called with menuLock held.
func scheduleRefresh() {
	if !instance.refreshDue {
		instance.refreshDue = true
		time.AfterFunc(refreshDelay, refresh)
	}
}

// refresh signals the changes recorded since the last refresh: one
// ItemsPropertiesUpdated with every changed item's properties, then the
// new revision as the Version property and in LayoutUpdated (a property
// change, too, ends in LayoutUpdated: per spec it isn't required, but it is
// kept as a fallback for clients that only watch LayoutUpdated). Nothing is
// sent when nothing changed. The revision GetLayout returns is bumped
// together with the signals, under menuLock.
func refresh() {
	instance.refreshLock.Lock()
	defer instance.refreshLock.Unlock()

	instance.menuLock.Lock()
	instance.refreshDue = false
	var updated []struct {
		V0 int32
		V1 map[string]dbus.Variant
	}
	for _, id := range instance.changedOrder {
		m, ok := instance.byID[id]
		if !ok {
			continue // removed since
		}
		props := make(map[string]dbus.Variant, len(m.V1))
		for k, v := range m.V1 {
			props[k] = v
		}
		updated = append(updated, struct {
			V0 int32
			V1 map[string]dbus.Variant
		}{m.V0, props})
	}
	changed := instance.layoutChanged || len(instance.changedOrder) > 0
	for _, id := range instance.changedOrder {
		delete(instance.changedProps, id)
	}
	instance.changedOrder = instance.changedOrder[:0]
	instance.layoutChanged = false
	if changed {
		instance.menuVersion++
	}
	version := instance.menuVersion
	instance.menuLock.Unlock()
	if !changed {
		return
	}

	instance.lock.Lock()
	conn, menuProps := instance.conn, instance.menuProps
	instance.lock.Unlock()
	if conn == nil || menuProps == nil {
		return
	}
	if len(updated) > 0 {
		err := menu.Emit(conn, &menu.Dbusmenu_ItemsPropertiesUpdatedSignal{
			Path: menuPath,
			Body: &menu.Dbusmenu_ItemsPropertiesUpdatedSignalBody{
				UpdatedProps: updated,
			},
		})
		if err != nil {
			log.Printf("systray error: failed to emit items properties updated signal: %v\n", err)
		}
	}
	dbusErr := menuProps.Set("com.canonical.dbusmenu", "Version",
		dbus.MakeVariant(version))
	if dbusErr != nil {
		log.Printf("systray error: failed to update menu version: %v\n", dbusErr)
		return
	}
	err := menu.Emit(conn, &menu.Dbusmenu_LayoutUpdatedSignal{
		Path: menuPath,
		Body: &menu.Dbusmenu_LayoutUpdatedSignalBody{
			Revision: version,
		},
	})
	if err != nil {
		log.Printf("systray error: failed to emit layout updated signal: %v\n", err)
	}
}

func resetMenu() {
	instance.menuLock.Lock()
	defer instance.menuLock.Unlock()
	instance.menu = &menuLayout{}
	instance.byID = map[int32]*menuLayout{}
	sentSubmenus = map[dbus.Sender]map[int32]bool{}
	layoutChanged()
}
