package desktop

import (
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
// stdout and stderr sent to the null device (xdg-open and browsers are
// chatty, and a tray app's stdout may be a closed terminal). Not
// io.Discard: os/exec would give the opener a pipe, and waiting for it
// waits until every process holding it has exited, the browser the
// opener started included.
func NewBrowser() Browser {
	silenceBrowser.Do(func() {
		browser.Stdout = nil
		browser.Stderr = nil
	})
	return &systemBrowser{open: browser.OpenURL}
}

type systemBrowser struct {
	open func(url string) error
}

func (b *systemBrowser) Open(url string) error {
	return browserError(url, b.open(url))
}
