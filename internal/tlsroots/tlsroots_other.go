//go:build !linux

package tlsroots

import "net/http"

// Install does nothing here: the OS verifies (Windows, macOS), or the
// standard library's own loading is kept.
func Install(*http.Transport) {}
