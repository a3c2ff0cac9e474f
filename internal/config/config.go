// Package config owns plextray's config folder (os.UserConfigDir()/plextray,
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
	"regexp"
	"strings"
)

// AppName names the config folder, the keychain service and the product.
const AppName = "plextray"

const clientIDFile = "client-id"

// Dir returns the config folder, without creating it.
func Dir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config folder: %w", err)
	}
	return filepath.Join(base, AppName), nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ClientID returns the install's client identifier from dir, creating a
// random UUID there on first use. Plex lists every new identifier as an
// "Authorized Device", so it is created once and reused forever.
func ClientID(dir string) (string, error) {
	path := filepath.Join(dir, clientIDFile)
	b, err := os.ReadFile(path)
	if err == nil {
		id := strings.TrimSpace(string(b))
		if uuidRE.MatchString(id) {
			return id, nil
		}
		return "", fmt.Errorf("client identifier in %s is damaged; delete the file to make a new one", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading client identifier: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating config folder: %w", err)
	}
	// Write the identifier to a temporary file, then link it into place:
	// the link appears complete or not at all, and fails if another
	// process got there first, in which case its identifier wins.
	tmp, err := os.CreateTemp(dir, ".client-id-*") // mode 0600
	if err != nil {
		return "", fmt.Errorf("saving client identifier: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(newUUID() + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("saving client identifier: %w", werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("saving client identifier: %w", err)
	}
	return ClientID(dir)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
