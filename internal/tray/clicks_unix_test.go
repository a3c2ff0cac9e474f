//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/signin"
)

type nopActions struct{}

func (nopActions) SignIn(signin.Method)         {}
func (nopActions) CancelSignIn()                {}
func (nopActions) OpenLinkAgain()               {}
func (nopActions) CopyCode()                    {}
func (nopActions) CopyLink()                    {}
func (nopActions) CopyToken()                   {}
func (nopActions) CopyText(string, core.Copied) {}
func (nopActions) SignOut()                     {}
func (nopActions) CheckServers()                {}
func (nopActions) Retry()                       {}
func (nopActions) Quit()                        {}
func (nopActions) SwitchProfile(string)         {}
func (nopActions) ReloadProfiles()              {}
func (nopActions) CopyServerToken(string)       {}
func (nopActions) OpenURL(string)               {}
func (nopActions) CopyClaimToken()              {}
func (nopActions) NewToolToken()                {}
func (nopActions) RevokeTool(string)            {}
func (nopActions) ToggleServerNotifications()   {}

// TestNoGoroutinePerItem: the whole menu with 40 servers × 4 connections
// (about 300 clickable items) runs no goroutine of its own. With one
// goroutine per item receiving from ClickedCh (as before the patched
// fyne.io/systray's SetOnClicked) it ran one per item.
func TestNoGoroutinePerItem(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := New(nopActions{}, IconSet{}, Extra{})
	tr.OnReady()
	var list []servers.Server
	for i := range 40 {
		s := down(fmt.Sprintf("server %d", i), fmt.Sprintf("id%d", i), now.Add(-time.Hour))
		s.Connections = append(s.Connections, s.Connections[0], s.Connections[0], s.Connections[0])
		list = append(list, s)
	}
	tr.Apply(Render(signedIn(list...), Options{}))
	if got := runtime.NumGoroutine() - before; got > 10 {
		t.Fatalf("%d goroutines more with the menu built, want none per item", got)
	}
}
