#!/bin/sh
# Installs the Debian/Ubuntu packages the end-to-end tests (e2e/...) need:
# a private session bus, Xvfb, gnome-keyring + secret-tool, xclip.
# Idempotent: does nothing when all are installed. Runs apt-get as root, or
# through sudo when not root.
#
# chromium: the local Plex Home PIN page is tested in a real headless
# browser (it pulls in xdg-utils; the e2e harness gives the app a PATH of
# its own, so the "no browser" case still holds).
#
# zsh, fish, groff-base: the completion scripts are loaded by the real
# shells, and the man page is checked by groff.
#
# Deliberately NOT installed: libnotify-bin (notify-send) and xdg-utils
# (xdg-open): their presence would hide the "no notification server" and
# "no browser" cases the tests check. Go is not installed here either.
set -eu

PACKAGES="dbus dbus-x11 gnome-keyring libsecret-tools xvfb xclip desktop-file-utils chromium zsh fish groff-base $*"

missing=""
for p in $PACKAGES; do
	if ! dpkg -s "$p" >/dev/null 2>&1; then
		missing="$missing $p"
	fi
done
# The Windows build's tests under Wine (e2e/wine).
sh "$(dirname "$0")/install-wine.sh"

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-test-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-test-deps: installing:$missing"
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"
$APT update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$APT install -y -qq --no-install-recommends $missing >/dev/null
echo "install-test-deps: done"
