// Package assets embeds plextray's icons: one per tray state for each
// platform, and the application icon.
//
// The files are drawn by ./gen (go run ./assets/gen) and checked in; a test
// in gen fails when they are stale. Per state there are:
//
//	<state>.png               64×64 colour PNG (Linux/BSD StatusNotifierItem)
//	<state>-32.png            32×32 colour PNG
//	<state>.ico               Windows icon: 16, 20, 24, 32, 40, 48, 64 px (PNG-compressed)
//	<state>-template.png      22×22 macOS template image (black + alpha only)
//	<state>-template@2x.png   44×44 macOS template image
//
// plus icon.png (512×512, FyneApp.toml) and icon-128.png (notifications).
package assets

import (
	"embed"
	"fmt"
	"sync"
)

// State is what the tray icon shows.
type State int

// The tray states.
const (
	SignedOut       State = iota // grey chevron
	SigningIn                    // orange chevron, blue badge with dots
	SignedIn                     // orange chevron, green badge with a check
	Error                        // orange chevron, red badge with "!"
	NoServer                     // orange chevron, slate badge with a dash: signed in, no server answers
	SomeUnreachable              // orange chevron, yellow badge with a half-filled ring: a server online at plex.tv is unreachable from here
	PlexTVDown                   // orange chevron, red badge with a cross: plex.tv can't be reached or fails
)

// States lists every State, in order.
var States = []State{SignedOut, SigningIn, SignedIn, Error, NoServer, SomeUnreachable, PlexTVDown}

// String returns the state's file-name stem, e.g. "signed-in".
func (s State) String() string {
	switch s {
	case SignedOut:
		return "signed-out"
	case SigningIn:
		return "signing-in"
	case SignedIn:
		return "signed-in"
	case Error:
		return "error"
	case NoServer:
		return "no-server"
	case SomeUnreachable:
		return "some-unreachable"
	case PlexTVDown:
		return "plextv-down"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// FS holds every generated file, for sizes the functions below don't pick.
//
//go:embed *.png *.ico
var FS embed.FS

// NotifyIcon returns the 128×128 application icon used for notifications,
// read once, when first asked for: every command of the program links
// this package, few notify.
var NotifyIcon = sync.OnceValue(func() []byte { return mustRead("icon-128.png") })

// PNG returns the 64×64 colour icon for s: what a Linux/BSD panel scales
// to its own size. It panics for a State outside States.
func PNG(s State) []byte { return mustRead(s.String() + ".png") }

// ICO returns the Windows icon for s, holding 16–64 px images.
func ICO(s State) []byte { return mustRead(s.String() + ".ico") }

// Template returns the 44×44 macOS template image for s (black + alpha only;
// macOS colours it for the menu bar). fyne.io/systray draws it at 16×16 points,
// so the 44 px image stays sharp on Retina screens.
func Template(s State) []byte { return mustRead(s.String() + "-template@2x.png") }

func mustRead(name string) []byte {
	b, err := FS.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error())
	}
	return b
}
