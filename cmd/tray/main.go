// Command tray is plextray: with no arguments the tray app, otherwise the
// command line (login, token, status, logout, servers). See README.md.
package main

import (
	"os"

	"github.com/plextray/plextray/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

func main() {
	os.Exit(cli.Main(os.Args[1:], version, stdIO(), runTray))
}
