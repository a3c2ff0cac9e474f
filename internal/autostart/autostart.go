// Package autostart starts plextray when the person logs in:
//
//   - Linux and the BSDs: an XDG autostart entry,
//     $XDG_CONFIG_HOME/autostart/plextray.desktop (default ~/.config);
//   - macOS: a LaunchAgent, ~/Library/LaunchAgents/io.github.plextray.plextray.plist;
//   - Windows: the value "plextray" under
//     HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
//
// The entry runs the executable with no arguments and no environment of its
// own, so nothing secret can be stored in it: a token lives in the keychain,
// never in an autostart file, the registry or a command line.
//
// The text of each entry is built by a pure function, tested on every OS.
package autostart

import (
	"errors"
	"fmt"
	"html"
	"path/filepath"
	"strings"
	"unicode"
)

const (
	// Name is the entry's name: plextray.desktop, the Run value "plextray".
	Name = "plextray"
	// ID is the reverse-DNS app ID, also the LaunchAgent's label.
	ID = "io.github.plextray.plextray"
)

// Toggle turns start-at-login on and off for the person whose folders it
// names (main resolves them once from the environment): Home ($HOME) and
// ConfigHome ($XDG_CONFIG_HOME, "" when unset) on Linux, Home on macOS;
// Windows uses the registry and needs neither.
type Toggle struct {
	Home       string
	ConfigHome string
}

// home is $HOME, which must be an absolute path.
func (t Toggle) home() (string, error) {
	if !filepath.IsAbs(t.Home) {
		return "", errors.New("autostart: HOME is not set")
	}
	return t.Home, nil
}

// ErrBadExecutable is returned by Enable for a path it will not store: not
// absolute, or holding control characters (or a double quote on Windows).
var ErrBadExecutable = errors.New("autostart: the executable must be given as a plain absolute path")

// checkExe rejects paths that cannot be written safely into an entry.
// isAbs is the OS's filepath.IsAbs.
func checkExe(exe string, isAbs func(string) bool) error {
	if !isAbs(exe) {
		return fmt.Errorf("%w: %q is not absolute", ErrBadExecutable, exe)
	}
	if strings.ContainsFunc(exe, unicode.IsControl) {
		return fmt.Errorf("%w: %q holds control characters", ErrBadExecutable, exe)
	}
	return nil
}

// desktopEntry returns the XDG autostart entry for exe, valid per
// desktop-file-validate.
func desktopEntry(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=plextray\n" +
		"Comment=Sign in to Plex from the system tray\n" +
		"Exec=" + escapeString(execQuote(exe)) + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// execQuote quotes one Exec argument per the Desktop Entry Specification
// ("The Exec key"): a literal % is written %%; an argument holding a reserved
// character is put in double quotes, inside which ", `, $ and \ get a
// backslash. The result is still a string value; see escapeString.
func execQuote(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	const reserved = " \t\n\"'\\><~|&;$*?#()`"
	if !strings.ContainsAny(arg, reserved) {
		return arg
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// escapeString applies the spec's escapes for values of type string, which
// come before the Exec quoting rules: a backslash becomes \\ (so a literal
// backslash in a quoted argument ends up as four). Control characters, which
// would need \n, \t or \r, are rejected by checkExe.
func escapeString(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}

// desktopEntryEnabled reports whether an autostart entry is active: not
// Hidden=true and not X-GNOME-Autostart-enabled=false (what desktop settings
// write when the person switches it off).
func desktopEntryEnabled(content string) bool {
	inMain := false
	for line := range strings.Lines(content) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inMain = line == "[Desktop Entry]"
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !inMain || !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if (key == "Hidden" && value == "true") || (key == "X-GNOME-Autostart-enabled" && value == "false") {
			return false
		}
	}
	return true
}

// launchAgent returns the LaunchAgent property list for exe: run at login
// (RunAtLoad), once, as an interactive app, with ProgramArguments holding
// only exe.
func launchAgent(exe string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + ID + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + html.EscapeString(exe) + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}

// runValue returns the Run registry value for exe: the path in double
// quotes, so a path with spaces is one program. Windows paths cannot hold
// a double quote, so one is rejected.
func runValue(exe string) (string, error) {
	if strings.Contains(exe, `"`) {
		return "", fmt.Errorf("%w: %q holds a double quote", ErrBadExecutable, exe)
	}
	return `"` + exe + `"`, nil
}

// startupApprovedDisabled reports whether a value under
// HKCU\...\Explorer\StartupApproved\Run marks the entry as switched off in
// Task Manager or Settings: its first byte is 02 (or 06) when on, 03 (or 07
// …) when off, so an odd first byte means off.
func startupApprovedDisabled(b []byte) bool {
	return len(b) > 0 && b[0]&1 == 1
}
