//go:build !((linux || freebsd || openbsd || netbsd) && !android)

package systray

// dbusTray: this platform's native loop must run on the thread that
// started it (Cocoa's main thread, the Windows message loop's). (Patched.)
const dbusTray = false
