package localpage

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultDir is where launch files go: $XDG_RUNTIME_DIR/plextray where
// there is one (Linux and BSD: a folder of the user's own, removed at
// logout), else plextray/pages in the user's cache folder
// (os.UserCacheDir).
func DefaultDir() (string, error) {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
			return filepath.Join(d, "plextray"), nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no folder for the page's launch file: %w", err)
	}
	return filepath.Join(cache, "plextray", "pages"), nil
}

// privateDir makes dir (mode 0700) if missing and checks it is a real
// folder, not a link, owned by this user and closed to others.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("making %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %w (not a folder)", dir, ErrUnsafeFolder)
	}
	return ownedPrivate(dir, fi)
}

// writeLaunchFile writes a new file in dir that redirects to target, and
// returns its path. The name is random and the file is created only if
// nothing has that name (no link is followed).
func writeLaunchFile(dir, target string) (string, error) {
	if err := privateDir(dir); err != nil {
		return "", err
	}
	rnd := make([]byte, 12)
	if _, err := rand.Read(rnd); err != nil {
		return "", err
	}
	name := filepath.Join(dir, "page-"+hex.EncodeToString(rnd)+".html")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing the page's launch file: %w", err)
	}
	t := html.EscapeString(target)
	_, err = f.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=` + t + `">
<title>plextray</title>
</head>
<body>
<p>Opening plextray's page on this computer… <a href="` + t + `">Continue</a></p>
</body>
</html>
`)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", fmt.Errorf("writing the page's launch file: %w", err)
	}
	return name, nil
}

// fileURL is the file:// address of an absolute path.
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/Users/… on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
