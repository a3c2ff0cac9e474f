// Package logging writes plextray's log to the OS's usual place, capped in
// size, with secrets redacted:
//
//   - Linux and the BSDs: $XDG_STATE_HOME/plextray/plextray.log (default ~/.local/state)
//   - macOS: ~/Library/Logs/plextray/plextray.log
//   - Windows: %LOCALAPPDATA%\plextray\logs\plextray.log
//
// The file is rotated at MaxSize into plextray.log.1 (one old file is kept).
//
// Every record goes through a redacting handler: an attribute whose key
// contains "token" (any case) is written as ****, and every value registered
// with RegisterSecret is replaced by **** wherever it appears, in the message
// and in attribute values, also inside groups and errors.
package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// MaxSize is the size at which the log file is rotated.
const MaxSize = 1 << 20

// App names the log folder and file.
const App = "plextray"

// Level is the minimum level Open's logger writes; Info unless changed
// (e.g. Level.Set(slog.LevelDebug) for a -debug flag). It may be changed at
// any time.
var Level = new(slog.LevelVar)

// Dir returns the folder plextray's log lives in on this OS (it may not
// exist yet), from the environment getenv reads (main passes os.Getenv):
// XDG_STATE_HOME or HOME on Linux, HOME on macOS, LOCALAPPDATA on Windows.
func Dir(getenv func(string) string) (string, error) {
	return dirFor(runtime.GOOS, App, getenv, func() (string, error) {
		if h := getenv("HOME"); filepath.IsAbs(h) {
			return h, nil
		}
		return "", errors.New("HOME is not set")
	})
}

// Open opens (creating them if needed) the folder dir and the log file in
// it, and returns a logger writing text records to it through the
// redacting handler, and the Closer of the file. The file and folder are
// private to the user (0600, 0700).
func Open(dir string) (*slog.Logger, io.Closer, error) {
	return open(dir, App, MaxSize)
}

func open(dir, appName string, maxSize int64) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("log directory: %w", err)
	}
	w, err := openRotating(filepath.Join(dir, appName+".log"), maxSize)
	if err != nil {
		return nil, nil, err
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: Level})
	return slog.New(NewRedactingHandler(h)), w, nil
}

// dirFor returns appName's log directory on goos.
func dirFor(goos, appName string, getenv func(string) string, home func() (string, error)) (string, error) {
	switch goos {
	case "windows":
		base := getenv("LOCALAPPDATA")
		if base == "" {
			return "", errors.New("log directory: %LOCALAPPDATA% is not set")
		}
		return filepath.Join(base, appName, "logs"), nil
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", fmt.Errorf("log directory: %w", err)
		}
		return filepath.Join(h, "Library", "Logs", appName), nil
	}
	// XDG Base Directory spec: a relative $XDG_STATE_HOME is ignored.
	if base := getenv("XDG_STATE_HOME"); filepath.IsAbs(base) {
		return filepath.Join(base, appName), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("log directory: %w", err)
	}
	return filepath.Join(h, ".local", "state", appName), nil
}
