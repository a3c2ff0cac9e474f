#!/usr/bin/env bash
# The one test command: installs what the tests need on Debian/Ubuntu, then
# runs vet, the unit tests, the end-to-end tests (real D-Bus, Secret
# Service, clipboard, the built binary) and the cross-builds.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -short     # skip the end-to-end tests
#
# With CI=true a missing piece fails the run instead of skipping a test.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
if ! command -v go >/dev/null 2>&1; then
	echo "==> installing Go (golang-go; the go.mod toolchain line fetches the right version)"
	bash scripts/install-test-deps.sh golang-go
fi
# go.mod asks for Go 1.26; an older go fetches it from the module proxy.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

echo "==> test dependencies"
bash scripts/install-test-deps.sh

echo "==> go vet"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi

echo "==> cross-builds"
bash scripts/cross-build.sh

echo "==> tests (race detector on)"
go test -race -count=1 "$@" ./...
