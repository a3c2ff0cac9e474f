#!/usr/bin/env bash
# Builds the tray for every platform these machines can build, into dist/.
# macOS: fyne.io/systray's Mac part is cgo (Objective-C), so a Mac binary
# needs a Mac (see README "Building"); here every package that does not
# need it is vetted for darwin.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
for target in linux/amd64 linux/arm64 windows/amd64; do
	os=${target%/*} arch=${target#*/}
	out=dist/plextray-$os-$arch
	[ "$os" = windows ] && out=$out.exe
	ldflags="-s -w -X main.version=$version"
	[ "$os" = windows ] && ldflags="$ldflags -H windowsgui"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out" ./cmd/tray
	echo "built $out ($(du -h "$out" | cut -f1))"
done
GOOS=windows CGO_ENABLED=0 go vet ./...
darwin_pkgs=$(GOOS=darwin CGO_ENABLED=0 go list -e -f '{{.ImportPath}} {{join .Deps " "}}' ./... | grep -v 'fyne.io/systray' | cut -d' ' -f1)
GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go vet $darwin_pkgs
echo "vetted for darwin/arm64: $(echo $darwin_pkgs | wc -w) packages (the rest need cgo and a Mac)"
