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
# zsh, fish, bash-completion, groff-base: the completion scripts are loaded
# by the real shells (bash's, like every cobra-made script, needs the
# bash-completion package's helpers), and the man page is checked by groff.
#
# iproute2 (ip): the network-change tests add an address to the loopback
# interface of a network namespace they make themselves (unshare --net).
#
# Deliberately NOT installed: libnotify-bin (notify-send) and xdg-utils
# (xdg-open): their presence would hide the "no notification server" and
# "no browser" cases the tests check. Go is not installed here either.
set -eu

PACKAGES="dbus dbus-x11 gnome-keyring libsecret-tools xvfb xclip desktop-file-utils chromium zsh fish bash-completion groff-base iproute2 $*"

# The Windows build's tests under Wine (e2e/wine).
sh "$(dirname "$0")/install-wine.sh"

# shellcheck disable=SC2086 # word splitting of the package list is intended
sh "$(dirname "$0")/apt-install.sh" install-test-deps $PACKAGES
