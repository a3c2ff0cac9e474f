//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"fmt"
	"sync"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"
)

var (
	quitCh   = make(chan struct{})
	quitOnce sync.Once
)

// Run runs the tray until Quit: it puts the item on the session bus, then
// calls onReady (on another goroutine), then waits. Without a session bus
// there is nowhere to show the item, and Run says so at once.
//
// systray.Run calls onReady on its own goroutine while it is still putting
// the item on the bus, and an icon, title or tooltip set in that window is
// dropped (fyne.io/systray v1.12.2 keeps the value but never publishes it:
// SetIcon finds no properties yet, and the properties were made from the
// value before it). A panel then shows no icon until the next change, and
// e2e/desktop's self-test saw an empty Title. Starting the loop ourselves
// (RunWithExternalLoop's start publishes everything before it returns)
// closes that window; see fyne-io/systray#35.
func Run(onReady func()) error {
	// Find the bus without launching one: dbus.SessionBus, which systray
	// calls, would start a dbus-daemon through dbus-launch and leave it
	// behind. Then open the shared connection systray uses, so that it
	// cannot fail there (systray would only log, and panic when it ends).
	probe, err := dbus.SessionBusPrivateNoAutoStartup()
	if err == nil {
		probe.Close()
		_, err = dbus.SessionBus()
	}
	if err != nil {
		return fmt.Errorf("the tray needs the desktop's session bus: %w", err)
	}
	// systray runs onReady as soon as start begins; holding it until start
	// has returned keeps the rest of systray's contract: the panel's first
	// GetLayout waits until onReady has built the menu.
	exported := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() { <-exported; onReady() }, nil)
	start()
	close(exported)
	<-quitCh
	end()
	return nil
}

// Quit ends Run. Safe to call more than once, from any goroutine.
func Quit() {
	quitOnce.Do(func() { close(quitCh) })
}
