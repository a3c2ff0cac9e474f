package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// The command line is a front end of the core, not of the tray: nothing
// it imports may pull in fyne.io/systray (which talks to the desktop's
// session bus the moment it is used) or the tray package.
func TestCommandLineDoesNotImportTheTray(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/systray") || pkg == "github.com/plextray/plextray/internal/tray" {
			t.Errorf("internal/cli depends on %s", pkg)
		}
	}
}
