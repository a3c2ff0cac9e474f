package desktop

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"git.sr.ht/~jackmordaunt/go-toast"
	"golang.org/x/sys/windows"
)

// NewNotifier returns the Notifier that shows Windows toast notifications
// through go-toast: the Windows Runtime API, falling back to a PowerShell
// script started with a hidden window (no console flashes).
//
// Not through beeep, which on anything it takes for older than Windows 10
// (Wine among them) shows a balloon from a second tray library
// (github.com/tadvi/systray): a second icon in the notification area.
// The Windows build does not link beeep at all (e2e/wine checks).
//
// Under Wine there are no toast notifications (no Windows Runtime, no
// PowerShell): Notify fails at once with ErrNoNotificationServer instead
// of trying, and NotificationsAvailable says so up front, for the menu.
func NewNotifier(iconFile string) Notifier {
	return &notifier{iconFile: iconFile, send: func(title, body string, icon any) error {
		if err := NotificationsAvailable(); err != nil {
			return err
		}
		n := toast.Notification{AppID: AppName, Title: title, Body: body, Duration: toast.Short, Audio: toast.Silent}
		if path, ok := icon.(string); ok {
			n.Icon = path
		}
		return pushWithin(n.Push, 15*time.Second)
	}}
}

// pushWithin runs push and gives up waiting after d: a hung PowerShell
// must not hold up anything (the goroutine ends when it does).
func pushWithin(push func() error, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- push() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			return &Error{Summary: "couldn't show a notification", Reason: err.Error(), Err: err}
		}
		return nil
	case <-t.C:
		return &Error{Summary: "couldn't show a notification", Reason: fmt.Sprintf("no answer within %s", d)}
	}
}

var (
	wineOnce sync.Once
	wineErr  error
)

// NotificationsAvailable reports, without showing one, whether
// notifications can work: not under Wine, which has no toast
// notifications. Show its error in the menu; the code is there anyway.
func NotificationsAvailable() error {
	wineOnce.Do(func() {
		if underWine() {
			wineErr = &Error{
				Summary: "notifications are unavailable",
				Reason:  "Wine has no Windows toast notifications",
				Hint:    "the code and status are in this menu",
				Kind:    ErrNoNotificationServer,
				Err:     errors.New("running under Wine"),
			}
		}
	})
	return wineErr
}

// underWine reports whether this process runs under Wine, whose ntdll
// exports wine_get_version (Windows' does not).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
