#!/usr/bin/env bash
# Makes a Go that can build this module available, for machines without one.
# Debian's golang-go is too old to build a "go 1.26" module, but it can
# download Go's own toolchain, which is published as a module
# (golang.org/toolchain) on the Go module proxy. Prints the go binary's
# directory, for PATH.
set -euo pipefail
want=${GO_VERSION:-1.26.8}
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
case $arch in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
mod="golang.org/toolchain@v0.0.1-go$want.linux-$arch"

if ! command -v go >/dev/null 2>&1; then
	bash "$(dirname "$0")/install-test-deps.sh" golang-go >&2
	export PATH="$PATH:/usr/lib/go/bin"
fi
cache=${GOTOOLCHAIN_CACHE:-$HOME/.cache/plextray-go}
dir=$(GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local GOMODCACHE="$cache" \
	go mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$dir/bin/go" ] || { echo "install-go: no go binary in $dir" >&2; exit 1; }
# Module zips carry no file modes: make the tools executable, as the go
# command does for the toolchains it fetches itself.
chmod -R u+w "$dir"
chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
echo "$dir/bin"
