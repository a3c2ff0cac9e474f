#!/usr/bin/env bash
# The one test command: installs what the tests need on Debian/Ubuntu, then
# runs vet, gofmt, staticcheck, deadcode, the unit tests, the end-to-end tests (real D-Bus, Secret
# Service, clipboard, the built binary) and the cross-builds.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -short     # skip the end-to-end tests and the package checks
#
# With CI=true a missing piece fails the run instead of skipping a test.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
if ! command -v go >/dev/null 2>&1 || ! go list -m >/dev/null 2>&1; then
	echo "==> installing Go"
	PATH="$(bash scripts/install-go.sh):$PATH"
	export PATH
fi
go version

echo "==> test dependencies"
bash scripts/install-test-deps.sh

echo "==> go vet"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi

echo "==> staticcheck, deadcode (pinned; installed from the module proxy, outside go.mod)"
gobin="$(go env GOPATH)/bin"
go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
go install golang.org/x/tools/cmd/deadcode@v0.52.0
"$gobin/staticcheck" ./...
dead=$("$gobin/deadcode" -test ./...)
if [ -n "$dead" ]; then
	echo "unused code (deadcode -test):" >&2
	echo "$dead" >&2
	exit 1
fi

echo "==> cross-builds"
bash scripts/cross-build.sh

echo "==> tests (race detector on)"
go test -race -count=1 "$@" ./...
echo "==> the patched fyne.io/systray (third_party/fyne.io/systray, its own module)"
(cd third_party/fyne.io/systray && go test -race -count=1 "$@" ./...)

case " $* " in
*" -short "*) echo "==> packages: skipped (-short)" ;;
*)
	echo "==> packages: build, validate, install the .deb, sign in with it, remove it, rebuild identically"
	bash scripts/ci-package.sh
	;;
esac
