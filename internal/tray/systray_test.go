package tray

import (
	"math/rand/v2"
	"testing"
)

// winItem behaves like a fyne.io/systray v1.12.2 item on Windows: any
// change of title, tooltip, enabled or checked state puts a hidden item back
// into the menu (addOrUpdateMenuItem inserts every item that is not in its
// visible list). On Linux a hidden item stays hidden; an update that is right
// for this fake is right there too.
type winItem struct {
	title, tooltip    string
	disabled, checked bool
	inMenu            bool
	changedHidden     []string // changes made while hidden
}

func (w *winItem) change(what string) {
	if !w.inMenu {
		w.changedHidden = append(w.changedHidden, what)
	}
	w.inMenu = true
}
func (w *winItem) SetTitle(s string)   { w.title = s; w.change("SetTitle") }
func (w *winItem) SetTooltip(s string) { w.tooltip = s; w.change("SetTooltip") }
func (w *winItem) Enable()             { w.disabled = false; w.change("Enable") }
func (w *winItem) Disable()            { w.disabled = true; w.change("Disable") }
func (w *winItem) Check()              { w.checked = true; w.change("Check") }
func (w *winItem) Uncheck()            { w.checked = false; w.change("Uncheck") }
func (w *winItem) Show()               { w.inMenu = true }
func (w *winItem) Hide()               { w.inMenu = false }

// matches reports whether the item shows exactly want (or is absent when
// want is hidden).
func (w *winItem) matches(want Item) bool {
	if !want.Visible {
		return !w.inMenu
	}
	return w.inMenu && w.title == want.Title && w.tooltip == want.Tooltip &&
		w.disabled == !want.Enabled && w.checked == want.Checked
}

// TestUpdateNeverTouchesHiddenItems drives one item through random
// sequences of looks and checks after every step that the menu shows
// exactly what was asked, and that no hidden item was changed. With the
// update of before this test was written (titles set on hidden items) it
// fails: hidden items came back as rows.
func TestUpdateNeverTouchesHiddenItems(t *testing.T) {
	titles := []string{"", "Signed in as demo", "Copy token", "Checking…"}
	tips := []string{"", "Click to copy", "no clipboard"}
	r := rand.New(rand.NewPCG(1, 2))
	for seq := range 200 {
		// A skeleton item: created visible and empty, then hidden, as OnReady does.
		it := &winItem{inMenu: true}
		shown := Item{Visible: true, Enabled: true}
		update(it, &shown, Item{})
		for step := range 30 {
			want := Item{
				Title:   titles[r.IntN(len(titles))],
				Tooltip: tips[r.IntN(len(tips))],
				Visible: r.IntN(2) == 0,
				Enabled: r.IntN(2) == 0,
				Checked: r.IntN(2) == 0,
			}
			update(it, &shown, want)
			if len(it.changedHidden) > 0 {
				t.Fatalf("seq %d step %d: changed a hidden item: %v", seq, step, it.changedHidden)
			}
			if !it.matches(want) {
				t.Fatalf("seq %d step %d: want %+v, menu shows %+v", seq, step, want, *it)
			}
		}
	}
}

func TestUpdateHideKeepsStateForShow(t *testing.T) {
	it := &winItem{inMenu: true}
	shown := Item{Visible: true, Enabled: true}
	update(it, &shown, Item{Title: "Copy token", Visible: true, Enabled: true})
	update(it, &shown, Item{Title: "Something else", Visible: false})
	if it.inMenu || it.title != "Copy token" {
		t.Fatalf("hidden item changed: %+v", *it)
	}
	update(it, &shown, Item{Title: "Copy token", Visible: true, Enabled: false})
	if !it.matches(Item{Title: "Copy token", Visible: true, Enabled: false}) {
		t.Fatalf("shown again wrong: %+v", *it)
	}
}
