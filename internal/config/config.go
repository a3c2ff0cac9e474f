// Package config owns plextray's config folder (<user config dir>/plextray,
// so $XDG_CONFIG_HOME is honoured) and the one stable client identifier per
// install. The folder never holds a secret: the token lives in the keychain.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/fsutil"
)

// AppName names the config folder, the keychain service and the product.
const AppName = "plextray"

const clientIDFile = "client-id"

// Dir returns the config folder, without creating it, from the
// environment getenv reads (main passes os.Getenv), as os.UserConfigDir
// does: %AppData% on Windows, $HOME/Library/Application Support on macOS,
// $XDG_CONFIG_HOME or $HOME/.config elsewhere.
func Dir(getenv func(string) string) (string, error) {
	base, err := userConfigDir(runtime.GOOS, getenv)
	if err != nil {
		return "", fmt.Errorf("finding the config folder: %w", err)
	}
	return filepath.Join(base, AppName), nil
}

func userConfigDir(goos string, getenv func(string) string) (string, error) {
	switch goos {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%AppData% is not set")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
		return "", errors.New("$HOME is not set")
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		if !filepath.IsAbs(d) {
			return "", errors.New("$XDG_CONFIG_HOME is not an absolute path")
		}
		return d, nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config"), nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set")
}

// validID reports whether s (already trimmed) is a UUID in any spelling:
// either case, with or without braces or a "urn:uuid:" prefix, any
// version. Checked by hand rather than by a regular expression, which
// every command compiled at start-up before reading its client-id.
func validID(s string) bool {
	if len(s) >= len("urn:uuid:") && strings.EqualFold(s[:len("urn:uuid:")], "urn:uuid:") {
		s = s[len("urn:uuid:"):]
	}
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Replaced is the warning ClientID returns when the client-id file was
// damaged: it was moved to SetAside and a new identifier was made (Plex
// will list this install once more under Authorized Devices).
type Replaced struct {
	Path     string // the client-id file
	SetAside string // where the damaged file now is
}

// ClientID returns the install's client identifier from dir, creating a
// random UUID there on first use. Plex lists every new identifier as an
// "Authorized Device", so it is created once and reused forever, exactly as
// written (an identifier in another spelling, e.g. upper case, is used as
// it is, since Plex compares the text).
//
// A damaged file (not a UUID; or not a regular file: a directory, a FIFO,
// a device, a symbolic link, dangling or not; or larger than a few KiB) is
// moved aside and replaced: replaced says so, and is nil otherwise. It is
// never followed or waited on (see fsutil.ReadRegular), so whatever is
// there cannot block a command. err is set only if no identifier could be
// read or made (an unreadable folder, a full disk).
func ClientID(dir string) (id string, replaced *Replaced, err error) {
	path := filepath.Join(dir, clientIDFile)
	for range 10 { // each round makes progress unless other processes keep racing us
		b, err := fsutil.ReadRegular(path, maxClientIDFile)
		if err == nil || damaged(err) {
			if id := strings.TrimSpace(string(b)); err == nil && validID(id) {
				return id, replaced, nil
			}
			r, err := setAside(path)
			if err != nil {
				return "", nil, err
			}
			if r != nil {
				replaced = r
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("reading client identifier: %w", err)
		}
		if err := create(dir, path); err != nil {
			return "", nil, err
		}
	}
	return "", nil, fmt.Errorf("client identifier in %s keeps changing", path)
}

// maxClientIDFile bounds what is read of the client-id file: a UUID with
// braces, a prefix and a newline is far smaller.
const maxClientIDFile = 4 << 10

// damaged reports whether err says the file is there but is not one
// ClientID would have written.
func damaged(err error) bool {
	return errors.Is(err, fsutil.ErrNotRegular) || errors.Is(err, fsutil.ErrTooLarge)
}

// create makes a new identifier. fsutil.CreateFile links it into place:
// it appears complete or not at all, and if another process got there
// first, its identifier wins.
func create(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating config folder: %w", err)
	}
	if err := fsutil.CreateFile(path, []byte(newUUID()+"\n"), 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("saving client identifier: %w", err)
	}
	return nil
}

// setAside moves a damaged client-id file to client-id.damaged-<time>-<n>.
// Another process may have replaced the file between our read and the
// move: if what was moved turns out to be a valid identifier it is linked
// back (unless yet another one is in place by then) and nil is returned.
func setAside(path string) (*Replaced, error) {
	aside := fmt.Sprintf("%s.damaged-%s-%s", path, time.Now().UTC().Format("20060102T150405Z"), rand.Text()[:6])
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil // someone else moved it
		}
		return nil, fmt.Errorf("moving the damaged client identifier aside: %w", err)
	}
	b, err := fsutil.ReadRegular(aside, maxClientIDFile)
	if err == nil && validID(strings.TrimSpace(string(b))) {
		_ = os.Link(aside, path) // put another process's good identifier back
		os.Remove(aside)
		return nil, nil
	}
	return &Replaced{Path: path, SetAside: aside}, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
