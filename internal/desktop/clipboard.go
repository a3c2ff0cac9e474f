package desktop

import (
	"github.com/atotto/clipboard"
)

// Clipboard copies text to and reads text from the system clipboard.
//
// Copying a token is safe as far as other processes' view of us goes:
// atotto/clipboard v0.1.4 (clipboard_unix.go, clipboard_darwin.go) starts
// `xclip -in -selection clipboard`, `xsel --input --clipboard`, `wl-copy`
// or `pbcopy` with fixed arguments and our unchanged environment, and
// writes the text to the child's stdin (copyCmd.StdinPipe, in.Write,
// in.Close); on Windows it calls the Win32 clipboard API with no child at all.
// So the text never appears in a child's argv or environment. (xclip forks
// and stays in the background to serve the selection; that copy of it has
// the same fixed argv.)
type Clipboard interface {
	Copy(s string) error
	Read() (string, error)
}

// NewClipboard returns the Clipboard backed by atotto/clipboard.
// graphical says whether there is a graphical session (DISPLAY or
// WAYLAND_DISPLAY set); it only picks the words of an error.
func NewClipboard(graphical bool) Clipboard { return systemClipboard{graphical: graphical} }

type systemClipboard struct{ graphical bool }

func (c systemClipboard) Copy(s string) error {
	return clipboardError("couldn't copy to the clipboard", clipboard.WriteAll(s), c.graphical)
}

func (c systemClipboard) Read() (string, error) {
	s, err := clipboard.ReadAll()
	return s, clipboardError("couldn't read the clipboard", err, c.graphical)
}

// ClipboardAvailable reports, without touching the clipboard, whether a
// clipboard tool was found when the program started (atotto looks once, at
// init). Call it at start-up and show its error on the Copy items instead of
// failing on click. It is always nil on Windows and macOS.
func ClipboardAvailable() error {
	if clipboard.Unsupported {
		return &Error{
			Summary: "the clipboard is unavailable",
			Reason:  "no clipboard tool found",
			Hint:    clipboardHint,
			Kind:    ErrNoClipboard,
		}
	}
	return nil
}
