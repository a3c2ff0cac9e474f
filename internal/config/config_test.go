package config

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestClientIDStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	a, err := ClientID(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !uuidRE.MatchString(a) {
		t.Fatalf("not a UUID: %q", a)
	}
	b, err := ClientID(dir)
	if err != nil || a != b {
		t.Fatalf("second read %q, %v; want %q", b, err, a)
	}
	fi, err := os.Stat(filepath.Join(dir, clientIDFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v", fi.Mode(), err)
	}
}

func TestClientIDConcurrentFirstRun(t *testing.T) {
	dir := t.TempDir()
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := ClientID(dir)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("different ids on concurrent first run: %v", ids)
		}
	}
}

func TestClientIDDamaged(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, clientIDFile), []byte("nope"), 0o600)
	if _, err := ClientID(dir); err == nil {
		t.Fatal("damaged id accepted")
	}
}

func TestDirHonoursXDG(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdgtest")
	if d, err := Dir(); err != nil || d != "/tmp/xdgtest/plextray" {
		t.Fatalf("Dir() = %q, %v", d, err)
	}
}
