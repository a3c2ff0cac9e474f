//go:build linux

package systray

// Tests of the changes in PATCHES.md. They fail with the v1.12.2 code:
// TestNoBusEndDoesNotPanic panics there (nativeEnd closed a nil
// connection), TestBurstIsOneRefresh counts three signals per operation
// there, the race detector reports GetLayout's read of menuVersion there,
// TestClicksAreNeverDropped loses the clicks nobody was receiving, and
// TestInitLeavesTheMainThreadFree finds the template thread its init's
// runtime.LockOSThread starts.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestNoBusEndDoesNotPanic: without a session bus, start logs and returns,
// onReady still runs, and end returns.
func TestNoBusEndDoesNotPanic(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	ready := make(chan struct{})
	start, end := RunWithExternalLoop(func() { close(ready) }, nil)
	start()
	<-ready
	end()
}

// TestInitLeavesTheMainThreadFree: on the D-Bus platforms the package's
// init does not lock the main goroutine to its thread. Upstream's
// runtime.LockOSThread there starts the runtime's template thread, whose
// creation the threadcreate profile of a program built without cgo (in a
// cgo build the runtime starts that thread anyway) records with this
// package's init on its stack.
func TestInitLeavesTheMainThreadFree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	if !dbusTray {
		t.Fatal("dbusTray is false on Linux")
	}
	cmd := exec.Command("go", "run", "./testdata/initthread")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./testdata/initthread: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "threadcreate profile") {
		t.Fatalf("no profile:\n%s", out)
	}
	if strings.Contains(string(out), "fyne.io/systray.init") {
		t.Fatalf("a thread was created from this package's init:\n%s", out)
	}
}

// privateBus starts a dbus-daemon of its own and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a dbus-daemon")
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon is missing")
		}
		t.Skip("needs dbus-daemon")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--print-address=1",
		"--address=unix:path="+t.TempDir()+"/bus")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	return strings.TrimSpace(addr)
}

// TestBurstIsOneRefresh puts the menu on a private bus, makes a burst of
// 1 000 item operations (adds, titles, hides, shows, checks) and counts
// what a panel receives: one ItemsPropertiesUpdated, one Version change
// and one LayoutUpdated, with the revision GetLayout then returns; the
// layout read over the bus shows every change. Meanwhile another
// goroutine reads the layout as a panel does (under -race this checked
// menuVersion's locking).
func TestBurstIsOneRefresh(t *testing.T) {
	addr := privateBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	saved := refreshDelay
	refreshDelay = time.Hour // the test calls refresh itself
	t.Cleanup(func() { refreshDelay = saved })

	ready := make(chan struct{})
	start, end := RunWithExternalLoop(func() { close(ready) }, nil)
	start()
	t.Cleanup(end)
	<-ready
	t.Cleanup(ResetMenu)
	instance.lock.Lock()
	service := instance.conn.Names()[0]
	instance.lock.Unlock()

	panel, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer panel.Close()
	if err := panel.AddMatchSignal(dbus.WithMatchSender(service)); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 10000)
	panel.Signal(signals)
	menuObj := panel.Object(service, menuPath)
	getLayout := func() (uint32, menuLayout) {
		var rev uint32
		var lay menuLayout
		if err := menuObj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &lay); err != nil {
			t.Error(err)
		}
		return rev, lay
	}
	// A submenu new to a panel comes without its items, each time with a
	// LayoutUpdated 150 ms later (see GetLayout): not part of this test.
	instance.menuLock.Lock()
	deferNewSubmenus = false
	instance.menuLock.Unlock()
	t.Cleanup(func() {
		instance.menuLock.Lock()
		deferNewSubmenus = true
		instance.menuLock.Unlock()
	})

	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
				getLayout()
			}
		}
	}()

	const servers = 100
	parent := AddMenuItem("Servers", "")
	var rows []*MenuItem
	ops := 1
	for i := 0; i < servers; i++ {
		row := parent.AddSubMenuItem(fmt.Sprintf("server %d", i), "")
		row.AddSubMenuItem("Copy URI", "")
		row.AddSubMenuItemCheckbox("Notify", "", false)
		rows = append(rows, row)
		ops += 3
	}
	for i, row := range rows {
		row.SetTitle(fmt.Sprintf("server %d — local · %d ms", i, i))
		row.Hide()
		row.Show()
		row.Disable()
		if i%2 == 0 {
			row.Hide()
		}
		ops += 4 + 1 - i%2
	}
	close(stop)
	readers.Wait()
	refresh()

	got := drainUntilLayoutUpdated(t, signals)
	if len(got) != 3 || got[0].Name != "com.canonical.dbusmenu.ItemsPropertiesUpdated" ||
		got[1].Name != "org.freedesktop.DBus.Properties.PropertiesChanged" {
		t.Fatalf("%d operations: want ItemsPropertiesUpdated, PropertiesChanged(Version), LayoutUpdated; got %d signals: %v",
			ops, len(got), names(got))
	}
	var updated []struct {
		V0 int32
		V1 map[string]dbus.Variant
	}
	if err := dbus.Store(got[0].Body[:1], &updated); err != nil {
		t.Fatal(err)
	}
	if len(updated) != 1+servers {
		t.Fatalf("ItemsPropertiesUpdated names %d items, want the %d changed", len(updated), 1+servers)
	}
	var sigRev uint32
	if err := dbus.Store(got[2].Body[:1], &sigRev); err != nil {
		t.Fatal(err)
	}
	rev, lay := getLayout()
	if rev != sigRev {
		t.Fatalf("GetLayout's revision %d, LayoutUpdated said %d", rev, sigRev)
	}
	var servLay menuLayout
	for _, v := range lay.V2 {
		var l menuLayout
		if err := dbus.Store([]any{v.Value()}, &l); err != nil {
			t.Fatal(err)
		}
		if l.V0 == int32(parent.id) {
			servLay = l
		}
	}
	if len(servLay.V2) != servers {
		t.Fatalf("Servers has %d rows over the bus, want %d", len(servLay.V2), servers)
	}
	for i, v := range servLay.V2 {
		var l menuLayout
		if err := dbus.Store([]any{v.Value()}, &l); err != nil {
			t.Fatal(err)
		}
		label, visible, enabled := l.V1["label"].Value(), l.V1["visible"].Value(), l.V1["enabled"].Value()
		want := fmt.Sprintf("server %d — local · %d ms", i, i)
		if label != want || visible != (i%2 == 1) || enabled != false || len(l.V2) != 2 {
			t.Fatalf("row %d: label %v visible %v enabled %v, %d children; want %q visible %v, disabled, 2 children",
				i, label, visible, enabled, len(l.V2), want, i%2 == 1)
		}
	}

	// Nothing changed: a refresh sends nothing (seen as the next
	// change's signals coming first).
	refresh()
	parent.SetTitle("Servers (2)")
	refresh()
	if got := drainUntilLayoutUpdated(t, signals); len(got) != 3 {
		t.Fatalf("one change: got %v", names(got))
	}
}

// drainUntilLayoutUpdated returns the signals received up to and including
// the next LayoutUpdated.
func drainUntilLayoutUpdated(t *testing.T, signals <-chan *dbus.Signal) []*dbus.Signal {
	t.Helper()
	var got []*dbus.Signal
	deadline := time.After(30 * time.Second)
	for {
		select {
		case s := <-signals:
			got = append(got, s)
			if s.Name == "com.canonical.dbusmenu.LayoutUpdated" {
				return got
			}
		case <-deadline:
			t.Fatalf("no LayoutUpdated within 30 s; got %v", names(got))
		}
	}
}

func names(sigs []*dbus.Signal) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, s.Name)
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… %d in all", len(sigs)))
	}
	return out
}

// TestIDMapMatchesTree: after adds, separators, removals and a reset, the
// id map holds exactly the items of the tree.
func TestIDMapMatchesTree(t *testing.T) {
	t.Cleanup(ResetMenu)
	a := AddMenuItem("a", "")
	b := a.AddSubMenuItem("b", "")
	b.AddSubMenuItem("c", "")
	a.AddSeparator()
	d := AddMenuItemCheckbox("d", "", true)
	AddSeparator()
	check := func(when string) {
		t.Helper()
		instance.menuLock.RLock()
		defer instance.menuLock.RUnlock()
		inTree := map[int32]*menuLayout{}
		var walk func(*menuLayout)
		walk = func(m *menuLayout) {
			for _, v := range m.V2 {
				c := v.Value().(*menuLayout)
				inTree[c.V0] = c
				walk(c)
			}
		}
		walk(instance.menu)
		if len(inTree) != len(instance.byID) {
			t.Fatalf("%s: %d items in the tree, %d in the map", when, len(inTree), len(instance.byID))
		}
		for id, m := range inTree {
			if instance.byID[id] != m {
				t.Fatalf("%s: item %d not in the map", when, id)
			}
		}
	}
	check("built")
	b.Remove()
	check("b removed")
	d.Remove()
	check("d removed")
	ResetMenu()
	check("reset")
}

// TestClicksAreNeverDropped: with SetOnClicked every click runs, in
// order, even while an earlier one is still running and nothing waits on
// ClickedCh.
func TestClicksAreNeverDropped(t *testing.T) {
	t.Cleanup(ResetMenu)
	const n = 1000
	a, b := AddMenuItem("a", ""), AddMenuItem("b", "")
	var got []string
	var mu sync.Mutex
	release := make(chan struct{})
	done := make(chan struct{})
	first := true
	record := func(name string) func() {
		return func() {
			if first {
				first = false
				<-release // every other click arrives meanwhile
			}
			mu.Lock()
			got = append(got, name)
			if len(got) == n {
				close(done)
			}
			mu.Unlock()
		}
	}
	a.SetOnClicked(record("a"))
	b.SetOnClicked(record("b"))
	var want []string
	for i := 0; i < n; i++ {
		it := a
		if i%3 == 0 {
			it = b
		}
		want = append(want, map[bool]string{true: "b", false: "a"}[it == b])
		systrayMenuItemSelected(it.id)
	}
	close(release)
	<-done
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("clicks ran as %v…, want %v…", got[:10], want[:10])
	}
}

// TestRadioItems: a radio item is "toggle-type" "radio" in the dbusmenu
// layout, checked and unchecked like a checkbox, while a checkbox stays
// "checkmark".
func TestRadioItems(t *testing.T) {
	t.Cleanup(ResetMenu)
	parent := AddMenuItem("Profile", "")
	a := parent.AddSubMenuItemRadio("a", "", true)
	b := parent.AddSubMenuItemRadio("b", "", false)
	box := parent.AddSubMenuItemCheckbox("box", "", false)
	props := func(it *MenuItem) (string, int) {
		t.Helper()
		instance.menuLock.RLock()
		defer instance.menuLock.RUnlock()
		m, ok := findLayout(int32(it.id))
		if !ok {
			t.Fatalf("%v not in the layout", it)
		}
		return m.V1["toggle-type"].Value().(string), m.V1["toggle-state"].Value().(int)
	}
	want := func(when string, it *MenuItem, typ string, state int) {
		t.Helper()
		if gt, gs := props(it); gt != typ || gs != state {
			t.Fatalf("%s: %v is %q/%d, want %q/%d", when, it, gt, gs, typ, state)
		}
	}
	want("built", a, "radio", 1)
	want("built", b, "radio", 0)
	want("built", box, "checkmark", 0)
	a.Uncheck()
	b.Check()
	b.SetTitle("b2")
	want("switched", a, "radio", 0)
	want("switched", b, "radio", 1)
}

// TestNewSubmenusComeWithoutTheirItemsFirst: a client's first GetLayout
// has everything (a one-shot dbus-send); after that, a submenu the client
// has not been sent is sent without its items, and they follow on its next
// GetLayout (a LayoutUpdated asks for it), so libdbusmenu-gtk3 has the
// submenu's container before its items and does not open it blank. That
// holds for every client, the process's first panel as well as one that
// starts later (a restarted panel), whose first layout had them all.
func TestNewSubmenusComeWithoutTheirItemsFirst(t *testing.T) {
	ResetMenu()
	t.Cleanup(ResetMenu)
	servers := AddMenuItem("Server details", "")
	room := servers.AddSubMenuItem("Living Room", "")
	room.AddSubMenuItem("Copy server token", "")
	// kids is the number of items of the submenu titled title in lay (-1:
	// not there).
	kids := func(lay menuLayout, title string) int {
		var walk func(*menuLayout) int
		walk = func(m *menuLayout) int {
			if m.V1["label"].Value() == title {
				return len(m.V2)
			}
			for _, v := range m.V2 {
				if n := walk(v.Value().(*menuLayout)); n >= 0 {
					return n
				}
			}
			return -1
		}
		return walk(&lay)
	}
	get := func(who dbus.Sender) menuLayout {
		t.Helper()
		_, lay, err := instance.GetLayout(who, 0, -1, nil)
		if err != nil {
			t.Fatal(err)
		}
		return lay
	}
	for _, panel := range []dbus.Sender{":1.1", ":1.2"} { // the first panel, and one started later
		if lay := get(panel); kids(lay, "Server details") != 1 || kids(lay, "Living Room") != 1 {
			t.Fatalf("%s first: %d and %d items, want all", panel, kids(lay, "Server details"), kids(lay, "Living Room"))
		}
		if lay := get(panel); kids(lay, "Server details") != 0 {
			t.Fatalf("%s second: Server details has %d items, want none yet", panel, kids(lay, "Server details"))
		}
		if lay := get(panel); kids(lay, "Server details") != 1 || kids(lay, "Living Room") != 0 {
			t.Fatalf("%s third: %d and %d items, want 1 and none yet", panel, kids(lay, "Server details"), kids(lay, "Living Room"))
		}
		if lay := get(panel); kids(lay, "Living Room") != 1 {
			t.Fatalf("%s fourth: Living Room has %d items, want 1", panel, kids(lay, "Living Room"))
		}
	}
	panel := dbus.Sender(":1.1")
	// One-shot clients (a script's dbus-send each time) do not push the
	// panels out: a panel still gets what it has without a second pass.
	for i := 0; i < 2*maxClients; i++ {
		get(dbus.Sender(":2." + strconv.Itoa(i)))
	}
	for _, p := range []dbus.Sender{":1.1", ":1.2"} {
		for ask := 1; ask <= 2; ask++ {
			if lay := get(p); kids(lay, "Server details") != 1 || kids(lay, "Living Room") != 1 {
				t.Fatalf("%s, ask %d after %d one-shot clients: %d and %d items, want all", p, ask, 2*maxClients, kids(lay, "Server details"), kids(lay, "Living Room"))
			}
		}
	}
	// A submenu added later is new again; one the client has is not.
	attic := servers.AddSubMenuItem("Attic", "")
	attic.AddSubMenuItem("Open Plex Web", "")
	if lay := get(panel); kids(lay, "Attic") != 0 || kids(lay, "Living Room") != 1 {
		t.Fatalf("Attic %d items, Living Room %d; want 0 and 1", kids(lay, "Attic"), kids(lay, "Living Room"))
	}
	if lay := get(panel); kids(lay, "Attic") != 1 {
		t.Fatalf("Attic %d items the second time", kids(lay, "Attic"))
	}
	// A submenu asked for by id comes with its items.
	if _, lay, _ := instance.GetLayout(panel, int32(attic.id), -1, nil); len(lay.V2) != 1 {
		t.Fatalf("GetLayout(Attic) has %d items", len(lay.V2))
	}
}
