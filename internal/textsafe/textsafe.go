// Package textsafe makes untrusted text (server names, a friend's
// sourceTitle, user names, PIN codes, error texts from plex.tv, URIs) safe to
// show on one line: in a terminal, a log line or a menu label.
//
// It removes control characters (C0, C1, DEL, so no ANSI escapes and no
// embedded newlines), bidi overrides and isolates, and other invisible
// format characters; folds runs of white space into one space; and shortens
// the result to a number of characters with an ellipsis. Machine output
// (--json) keeps the full values and does not go through here.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Default lengths, in runes.
const (
	Name  = 60  // server, profile and user names, owners
	Short = 16  // PIN codes and other short tokens of text
	Long  = 200 // error texts, URIs
)

// Line returns s as one clean line of at most max runes (max < 1: no
// limit); a shortened result ends in "…".
func Line(s string, max int) string {
	var b strings.Builder
	if max > 0 {
		b.Grow(min(len(s), 4*max+4))
	} else {
		b.Grow(len(s))
	}
	n := 0
	space := false
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		if unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if !visible(r) {
			continue
		}
		if space {
			if max > 0 && n+1 >= max {
				return b.String() + "…"
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if max > 0 && n >= max-1 && hasMore(s[i+w:], r) {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// hasMore reports whether r followed by rest would still write more than
// one visible rune.
func hasMore(rest string, _ rune) bool {
	for _, r := range rest {
		if visible(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// visible reports whether r may be shown: not a control, not a format
// character (bidi controls, zero-width joiners, BOM), not a private or
// unassigned surrogate.
func visible(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return false
	case unicode.Is(unicode.Cf, r): // U+200E/F, U+202A–E, U+2066–9, U+FEFF …
		return false
	case unicode.Is(unicode.Cs, r), unicode.Is(unicode.Co, r):
		return false
	case r == '\u2028' || r == '\u2029':
		return false
	}
	return true
}

// URI returns u for display: without any user:password@ part, cleaned
// and shortened like Line.
func URI(u string) string {
	return Line(StripUserinfo(Line(u, 0)), Long)
}

// StripUserinfo removes a user:password@ part from a URI (everything up
// to the last "@" of the authority that follows "//"); other text is
// returned unchanged.
func StripUserinfo(u string) string {
	i := strings.Index(u, "//")
	if i < 0 {
		return u
	}
	rest := u[i+2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return u[:i+2] + rest[at+1:]
	}
	return u
}
