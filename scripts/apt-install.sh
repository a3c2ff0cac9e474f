#!/bin/sh
# usage: apt-install.sh NAME PACKAGE...
# Installs the Debian/Ubuntu PACKAGEs that are missing, with apt-get as
# root or through sudo; does nothing when all are installed. NAME prefixes
# its messages. Shared by install-test-deps.sh and install-wine.sh.
set -eu

name=$1
shift
missing=""
for p in "$@"; do
	if ! dpkg -s "$p" >/dev/null 2>&1; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "$name: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "$name: installing:$missing"
# A fresh CI machine meets the odd flaky mirror: apt retries each download.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3"
$APT update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$APT install -y -qq --no-install-recommends $missing >/dev/null
echo "$name: done"
