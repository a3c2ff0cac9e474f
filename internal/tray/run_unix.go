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
// The patched fyne.io/systray (third_party/fyne.io/systray, PATCHES.md)
// calls onReady only once the item's properties are on the bus, so an
// icon, title or tooltip set in onReady is published; and the panel's
// first GetLayout waits until onReady has built the menu.
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
	start, end := systray.RunWithExternalLoop(onReady, nil)
	start()
	<-quitCh
	end()
	return nil
}

// Quit ends Run. Safe to call more than once, from any goroutine.
func Quit() {
	quitOnce.Do(func() { close(quitCh) })
}
