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
	a := Toggle{ConfigHome: cfg, Home: "/nonexistent"}
	file := filepath.Join(cfg, "autostart", "plextray.desktop")

	if loc, err := a.Location(); err != nil || loc != file {
		t.Fatalf("Location = %q, %v; want %q", loc, err, file)
	}
	if on, err := a.Enabled(); on || err != nil {
		t.Fatalf("Enabled before Enable = %v, %v", on, err)
	}
	const exe = "/opt/Plex Tray/plextray"
	if err := a.Enable(exe); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || string(b) != desktopEntry(exe) {
		t.Fatalf("file = %q, %v", b, err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if on, err := a.Enabled(); !on || err != nil {
		t.Fatalf("Enabled after Enable = %v, %v", on, err)
	}

	// The person switches it off in their desktop's settings.
	if err := os.WriteFile(file, append(b, "Hidden=true\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, _ := a.Enabled(); on {
		t.Error("Enabled with Hidden=true")
	}
	if err := a.Enable(exe); err != nil { // switching it on again rewrites the entry
		t.Fatal(err)
	}
	if on, _ := a.Enabled(); !on {
		t.Error("Enable did not undo Hidden=true")
	}

	for range 2 { // Disable is idempotent
		if err := a.Disable(); err != nil {
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
	want := filepath.Join(home, ".config", "autostart", "plextray.desktop")
	for _, v := range []string{"", "relative/dir"} {
		a := Toggle{Home: home, ConfigHome: v}
		if got, err := a.Location(); err != nil || got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: Location = %q, %v; want %q", v, got, err, want)
		}
	}
}

func TestEnableRejectsRelativePath(t *testing.T) {
	a := Toggle{ConfigHome: t.TempDir()}
	if err := a.Enable("plextray"); !errors.Is(err, ErrBadExecutable) {
		t.Errorf("a.Enable(relative) = %v", err)
	}
	if on, _ := a.Enabled(); on {
		t.Error("a rejected Enable left an entry")
	}
}

func TestNoHome(t *testing.T) {
	for _, a := range []Toggle{{}, {Home: "relative"}} {
		if _, err := a.Location(); err == nil {
			t.Errorf("%+v: Location without HOME succeeded", a)
		}
		if err := a.Enable("/usr/bin/plextray"); err == nil {
			t.Errorf("Enable without HOME succeeded")
		}
	}
}
