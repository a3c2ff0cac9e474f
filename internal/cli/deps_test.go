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

// The program never writes its man page (packaging/pkgtool does, through
// package manpage), so cobra/doc and the markdown and YAML libraries it
// pulls in must not be linked into it: their package initialisation
// would run at every start of every command.
func TestProgramDoesNotLinkTheManPageWriter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/plextray/plextray/cmd/plextray", "github.com/plextray/plextray/cmd/tray").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/spf13/cobra/doc", pkg == "github.com/plextray/plextray/internal/cli/manpage",
			strings.HasPrefix(pkg, "github.com/russross/blackfriday"), strings.HasPrefix(pkg, "github.com/cpuguy83/go-md2man"),
			strings.HasPrefix(pkg, "go.yaml.in/yaml"), strings.HasPrefix(pkg, "gopkg.in/yaml"):
			t.Errorf("the program links %s", pkg)
		}
	}
}
