//go:build !windows && !darwin

package autostart

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestXDGEnableDisable(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	file := filepath.Join(cfg, "autostart", "plextray.desktop")

	if loc, err := Location(); err != nil || loc != file {
		t.Fatalf("Location = %q, %v; want %q", loc, err, file)
	}
	if on, err := Enabled(); on || err != nil {
		t.Fatalf("Enabled before Enable = %v, %v", on, err)
	}
	const exe = "/opt/Plex Tray/plextray"
	if err := Enable(exe); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || string(b) != desktopEntry(exe) {
		t.Fatalf("file = %q, %v", b, err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if on, err := Enabled(); !on || err != nil {
		t.Fatalf("Enabled after Enable = %v, %v", on, err)
	}

	// The person switches it off in their desktop's settings.
	if err := os.WriteFile(file, append(b, "Hidden=true\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); on {
		t.Error("Enabled with Hidden=true")
	}
	if err := Enable(exe); err != nil { // switching it on again rewrites the entry
		t.Fatal(err)
	}
	if on, _ := Enabled(); !on {
		t.Error("Enable did not undo Hidden=true")
	}

	for range 2 { // Disable is idempotent
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file still there: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 0 {
		t.Errorf("left files behind: %v", entries)
	}
}

func TestXDGFallsBackToHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	want := filepath.Join(home, ".config", "autostart", "plextray.desktop")
	for _, v := range []string{"", "relative/dir"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		if got, err := Location(); err != nil || got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: Location = %q, %v; want %q", v, got, err, want)
		}
	}
}

func TestEnableRejectsRelativePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if err := Enable("plextray"); !errors.Is(err, ErrBadExecutable) {
		t.Errorf("Enable(relative) = %v", err)
	}
	if on, _ := Enabled(); on {
		t.Error("a rejected Enable left an entry")
	}
}
