//go:build !((linux || freebsd || openbsd || netbsd) && !android)

package tray

import "fyne.io/systray"

// Run runs the tray until Quit, calling onReady once the icon is up
// (see run_unix.go for why Linux differs).
func Run(onReady func()) error {
	systray.Run(onReady, nil)
	return nil
}

// Quit ends Run. Safe to call more than once, from any goroutine.
func Quit() { systray.Quit() }
