// Command tray is plextray: with no arguments the tray app, otherwise the
// command line. cmd/tray and cmd/plextray are the same program (see
// internal/launch); `go install ./cmd/plextray` names it plextray.
package main

import (
	"os"

	"github.com/plextray/plextray/internal/launch"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

func main() {
	cache, _ := os.UserCacheDir()
	os.Exit(launch.Main(launch.Process{Version: version, Args: os.Args, Getenv: os.Getenv, CacheDir: cache}))
}
