package autostart

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLaunchAgentEnableDisable(t *testing.T) {
	home := t.TempDir()
	a := Toggle{Home: home}
	file := filepath.Join(home, "Library", "LaunchAgents", ID+".plist")
	const exe = "/Applications/plextray.app/Contents/MacOS/plextray"
	if err := a.Enable(exe); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != launchAgent(exe) {
		t.Fatalf("plist = %q, %v", b, err)
	}
	if on, err := a.Enabled(); !on || err != nil {
		t.Fatalf("Enabled = %v, %v", on, err)
	}
	if err := a.Disable(); err != nil {
		t.Fatal(err)
	}
	if on, err := a.Enabled(); on || err != nil {
		t.Fatalf("Enabled after Disable = %v, %v", on, err)
	}
}
