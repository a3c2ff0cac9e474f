//go:build linux

package desktop

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"testing"
)

// Build compiles the Go package pkg (an import path, or a directory like
// "./testdata/minitray" relative to the test's package) into t.TempDir()
// and returns the binary's path. The build cache makes repeated builds
// cheap. extraArgs go to `go build` (e.g. "-race", "-tags=x").
//
// With PLEXTRAY_E2E_BINARY set (an absolute path, e.g. /usr/bin/plextray
// from the installed package), plextray's own main package is not built:
// that binary is returned instead, so the tests run against it
// (scripts/ci-package.sh). Callers must not delete what Build returns.
func Build(t testing.TB, pkg string, extraArgs ...string) string {
	t.Helper()
	return build(t, pkg, nil, extraArgs)
}

// BuildAsPackaged builds pkg as scripts/package.sh builds the binary it
// ships (no cgo, -trimpath, stripped), for benchmarks that measure what
// people run; PLEXTRAY_E2E_BINARY overrides it as it does Build.
func BuildAsPackaged(t testing.TB, pkg string) string {
	t.Helper()
	return build(t, pkg, []string{"CGO_ENABLED=0"}, []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid="})
}

func build(t testing.TB, pkg string, env, extraArgs []string) string {
	t.Helper()
	if bin := os.Getenv(BinaryEnv); bin != "" && (pkg == "github.com/plextray/plextray/cmd/tray" || pkg == "github.com/plextray/plextray/cmd/plextray") {
		if !filepath.IsAbs(bin) {
			t.Fatalf("e2e/desktop: %s=%q is not an absolute path", BinaryEnv, bin)
		}
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("e2e/desktop: %s: %v", BinaryEnv, err)
		}
		return bin
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("e2e/desktop: the go command is not on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), path.Base(filepath.ToSlash(pkg)))
	args := append([]string{"build", "-o", out}, extraArgs...)
	cmd := exec.Command(goBin, append(args, pkg)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("e2e/desktop: go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// BinaryEnv names the variable that makes Build use an installed binary.
const BinaryEnv = "PLEXTRAY_E2E_BINARY"
