#!/usr/bin/env bash
# Builds plextray's packages into dist/ (README "Install"):
#
#   bash scripts/package.sh [VERSION]
#
#   plextray_<v>_amd64.deb  plextray_<v>_arm64.deb   (nfpm)
#   plextray_<v>_amd64.rpm  plextray_<v>_arm64.rpm   (nfpm)
#   plextray_<v>_linux_amd64.tar.gz                  (user install: install.sh)
#   plextray_<v>_windows_amd64.zip                   (GUI-subsystem exe, console .com, README, licenses)
#   SHA256SUMS
#
# VERSION defaults to `git describe` (a leading v dropped, - turned into .),
# or FyneApp.toml's version +git<commit count>.<commit> when there is no tag.
# Offline after one `go mod download` (and `go -C tools mod download`): nfpm
# is a Go tool pinned in tools/go.mod. Reproducible: the same commit and
# version give byte-identical files (-trimpath, no build id or VCS stamp,
# every timestamp SOURCE_DATE_EPOCH = the commit's time, owners root).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

APP_ID=$(sed -n 's/^ID *= *"\(.*\)"/\1/p' FyneApp.toml)
[ -n "$APP_ID" ] || { echo "package.sh: no ID in FyneApp.toml" >&2; exit 1; }

if [ $# -gt 1 ]; then
	echo "usage: bash scripts/package.sh [VERSION]" >&2
	exit 2
fi
version=${1:-}
if [ -z "$version" ]; then
	if version=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
		version=${version#v}
		version=${version//-/.}
	else
		base=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
		# The commit count first, so later commits sort higher.
		version="${base:-0.0.0}+git$(git rev-list --count HEAD).$(git rev-parse --short=12 HEAD)"
		git diff --quiet HEAD 2>/dev/null || version="$version.dirty"
	fi
fi
if ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	echo "package.sh: version $version: must start with a digit and hold only letters, digits, . + ~" >&2
	exit 2
fi

# Every timestamp: the commit's time (or the caller's SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C
umask 022
date_iso=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

dist=dist
work=$dist/.work
rm -rf "$work"
mkdir -p "$work"
rm -f "$dist"/plextray_* "$dist"/SHA256SUMS

echo "==> plextray $version (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH, $date_iso)"

go build -trimpath -o "$work/pkgtool" ./packaging/pkgtool

build() { # GOOS GOARCH OUT [console]
	local ldflags="-s -w -buildid= -X main.version=$version"
	[ "$1" = windows ] && [ "${4:-}" != console ] && ldflags="$ldflags -H windowsgui"
	CGO_ENABLED=0 GOOS=$1 GOARCH=$2 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$3" ./cmd/tray
}

# The data every Linux package carries, under share/: launcher entry,
# metainfo, icons, man page, completions.
share=$work/share
build linux amd64 "$work/plextray-linux-amd64"
mkdir -p "$share/applications" "$share/metainfo" "$share/man/man1" \
	"$share/bash-completion/completions" "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
install -m 644 "packaging/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date_iso/" "packaging/$APP_ID.metainfo.xml" >"$share/metainfo/$APP_ID.metainfo.xml"
"$work/pkgtool" icons -src assets/icon.png -name "$APP_ID" -o "$share/icons"
install -D -m 644 "packaging/$APP_ID.svg" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
# The man page and the completions come from the command line's own
# command tree (internal/cli), built into pkgtool.
"$work/pkgtool" man -version "$version" -epoch "$SOURCE_DATE_EPOCH" -o "$work/plextray.1"
gzip -9 -n -c "$work/plextray.1" >"$share/man/man1/plextray.1.gz"
"$work/pkgtool" completion -shell bash -o "$share/bash-completion/completions/plextray"
"$work/pkgtool" completion -shell zsh -o "$share/zsh/site-functions/_plextray"
"$work/pkgtool" completion -shell fish -o "$share/fish/vendor_completions.d/plextray.fish"
# The licenses: plextray's and those of the Go code built into it, in the
# Debian copyright format (also what the .rpm and the tarball carry).
mkdir -p "$share/doc/plextray"
"$work/pkgtool" copyright -license LICENSE -pkg ./cmd/tray -goos linux -goarch amd64 -o "$share/doc/plextray/copyright"

nfpm() { go tool -modfile=tools/go.mod nfpm "$@"; }

for arch in amd64 arm64; do
	stage=$work/stage-$arch
	mkdir -p "$stage/usr/bin" "$stage/usr/share"
	[ -f "$work/plextray-linux-$arch" ] || build linux "$arch" "$work/plextray-linux-$arch"
	install -m 755 "$work/plextray-linux-$arch" "$stage/usr/bin/plextray"
	cp -r "$share/." "$stage/usr/share/"
	mv "$stage/usr/share/zsh/site-functions" "$stage/usr/share/zsh/vendor-completions"
	for fmt in deb rpm; do
		config=$work/nfpm-$arch-$fmt.yaml
		{
			cat packaging/nfpm.yaml
			echo "contents:"
			(cd "$stage" && find . -type f | sed 's|^\./||' | sort) | while IFS= read -r f; do
				mode=0644
				[ -x "$stage/$f" ] && mode=0755
				dst=/$f
				# zsh looks in vendor-completions on Debian, site-functions on
				# Fedora and openSUSE.
				if [ "$fmt" = rpm ]; then
					dst=$(printf '%s' "$dst" | sed 's|^/usr/share/zsh/vendor-completions/|/usr/share/zsh/site-functions/|')
				fi
				printf '  - src: "%s"\n    dst: "%s"\n    file_info: {mode: %s}\n' "$stage/$f" "$dst" "$mode"
			done
		} >"$config"
		if ! out=$(PKG_VERSION=$version PKG_ARCH=$arch \
			nfpm package --config "$config" --packager "$fmt" --target "$dist/plextray_${version}_$arch.$fmt" 2>&1); then
			echo "$out" >&2
			exit 1
		fi
		echo "built $dist/plextray_${version}_$arch.$fmt"
	done
done

# The user install: the same files under a prefix, and install.sh.
name=plextray_${version}_linux_amd64
tree=$work/$name
mkdir -p "$tree/bin"
install -m 755 "$work/plextray-linux-amd64" "$tree/bin/plextray"
cp -r "$share" "$tree/share"
install -m 755 packaging/install.sh "$tree/install.sh"
install -m 644 README.md "$tree/README.md"
install -m 644 LICENSE "$tree/LICENSE"
"$work/pkgtool" tar -C "$tree" -prefix "$name" -epoch "$SOURCE_DATE_EPOCH" -o "$dist/$name.tar.gz"
echo "built $dist/$name.tar.gz"

name=plextray_${version}_windows_amd64
tree=$work/$name
mkdir -p "$tree"
build windows amd64 "$tree/plextray.exe"
# The same program for the console: a GUI-subsystem exe gets no console, so
# a shell neither shows its output nor waits for it. cmd.exe and PowerShell
# try .COM before .EXE (PATHEXT), so `plextray status` in a terminal runs
# this one; the tray and Start at login use plextray.exe.
build windows amd64 "$tree/plextray.com" console
install -m 644 README.md "$tree/README.md"
install -m 644 LICENSE "$tree/LICENSE"
"$work/pkgtool" copyright -license LICENSE -pkg ./cmd/tray -goos windows -goarch amd64 -o "$tree/copyright.txt"
"$work/pkgtool" completion -shell powershell -o "$tree/plextray-completion.ps1"
"$work/pkgtool" zip -C "$tree" -prefix "$name" -epoch "$SOURCE_DATE_EPOCH" -o "$dist/$name.zip"
echo "built $dist/$name.zip"

(cd "$dist" && sha256sum plextray_"${version}"_* >SHA256SUMS)
rm -rf "$work"
echo "==> dist/SHA256SUMS"
cat "$dist/SHA256SUMS"
