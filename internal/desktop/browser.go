package desktop

import (
	"io"
	"sync"

	"github.com/pkg/browser"
)

// Browser opens a URL in the person's web browser.
//
// The URL must never contain a token: pkg/browser passes it in argv to
// xdg-open (Linux/BSD) or open (macOS).
type Browser interface {
	Open(url string) error
}

var silenceBrowser sync.Once

// NewBrowser returns the Browser backed by pkg/browser, with the opener's
// stdout and stderr discarded (xdg-open and browsers are chatty, and a tray
// app's stdout may be a closed terminal).
func NewBrowser() Browser {
	silenceBrowser.Do(func() {
		browser.Stdout = io.Discard
		browser.Stderr = io.Discard
	})
	return &systemBrowser{open: browser.OpenURL}
}

type systemBrowser struct {
	open func(url string) error
}

func (b *systemBrowser) Open(url string) error {
	return browserError(url, b.open(url))
}
