// Package wine runs plextray's Windows build under Wine, for real: the
// command line against the plex.tv simulator with Wine's Credential Manager,
// and the tray in Wine's shell desktop under Xvfb, whose live menu is read
// from inside the tray process (testdata/menuhook) and compared with the
// menu model in every state. See docs/windows.md.
//
// The tests need wine64, gcc-mingw-w64-x86-64, Xvfb, xclip, xwd and
// ImageMagick (scripts/install-wine.sh installs them). They skip with
// -short; a missing tool skips them, or fails them with CI=true.
package wine
