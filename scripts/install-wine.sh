#!/bin/sh
# Installs what the Windows tests under Wine (e2e/wine) need, on
# Debian/Ubuntu amd64:
#   wine64                  runs plextray's Windows build (Debian 12: Wine 8.0)
#   gcc-mingw-w64-x86-64    builds the tests' two small DLLs (a stand-in
#                           bcryptprimitives.dll, the menu reader)
#   xvfb, x11-apps (xwd)    the display for Wine's shell desktop, screenshots
#   xclip                   reads the clipboard Wine shares with X11
# Idempotent and non-interactive: does nothing when all are installed. Runs
# apt-get as root, or through sudo when not root. Elsewhere it says what is
# missing and exits 0; the tests then skip (or fail, with CI=true).
set -eu

PACKAGES="wine64 gcc-mingw-w64-x86-64 xvfb x11-apps xclip"

if [ "$(uname -m)" != x86_64 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-wine: needs Debian/Ubuntu on x86_64; install $PACKAGES yourself" >&2
	exit 0
fi

# shellcheck disable=SC2086 # word splitting of the package list is intended
sh "$(dirname "$0")/apt-install.sh" install-wine $PACKAGES
