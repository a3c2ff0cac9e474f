//go:build linux

package wine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/tray"
)

// row is one item of the live Windows menu, as testdata/menuhook dumps it.
type row struct {
	depth    int
	id       uint64
	sep      bool
	disabled bool
	checked  bool
	radio    bool // MFT_RADIOCHECK: one choice among its siblings
	sub      bool
	title    string
}

func (r row) String() string {
	if r.sep {
		return strings.Repeat("  ", r.depth) + "──────"
	}
	s := strings.Repeat("  ", r.depth) + strconv.Quote(r.title)
	if r.disabled {
		s += " (disabled)"
	}
	if r.checked {
		s += " ✓"
	}
	if r.sub {
		s += " ▸"
	}
	return s
}

// same compares what a person sees: not the ids, not the depth.
func (r row) same(o row) bool {
	return r.sep == o.sep && r.title == o.title && r.disabled == o.disabled && r.checked == o.checked && r.sub == o.sub
}

type menu []row

func (m menu) String() string {
	var b strings.Builder
	for _, r := range m {
		b.WriteString(r.String() + "\n")
	}
	return b.String()
}

func parseMenu(s string) (menu, error) {
	var m menu
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("menu dump line %q", line)
		}
		var r row
		var err error
		if r.depth, err = strconv.Atoi(f[0]); err != nil {
			return nil, err
		}
		if r.id, err = strconv.ParseUint(f[1], 10, 32); err != nil {
			return nil, err
		}
		if f[2] == "!" {
			return nil, fmt.Errorf("menu dump: %s", f[3])
		}
		r.sep = strings.Contains(f[2], "S")
		r.radio = strings.Contains(f[2], "R")
		r.disabled = strings.Contains(f[2], "D")
		r.checked = strings.Contains(f[2], "C")
		r.sub = strings.Contains(f[2], "P")
		r.title = f[3]
		m = append(m, r)
	}
	return m, nil
}

// top is the menu's first level.
func (m menu) top() menu { return m.level(-1) }

// level is the rows one level below m[i] (i = -1: the top level).
func (m menu) level(i int) menu {
	depth, start := 0, 0
	if i >= 0 {
		depth, start = m[i].depth+1, i+1
	}
	var out menu
	for _, r := range m[start:] {
		if r.depth < depth {
			break
		}
		if r.depth == depth {
			out = append(out, r)
		}
	}
	return out
}

// index finds the row titled title at any depth, -1 if none.
func (m menu) index(title string) int {
	for i, r := range m {
		if !r.sep && r.title == title {
			return i
		}
	}
	return -1
}

// openMenu opens the tray's menu the way a click on its icon does, reads
// every item (submenus included) from inside the tray process, and sends
// keys to the open menu ("" closes it).
func (b *box) openMenu(t *testing.T, keys string) menu {
	t.Helper()
	m, err := b.tryMenu(t, keys)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tryMenu is openMenu that returns an error when there is no menu (yet).
func (b *box) tryMenu(t *testing.T, keys string) (menu, error) {
	t.Helper()
	out := filepath.Join(b.dir, "menu.txt")
	os.Remove(out)
	args := []string{"rundll32", winPath(b.hook) + ",OpenMenu"}
	if keys != "" {
		args = append(args, keys)
	}
	if r := b.run(t, nil, args...); r.code != 0 {
		return nil, fmt.Errorf("opening the menu: menuhook exit %d (2: no tray window, 4: the menu did not open)\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("menu dump: %w", err)
	}
	return parseMenu(string(data))
}

// keys sends keys to the open menu.
func (b *box) keys(t *testing.T, keys string) {
	t.Helper()
	if r := b.run(t, nil, "rundll32", winPath(b.hook)+",Keys", keys); r.code != 0 {
		t.Fatalf("menu keys: exit %d", r.code)
	}
}

// click chooses the item titled title, which must be in the menu and
// enabled: it opens the menu, finds the item and sends the tray the
// WM_COMMAND that choosing it sends.
func (b *box) click(t *testing.T, title string) {
	t.Helper()
	m := b.openMenu(t, "")
	i := m.index(title)
	if i < 0 || m[i].disabled {
		t.Fatalf("no enabled item %q in the menu:\n%s", title, m)
	}
	if r := b.run(t, nil, "rundll32", winPath(b.hook)+",Click", strconv.FormatUint(m[i].id, 10)); r.code != 0 {
		t.Fatalf("click %q: exit %d", title, r.code)
	}
}

// expectTop is the first level of the Windows menu for m: the visible
// items in skeleton order, and the separators.
func expectTop(m tray.Model) menu {
	var out menu
	for _, k := range tray.Skeleton {
		if k == tray.Separator {
			out = append(out, row{sep: true})
			continue
		}
		it := m.Items[k]
		if !it.Visible {
			continue
		}
		out = append(out, row{title: it.Title, disabled: !it.Enabled, checked: it.Checked, sub: k == tray.KeyServers || k == tray.KeyServerDetails || k == tray.KeyProfiles || k == tray.KeyTools})
	}
	return out
}

// sameRows reports whether got shows exactly want.
func sameRows(got, want menu) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !got[i].same(want[i]) {
			return false
		}
	}
	return true
}

// blankRows lists the rows with no title that are not separators.
func blankRows(m menu) []int {
	var out []int
	for i, r := range m {
		if !r.sep && strings.TrimSpace(r.title) == "" {
			out = append(out, i)
		}
	}
	return out
}
