//go:build linux

package desktop

import (
	"os/exec"
	"path"
	"path/filepath"
	"testing"
)

// Build compiles the Go package pkg (an import path, or a directory like
// "./testdata/minitray" relative to the test's package) into t.TempDir()
// and returns the binary's path. The build cache makes repeated builds
// cheap. extraArgs go to `go build` (e.g. "-race", "-tags=x").
func Build(t testing.TB, pkg string, extraArgs ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("e2e/desktop: the go command is not on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), path.Base(filepath.ToSlash(pkg)))
	args := append([]string{"build", "-o", out}, extraArgs...)
	cmd := exec.Command(goBin, append(args, pkg)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("e2e/desktop: go build %s: %v\n%s", pkg, err, b)
	}
	return out
}
