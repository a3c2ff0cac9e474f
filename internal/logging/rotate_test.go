package logging

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	w, err := openRotating(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) []byte { return fmt.Appendf(nil, "line %02d %s\n", i, strings.Repeat("x", 20)) } // 30 bytes
	for i := range 3 {
		w.Write(line(i))
	}
	if _, err := os.Stat(path + ".1"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("rotated too early: %v", err)
	}
	w.Write(line(3)) // 120 > 100: rotate first
	cur, _ := os.ReadFile(path)
	old, _ := os.ReadFile(path + ".1")
	if want := string(line(3)); string(cur) != want {
		t.Errorf("current = %q, want %q", cur, want)
	}
	if want := string(line(0)) + string(line(1)) + string(line(2)); string(old) != want {
		t.Errorf("old = %q, want %q", old, want)
	}

	for i := 4; i < 9; i++ {
		w.Write(line(i))
	}
	old, _ = os.ReadFile(path + ".1")
	if !strings.HasPrefix(string(old), "line 03") { // replaced, only one old file
		t.Errorf("old = %q", old)
	}
	if matches, _ := filepath.Glob(path + "*"); len(matches) != 2 {
		t.Errorf("files: %v", matches)
	}

	// A record larger than the cap still goes in whole, into a fresh file.
	big := bytes.Repeat([]byte("y"), 250)
	if n, err := w.Write(big); n != 250 || err != nil {
		t.Fatalf("big write: %d, %v", n, err)
	}
	if cur, _ := os.ReadFile(path); !bytes.Equal(cur, big) {
		t.Errorf("current after big write has %d bytes", len(cur))
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRotationKeepsExistingSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(path, bytes.Repeat([]byte("a"), 90), 0o600)
	w, err := openRotating(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("0123456789abc")) // 103 > 100
	if old, _ := os.ReadFile(path + ".1"); len(old) != 90 {
		t.Errorf("old file has %d bytes, want 90", len(old))
	}
}

// TestRotationConcurrent writes from many goroutines across several
// rotations; every line must come out whole, and nothing past the cap.
func TestRotationConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	const max = 4096
	w, err := openRotating(path, max)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				fmt.Fprintf(w, "g%02d i%03d %s\n", g, i, strings.Repeat("z", 30))
			}
		})
	}
	wg.Wait()
	w.Close()
	for _, p := range []string{path, path + ".1"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > max {
			t.Errorf("%s has %d bytes > %d", p, len(b), max)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if len(l) != 39 || !strings.HasSuffix(l, strings.Repeat("z", 30)) {
				t.Fatalf("%s: torn line %q", p, l)
			}
		}
	}
}
