package desktop

import (
	"sync"
	"time"

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
	return &systemBrowser{open: browser.OpenURL, wait: openerWait}
}

// openerWait is how long Open waits for the opener. xdg-open's generic
// fallback (no desktop's own opener) runs the browser in the foreground
// and returns only when it is closed; an opener still running by then is
// taken to have opened the page.
const openerWait = 5 * time.Second

type systemBrowser struct {
	open func(url string) error
	wait time.Duration
}

func (b *systemBrowser) Open(url string) error {
	done := make(chan error, 1)
	go func() { done <- b.open(url) }()
	wait := b.wait
	if wait <= 0 {
		wait = openerWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case err := <-done:
		return browserError(url, err)
	case <-t.C:
		return nil // still running: the browser itself, in the foreground
	}
}
