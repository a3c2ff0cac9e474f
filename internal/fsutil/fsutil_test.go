package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "f.txt")
	for _, s := range []string{"one", "two"} {
		if err := WriteFile(path, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != s {
			t.Fatalf("content %q, want %q", b, s)
		}
	}
	if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640) {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(filepath.Dir(path)); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", fi.Mode())
	}
	onlyFile(t, path)
}

func TestWriteFileIfChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icon.png")
	if err := WriteFileIfChanged(path, []byte("png"), 0o600); err != nil {
		t.Fatal(err)
	}
	old, _ := os.Stat(path)
	if err := WriteFileIfChanged(path, []byte("png"), 0o600); err != nil {
		t.Fatal(err)
	}
	if same, _ := os.Stat(path); !os.SameFile(old, same) {
		t.Fatal("unchanged content was written again")
	}
	if err := WriteFileIfChanged(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
	onlyFile(t, path)
}

func TestCreateFileOneWinner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "id")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 8 {
		wg.Go(func() {
			err := CreateFile(path, []byte{byte('a' + i)}, 0o600)
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !errors.Is(err, fs.ErrExist):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d winners", wins)
	}
	onlyFile(t, path)
}

func onlyFile(t *testing.T, path string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		t.Fatalf("directory holds %v, want only %s", entries, filepath.Base(path))
	}
}
