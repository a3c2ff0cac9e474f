package logging

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDirFor(t *testing.T) {
	home := func() (string, error) { return "/home/ann", nil }
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	for _, tc := range []struct {
		goos   string
		env    map[string]string
		home   func() (string, error)
		want   string
		errMsg string
	}{
		{"linux", map[string]string{"XDG_STATE_HOME": "/state"}, home, filepath.Join("/state", "plextray"), ""},
		{"linux", nil, home, filepath.Join("/home/ann", ".local", "state", "plextray"), ""},
		{"linux", map[string]string{"XDG_STATE_HOME": "rel"}, home, filepath.Join("/home/ann", ".local", "state", "plextray"), ""},
		{"freebsd", nil, home, filepath.Join("/home/ann", ".local", "state", "plextray"), ""},
		{"linux", nil, noHome, "", "$HOME is not defined"},
		{"darwin", map[string]string{"XDG_STATE_HOME": "/state"}, home, filepath.Join("/home/ann", "Library", "Logs", "plextray"), ""},
		{"windows", map[string]string{"LOCALAPPDATA": `C:\Users\ann\AppData\Local`}, home, filepath.Join(`C:\Users\ann\AppData\Local`, "plextray", "logs"), ""},
		{"windows", nil, home, "", "LOCALAPPDATA"},
	} {
		got, err := dirFor(tc.goos, "plextray", env(tc.env), tc.home)
		if tc.errMsg != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMsg) {
				t.Errorf("%s %v: err = %v, want one mentioning %q", tc.goos, tc.env, err, tc.errMsg)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %v: got %q, %v; want %q", tc.goos, tc.env, got, err, tc.want)
		}
	}
}

func TestDirFromGivenEnvironment(t *testing.T) {
	home := t.TempDir()
	getenv := env(map[string]string{"HOME": home, "XDG_STATE_HOME": "", "LOCALAPPDATA": home})
	want := map[string]string{
		"windows": filepath.Join(home, "plextray", "logs"),
		"darwin":  filepath.Join(home, "Library", "Logs", "plextray"),
	}[runtime.GOOS]
	if want == "" {
		want = filepath.Join(home, ".local", "state", "plextray")
	}
	if got, err := Dir(getenv); err != nil || got != want {
		t.Fatalf("Dir = %q, %v; want %q", got, err, want)
	}
	if runtime.GOOS != "windows" {
		if got, err := Dir(env(nil)); err == nil {
			t.Fatalf("Dir with no HOME = %q, want an error", got)
		}
	}
}

func TestOpenWritesToDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	log, c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello", "authToken", "abcdefgh")
	log.Debug("hidden at the default level")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "plextray.log")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, "msg=hello authToken=****") || strings.Contains(got, "abcdefgh") || strings.Contains(got, "hidden") {
		t.Errorf("log = %q", got)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700, file: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode().Perm(), err, want)
		}
	}

	// Level is live.
	Level.Set(slog.LevelDebug)
	defer Level.Set(slog.LevelInfo)
	log, c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("now shown")
	c.Close()
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "now shown") || !strings.Contains(string(b), "msg=hello") {
		t.Errorf("after reopening: %q", b)
	}
}
