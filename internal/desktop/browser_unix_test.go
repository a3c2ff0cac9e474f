//go:build linux || freebsd || openbsd || netbsd

package desktop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Open returns once the opener (xdg-open) has, not when the browser it
// started exits: a browser started fresh keeps the opener's stdout and
// stderr, and waiting on a pipe it holds kept the sign-in's copy and
// notification, and Quit, waiting until the person closed the browser.
func TestBrowserOpenDoesNotWaitForTheBrowser(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "browser.pid")
	script := "#!/bin/sh\n# a browser that stays, holding the opener's stdout and stderr\n" + sleep + " 600 &\necho $! > " + pidFile + "\nexit 0\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	done := make(chan error, 1)
	go func() { done <- NewBrowser().Open("https://plex.tv/link/") }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
	case <-time.After(time.Minute): // a hang guard: Open otherwise waits 600 s
		t.Fatal("Open waited for the browser the opener started")
	}
}
