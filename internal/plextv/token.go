package plextv

import (
	"errors"
	"log/slog"
)

// Token is a Plex authentication token. Its String, GoString and LogValue
// methods redact it, so a Token that slips into a log line or a %v prints
// "****" instead of the secret. Use Reveal where the raw value is needed
// (the X-Plex-Token header, the keychain, the clipboard).
type Token string

const redacted = "****"

func (t Token) String() string   { return redacted }
func (t Token) GoString() string { return redacted }

// LogValue implements slog.LogValuer.
func (t Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// Reveal returns the raw token.
func (t Token) Reveal() string { return string(t) }

// IsZero reports whether the token is empty.
func (t Token) IsZero() bool { return t == "" }

// ErrBadToken: plex.tv sent a token with characters no token has
// (control characters, escape sequences, spaces, anything outside
// printable ASCII). Such a token is neither stored nor shown.
var ErrBadToken = errors.New("plex.tv sent a token that is not printable ASCII without spaces")

// maxTokenLen bounds a token: Plex's are 20 characters, JSON web tokens
// a few hundred.
const maxTokenLen = 4096

// Check returns ErrBadToken unless t is 1 to 4096 printable ASCII
// characters without spaces, which every Plex token is.
func (t Token) Check() error {
	if len(t) == 0 || len(t) > maxTokenLen {
		return ErrBadToken
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c > '~' {
			return ErrBadToken
		}
	}
	return nil
}
