package plextv

import "log/slog"

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
