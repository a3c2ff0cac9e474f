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
//	    removes it (and the autostart entry, and the folders it made);
//	    install.sh refuses an empty or relative HOME and follows no
//	    symbolic link planted below its folders.

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
	w := newWorld(t, desktop.Options{ExtraTools: append([]string{"gio"}, installTools...)})
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
	for _, f := range []string{bin, entry, autostart} {
		if _, err := os.Lstat(f); !os.IsNotExist(err) {
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

// installTools are the programs install.sh runs.
var installTools = []string{"sh", "cp", "mv", "rm", "mkdir", "rmdir", "mktemp", "chmod", "sed", "awk", "cut", "find", "sort", "dirname", "cat"}

// installScript unpacks the tarball and returns a function that runs its
// install.sh with exactly env (PATH added), returning its output and
// error.
func installScript(t *testing.T) func(env []string, args ...string) (string, error) {
	t.Helper()
	tarball := installedEnv(t, "PLEXTRAY_E2E_TARBALL")
	top := untar(t, tarball, t.TempDir())
	// Only the tools install.sh is meant to need, so a new one shows here.
	bin := t.TempDir()
	for _, tool := range installTools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return func(env []string, args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(bin, "sh"), append([]string{filepath.Join(top, "install.sh")}, args...)...)
		cmd.Env = append([]string{"PATH=" + bin, "LC_ALL=C"}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// tree lists everything under dir, folders and links included, as
// "path" for a folder, "path -> target" for a link and "path mode size"
// for a file.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var list []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			list = append(list, rel+" -> "+target)
		case d.IsDir():
			list = append(list, rel+"/")
		default:
			fi, err := d.Info()
			if err != nil {
				return err
			}
			list = append(list, rel+" "+fi.Mode().String()+" "+strconv.FormatInt(fi.Size(), 10))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestUserInstallLeavesNothingBehind: into an empty home, install.sh
// makes ~/.local and everything below it; --uninstall (after "Start at
// login" was switched on) takes away every file and folder it made, and
// the autostart entry, and nothing else.
func TestUserInstallLeavesNothingBehind(t *testing.T) {
	run := installScript(t)
	home := t.TempDir()
	env := []string{"HOME=" + home}
	// The user's own things, which must stay: a file in a folder install.sh
	// shares, another program's autostart entry.
	mine := filepath.Join(home, ".local", "share", "applications", "mine.desktop")
	other := filepath.Join(home, ".config", "autostart", "other.desktop")
	for _, f := range []string{mine, other} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("[Desktop Entry]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, home)
	if out, err := run(env); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	bin := filepath.Join(home, ".local", "bin", "plextray")
	for _, f := range []string{bin,
		filepath.Join(home, ".local", "share", "applications", "io.github.plextray.plextray.desktop"),
		filepath.Join(home, ".local", "share", "doc", "plextray", "copyright"),
	} {
		if fi, err := os.Lstat(f); err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("not installed as a file: %s (%v)", f, err)
		}
	}
	// What "Start at login" writes (package autostart).
	autostart := filepath.Join(home, ".config", "autostart", "plextray.desktop")
	if err := os.WriteFile(autostart, []byte("[Desktop Entry]\nType=Application\nName=plextray\nExec="+bin+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A second install (an update) keeps track of what the first made.
	if out, err := run(env); err != nil {
		t.Fatalf("install.sh again: %v\n%s", err, out)
	}
	out, err := run(env, "--uninstall")
	if err != nil {
		t.Fatalf("install.sh --uninstall: %v\n%s", err, out)
	}
	if after := tree(t, home); !slices.Equal(before, after) {
		t.Fatalf("--uninstall did not restore the home folder:\nbefore %q\nafter  %q\n%s", before, after, out)
	}

	// Another copy's autostart entry is not this copy's to remove.
	if out, err := run(env); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	if err := os.WriteFile(autostart, []byte("[Desktop Entry]\nExec=/usr/bin/plextray\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(env, "--uninstall"); err != nil || !strings.Contains(out, "it starts /usr/bin/plextray") {
		t.Fatalf("install.sh --uninstall: %v\n%s", err, out)
	}
	if _, err := os.Stat(autostart); err != nil {
		t.Fatalf("another copy's autostart entry was removed: %v", err)
	}
}

// TestUserInstallRefusesABadHome: an empty, unset or relative HOME is
// refused before anything is written (it would install into /.local or
// the current folder).
func TestUserInstallRefusesABadHome(t *testing.T) {
	run := installScript(t)
	// A relative HOME would be taken from the working folder.
	cwd := t.TempDir()
	t.Chdir(cwd)
	for _, env := range [][]string{{"HOME="}, {}, {"HOME=home"}, {"HOME=./"}} {
		for _, args := range [][]string{nil, {"--uninstall"}} {
			out, err := run(env, args...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(out, "HOME") {
				t.Errorf("env %q %q: %v\n%s", env, args, err, out)
			}
		}
	}
	if got := tree(t, cwd); len(got) != 1 {
		t.Fatalf("a refused install wrote %q", got)
	}
}

// TestUserInstallFollowsNoPlantedLink: links planted where install.sh
// writes never redirect a write or a removal. A link at the old fixed
// temporary name and at the program's own name point at a file that must
// stay as it is; a linked folder below the data folder makes install
// stop before writing anything, and --uninstall leave it alone.
func TestUserInstallFollowsNoPlantedLink(t *testing.T) {
	run := installScript(t)
	home := t.TempDir()
	env := []string{"HOME=" + home}
	elsewhere := t.TempDir()
	victim := filepath.Join(elsewhere, "victim")
	if err := os.WriteFile(victim, []byte("not plextray"), 0o600); err != nil {
		t.Fatal(err)
	}
	binDir := filepath.Join(home, ".local", "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".plextray.new", "plextray"} {
		if err := os.Symlink(victim, filepath.Join(binDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	unchanged := func() {
		t.Helper()
		b, err := os.ReadFile(victim)
		fi, _ := os.Stat(victim)
		if err != nil || string(b) != "not plextray" || fi.Mode().Perm() != 0o600 {
			t.Fatalf("the link's target was written: %q %v %v", b, fi.Mode(), err)
		}
	}
	if out, err := run(env); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	unchanged()
	if fi, err := os.Lstat(filepath.Join(binDir, "plextray")); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o755 {
		t.Fatalf("the program is not a file of its own: %v %v", fi.Mode(), err)
	}
	if out, err := run(env, "--uninstall"); err != nil {
		t.Fatalf("install.sh --uninstall: %v\n%s", err, out)
	}
	unchanged()

	// A linked folder where install.sh would make one: refused, nothing
	// written there or anywhere.
	man := filepath.Join(home, ".local", "share", "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(man, "man1")); err != nil {
		t.Fatal(err)
	}
	before, beforeElsewhere := tree(t, home), tree(t, elsewhere)
	out, err := run(env)
	if err == nil || !strings.Contains(out, "symbolic link") {
		t.Fatalf("install.sh through a linked folder: %v\n%s", err, out)
	}
	if after := tree(t, home); !slices.Equal(before, after) {
		t.Fatalf("a refused install changed the home folder:\nbefore %q\nafter  %q", before, after)
	}
	if after := tree(t, elsewhere); !slices.Equal(beforeElsewhere, after) {
		t.Fatalf("a refused install wrote through the link: %q", after)
	}

	// Installed, then the folder is swapped for a link to a folder holding
	// a file of the same name: --uninstall removes nothing through it.
	if err := os.Remove(filepath.Join(man, "man1")); err != nil {
		t.Fatal(err)
	}
	if out, err := run(env); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	if err := os.RemoveAll(filepath.Join(man, "man1")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(elsewhere, "plextray.1.gz"), []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(man, "man1")); err != nil {
		t.Fatal(err)
	}
	out, err = run(env, "--uninstall")
	if err != nil || !strings.Contains(out, "symbolic link") {
		t.Fatalf("install.sh --uninstall: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(elsewhere, "plextray.1.gz")); err != nil || string(b) != "theirs" {
		t.Fatalf("--uninstall removed a file through a link: %q %v", b, err)
	}
	if fi, err := os.Lstat(filepath.Join(man, "man1")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("--uninstall removed the linked folder: %v", err)
	}
	unchanged()
}
