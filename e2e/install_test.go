//go:build linux

package e2e

// Checks of an installed plextray, run by scripts/ci-package.sh after it
// builds the packages (skipped otherwise):
//
//	PLEXTRAY_E2E_DESKTOP_FILE=/usr/share/applications/<id>.desktop
//	    the package's launcher entry starts the tray, which registers its
//	    icon and signs in;
//	PLEXTRAY_E2E_TARBALL=dist/plextray_<v>_linux_amd64.tar.gz
//	    install.sh puts it under a fresh HOME, its launcher entry starts it,
//	    "Start at login" points at the installed binary, --uninstall
//	    removes it.

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
)

// installedEnv returns the variable's value, or skips the test.
func installedEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set: a check of an installed package (scripts/ci-package.sh)", name)
	}
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	return v
}

// desktopKey returns key's value in the [Desktop Entry] group of a file.
func desktopKey(t *testing.T, path, key string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			return v
		}
	}
	t.Fatalf("%s has no %s", path, key)
	return ""
}

// launch starts a launcher entry the way a desktop's menu does (gio launch,
// which runs its Exec line) in the world's session, and returns the tray it
// registers and the process behind it.
func (w *world) launch(entry string) (*desktop.Tray, *os.Process) {
	t := w.t
	t.Helper()
	// Output to a file, not a pipe: the launched app inherits it and
	// outlives gio.
	logPath := filepath.Join(t.TempDir(), "launched.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("gio", "launch", entry)
	cmd.Env = w.d.Env(w.env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(logPath)
		t.Fatalf("gio launch %s: %v\n%s", entry, err, b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("output of the launched app:\n%s", b)
		}
	})
	tr := w.d.Tray(t, wait)
	var pid uint32
	if err := w.d.Conn().BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, tr.Service).Store(&pid); err != nil {
		t.Fatal(err)
	}
	p, err := os.FindProcess(int(pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Signal(syscall.SIGKILL) }) // if Quit was not reached
	return tr, p
}

// exe is the program a process runs.
func exe(t *testing.T, p *os.Process) string {
	t.Helper()
	path, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(p.Pid), "exe"))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// quitLaunched clicks Quit and waits for the process (not our child) to go.
func quitLaunched(t *testing.T, tr *desktop.Tray, p *os.Process) {
	t.Helper()
	tr.ClickLabel(t, "Quit")
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if err := p.Signal(syscall.Signal(0)); errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
			return
		}
		if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.Pid), "stat")); err != nil || strings.Contains(string(b), ") Z ") {
			return // gone, or a zombie waiting for its parent
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	t.Fatalf("pid %d still running after Quit", p.Pid)
}

func TestInstalledLauncherEntry(t *testing.T) {
	entry := installedEnv(t, "PLEXTRAY_E2E_DESKTOP_FILE")
	if out, err := exec.Command("desktop-file-validate", entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("desktop-file-validate %s: %v\n%s", entry, err, out)
	}
	prog := desktopKey(t, entry, "Exec")
	bin, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("Exec=%s: %v", prog, err)
	}
	w := newWorld(t, desktop.Options{ExtraTools: []string{"gio", prog}})
	tr, p := w.launch(entry)
	if got := exe(t, p); got != bin {
		t.Fatalf("the launcher started %s, want %s", got, bin)
	}
	w.signIn(tr)
	if w.storedToken() == "" {
		t.Fatal("no token in the keychain after sign-in")
	}
	quitLaunched(t, tr, p)
}

func TestUserInstallFromTarball(t *testing.T) {
	tarball := installedEnv(t, "PLEXTRAY_E2E_TARBALL")
	w := newWorld(t, desktop.Options{ExtraTools: []string{"gio", "sh", "cp", "mv", "rm", "mkdir", "chmod", "sed", "find", "sort", "dirname", "cat"}})
	unpacked := t.TempDir()
	top := untar(t, tarball, unpacked)
	home := w.d.Home()
	var data string
	for _, kv := range w.d.Env() {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			data = v
		}
	}

	run := func(args ...string) string {
		cmd := exec.Command("sh", append([]string{filepath.Join(top, "install.sh")}, args...)...)
		cmd.Env = w.d.Env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("install.sh %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	before := files(t, home, data)
	t.Log(run())
	bin := filepath.Join(home, ".local", "bin", "plextray")
	entry := filepath.Join(data, "applications", "io.github.plextray.plextray.desktop")
	for _, f := range []string{bin, entry,
		filepath.Join(data, "icons", "hicolor", "48x48", "apps", "io.github.plextray.plextray.png"),
		filepath.Join(data, "man", "man1", "plextray.1.gz"),
		filepath.Join(data, "bash-completion", "completions", "plextray"),
	} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("not installed: %v", err)
		}
	}
	if out, err := exec.Command("desktop-file-validate", entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("desktop-file-validate %s: %v\n%s", entry, err, out)
	}
	if got := desktopKey(t, entry, "Exec"); got != bin {
		t.Fatalf("installed entry has Exec=%s, want %s", got, bin)
	}

	// The launcher starts the installed binary; Start at login points at it.
	tr, p := w.launch(entry)
	if got := exe(t, p); got != bin {
		t.Fatalf("the launcher started %s, want %s", got, bin)
	}
	tr.ClickLabel(t, "Start at login")
	tr.WaitFor(t, "Start at login checked", toggled("Start at login", 1), wait)
	var cfg string
	for _, kv := range w.d.Env() {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			cfg = v
		}
	}
	autostart := filepath.Join(cfg, "autostart", "plextray.desktop")
	if got := desktopKey(t, autostart, "Exec"); got != bin {
		t.Fatalf("autostart entry has Exec=%s, want %s", got, bin)
	}
	quitLaunched(t, tr, p)

	t.Log(run("--uninstall"))
	for _, f := range []string{bin, entry} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("left after --uninstall: %s (%v)", f, err)
		}
	}
	if after := files(t, home, data); !slices.Equal(before, after) {
		t.Errorf("--uninstall left files behind:\nbefore %q\nafter  %q", before, after)
	}
}

// files lists the regular files under dirs.
func files(t *testing.T, dirs ...string) []string {
	t.Helper()
	var list []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				list = append(list, p)
			}
			return nil
		})
	}
	slices.Sort(list)
	return slices.Compact(list)
}

// untar unpacks a .tar.gz into dir and returns its one top directory.
func untar(t *testing.T, path, dir string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	top := ""
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || strings.HasPrefix(name, "..") {
			t.Fatalf("tarball entry outside its directory: %q", h.Name)
		}
		first, _, _ := strings.Cut(name, string(filepath.Separator))
		if top == "" {
			top = first
		} else if first != top {
			t.Fatalf("tarball has two top directories: %q and %q", top, first)
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(out, tr); err != nil {
				t.Fatal(err)
			}
			out.Close()
		default:
			t.Fatalf("tarball entry %q of type %c", h.Name, h.Typeflag)
		}
	}
	return filepath.Join(dir, top)
}
