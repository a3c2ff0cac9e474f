//go:build linux

package desktop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// App is a program started in the session with StartApp.
type App struct {
	d              *Desktop
	p              *proc
	name           string
	stdout, stderr string // files
}

// StartApp starts binary with args in the session: environment d.Env(extraEnv...),
// working directory HOME, its own process group, stdout and stderr to files
// (see Output). The app is stopped at the end of t (and of the session).
func (d *Desktop) StartApp(t testing.TB, binary string, args []string, extraEnv ...string) *App {
	t.Helper()
	if strings.ContainsRune(binary, filepath.Separator) {
		if abs, err := filepath.Abs(binary); err == nil {
			binary = abs
		}
	}
	d.mu.Lock()
	d.appSeq++
	name := fmt.Sprintf("app%d-%s", d.appSeq, filepath.Base(binary))
	d.mu.Unlock()

	a := &App{d: d, name: name,
		stdout: filepath.Join(d.logs, name+".stdout"),
		stderr: filepath.Join(d.logs, name+".stderr")}
	fo, err := os.Create(a.stdout)
	if err != nil {
		t.Fatalf("e2e/desktop: %v", err)
	}
	defer fo.Close()
	fe, err := os.Create(a.stderr)
	if err != nil {
		t.Fatalf("e2e/desktop: %v", err)
	}
	defer fe.Close()

	cmd := exec.Command(binary, args...)
	cmd.Env = d.Env(extraEnv...)
	cmd.Stdout, cmd.Stderr = fo, fe
	if a.p, err = d.spawn(name, cmd, true, a.stdout, a.stderr); err != nil {
		t.Fatalf("e2e/desktop: %v", err)
	}
	t.Cleanup(a.Stop)
	return a
}

// PID is the app's process id.
func (a *App) PID() int { return a.p.cmd.Process.Pid }

// Stdout is what the app wrote to stdout so far.
func (a *App) Stdout() string { b, _ := os.ReadFile(a.stdout); return string(b) }

// Stderr is what the app wrote to stderr so far.
func (a *App) Stderr() string { b, _ := os.ReadFile(a.stderr); return string(b) }

// Output is stdout followed by stderr (each as written so far).
func (a *App) Output() string {
	out, errs := a.Stdout(), a.Stderr()
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out + errs
}

// Exited reports whether the app has exited.
func (a *App) Exited() bool { return a.p.exited() }

// Wait waits up to timeout for the app to exit and returns its exit code.
// err is set if it is still running (code -1) or died from a signal.
func (a *App) Wait(timeout time.Duration) (exitCode int, err error) {
	select {
	case <-a.p.done:
	case <-time.After(timeout):
		return -1, fmt.Errorf("%s (pid %d) still running after %v", a.name, a.PID(), timeout)
	}
	st := a.p.cmd.ProcessState
	if st == nil {
		return -1, a.p.err
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, fmt.Errorf("%s killed by signal %v", a.name, ws.Signal())
	}
	return st.ExitCode(), nil
}

// Stop ends the app: SIGTERM to its process group, SIGKILL after 5 s. It
// returns once the app is gone; stopping an exited app does nothing.
func (a *App) Stop() { a.p.stop(stopGrace) }

// WaitOutput waits until the app's output (stdout or stderr) contains
// substr, and returns the whole output; it fails the test on timeout.
func (a *App) WaitOutput(t testing.TB, substr string, timeout time.Duration) string {
	t.Helper()
	var out string
	if !poll(timeout, 20*time.Millisecond, func() bool {
		out = a.Output()
		return strings.Contains(out, substr)
	}) {
		t.Fatalf("e2e/desktop: %s did not print %q within %v (exited: %v); output:\n%s",
			a.name, substr, timeout, a.Exited(), out)
	}
	return out
}

// Tray waits for this app's tray item (matched by process id) to register
// with the harness's watcher.
func (a *App) Tray(t testing.TB, timeout time.Duration) *Tray {
	t.Helper()
	return a.d.tray(t, a.PID(), timeout)
}

// String names the app as the harness does in its logs ("app1-tray").
func (a *App) String() string { return a.name }
