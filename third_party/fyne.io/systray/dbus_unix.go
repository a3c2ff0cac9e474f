//go:build (linux || freebsd || openbsd || netbsd) && !android

package systray

// dbusTray: this platform's tray is the StatusNotifierItem over D-Bus
// (systray_unix.go), which needs no particular OS thread. (Patched.)
const dbusTray = true
