//go:build unix

package config

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Whatever sits at the client-id path instead of a small regular file is
// set aside and replaced, without following it or waiting on it: a FIFO
// with no writer would block a plain open forever, and /dev/zero would be
// read until memory runs out.
func TestClientIDNotARegularFile(t *testing.T) {
	valid := "6f9619ff-8b86-4011-b42d-00c04fc964ff"
	cases := map[string]func(t *testing.T, path string){
		"directory": func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		},
		"fifo": func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		},
		"dangling symlink": func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "nowhere"), path); err != nil {
				t.Fatal(err)
			}
		},
		"symlink to /dev/zero": func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		},
		"symlink to a valid identifier": func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			if err := os.WriteFile(target, []byte(valid), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		},
		"huge file": func(t *testing.T, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte(valid+"\n"), 1<<12), 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, clientIDFile)
			make(t, path)
			id, rep, err := ClientID(dir)
			if err != nil || rep == nil || !canonicalV4.MatchString(id) {
				t.Fatalf("id %q, replaced %v, err %v; want a new identifier and the damage set aside", id, rep, err)
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("client-id afterwards: %v, %v; want a regular file", fi, err)
			}
			if _, err := os.Lstat(rep.SetAside); err != nil {
				t.Fatalf("what was there is not kept aside: %v", err)
			}
			again, rep, err := ClientID(dir)
			if err != nil || rep != nil || again != id {
				t.Fatalf("second read %q, %v, %v; want %q", again, rep, err, id)
			}
		})
	}
}
