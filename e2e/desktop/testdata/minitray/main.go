// Command minitray is a tiny tray program for the e2e/desktop self-test and
// for trying scripts/screenshot.sh. Each menu item exercises one desktop
// service and prints what happened:
//
//	Hello          prints "hello clicked"
//	Sub > Child    prints "child clicked"
//	Copy           copies ClipText (atotto/clipboard): "copied" / "copy error: ..."
//	Notify         beeep notification: "notified" / "notify error: ..."
//	Open           opens URL (pkg/browser): "opened" / "open error: ..."
//	Store          go-keyring Set+Get: "stored: <secret>" / "keyring error: ..."
//	Quit           quits (exit code 0) after printing "bye"
//
// MINITRAY_NO_ICON=1 leaves the icon unset (an empty slot in a panel).
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"time"

	"fyne.io/systray"
	"github.com/atotto/clipboard"
	"github.com/gen2brain/beeep"
	"github.com/pkg/browser"
	"github.com/zalando/go-keyring"
)

// Values the self-test checks.
const (
	ClipText      = "minitray clipboard text"
	URL           = "https://example.com/minitray?x=1"
	NotifySummary = "minitray title"
	NotifyBody    = "minitray body"
	Service       = "minitray"
	User          = "minitray-user"
	Secret        = "s3cret value"
)

func main() {
	beeep.AppName = "minitray"
	// The patched fyne.io/systray calls onReady once the item is on the
	// bus: the icon and title set there are published (v1.12.2 dropped
	// them; this self-test once read an empty Title).
	systray.Run(onReady, func() { fmt.Println("bye") })
}

func onReady() {
	if os.Getenv("MINITRAY_NO_ICON") == "" {
		systray.SetIcon(icon())
	}
	systray.SetTitle("minitray")
	systray.SetTooltip("minitray tooltip")

	hello := systray.AddMenuItem("Hello", "says hello")
	sub := systray.AddMenuItem("Sub", "a submenu")
	child := sub.AddSubMenuItem("Child", "a child")
	systray.AddSeparator()
	cp := systray.AddMenuItem("Copy", "copy a text")
	notify := systray.AddMenuItem("Notify", "send a notification")
	open := systray.AddMenuItem("Open", "open a URL")
	store := systray.AddMenuItem("Store", "store a secret")
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "quit")

	// Return from onReady quickly: the menu is only served after it returns.
	go func() {
		for {
			select {
			case <-hello.ClickedCh:
				fmt.Println("hello clicked")
			case <-child.ClickedCh:
				fmt.Println("child clicked")
			case <-cp.ClickedCh:
				report("copied", "copy", clipboard.WriteAll(ClipText))
			case <-notify.ClickedCh:
				report("notified", "notify", beeep.Notify(NotifySummary, NotifyBody, ""))
			case <-open.ClickedCh:
				report("opened", "open", browser.OpenURL(URL))
			case <-store.ClickedCh:
				go storeSecret() // may block on a broken keyring; keep the menu alive
			case <-quit.ClickedCh:
				systray.Quit()
				return
			}
		}
	}()
	fmt.Println("ready")
}

func storeSecret() {
	start := time.Now()
	if err := keyring.Set(Service, User, Secret); err != nil {
		fmt.Fprintf(os.Stderr, "keyring error: %v (after %v)\n", err, time.Since(start).Round(time.Millisecond))
		return
	}
	got, err := keyring.Get(Service, User)
	if err != nil {
		fmt.Fprintf(os.Stderr, "keyring error: %v (after %v)\n", err, time.Since(start).Round(time.Millisecond))
		return
	}
	fmt.Printf("stored: %s\n", got)
}

func report(ok, what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s error: %v\n", what, err)
		return
	}
	fmt.Println(ok)
}

// icon draws a 32×32 orange square with a dark border, as PNG.
func icon() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := color.RGBA{0xe5, 0xa0, 0x0d, 0xff}
			if x < 3 || y < 3 || x > 28 || y > 28 {
				c = color.RGBA{0x20, 0x20, 0x20, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
