#!/usr/bin/env bash
# Checks plextray's packages for real, as root on Debian/Ubuntu:
#
#   bash scripts/ci-package.sh [VERSION]
#
#  1. builds them (scripts/package.sh) and validates the launcher entry,
#     the AppStream metainfo and the copyright file (Debian format) they
#     carry, and the LICENSE;
#  2. checks the Windows zip holds a GUI-subsystem exe; compares each
#     .rpm's file list with its .deb's (rpm -qpl);
#  3. installs the amd64 .deb with apt-get (dependencies resolved), runs
#     /usr/bin/plextray --version, starts the launcher entry with gio launch
#     in a headless session (private D-Bus, Xvfb, keyring, a
#     StatusNotifierWatcher) and checks the tray registers and signs in, and
#     runs the e2e sign-in journey against the installed binary;
#  4. apt-get remove, and checks nothing of it is left in /usr;
#  5. the tarball's install.sh under a fresh HOME: launcher entry, Start at
#     login pointing at ~/.local/bin/plextray, --uninstall leaving nothing
#     behind (autostart entry and folders included); an empty or relative
#     HOME refused; planted symbolic links never followed;
#  6. reproducibility: a second build from a copy of the tree elsewhere gives
#     byte-identical files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$PATH:/usr/local/go/bin"
export CI=${CI:-true}

if [ "$(id -u)" -ne 0 ]; then
	echo "ci-package.sh: run as root (it installs and removes the .deb)" >&2
	exit 1
fi
if dpkg -s plextray >/dev/null 2>&1; then
	echo "ci-package.sh: plextray is already installed here; remove it first (apt-get remove plextray)" >&2
	exit 1
fi

step() { echo "==> $*"; }
fail() { echo "ci-package.sh: FAIL: $*" >&2; exit 1; }

step "dependencies"
bash scripts/install-test-deps.sh desktop-file-utils appstream rpm unzip libglib2.0-bin groff-base man-db zsh fish

tmp=$(mktemp -d)
installed=""
cleanup() {
	[ -n "$installed" ] && DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq plextray >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

step "build"
bash scripts/package.sh "$@"
cp dist/SHA256SUMS "$tmp/SHA256SUMS.first"
version=$(sed -n 's/^[0-9a-f]*  plextray_\(.*\)_amd64\.deb$/\1/p' dist/SHA256SUMS)
[ -n "$version" ] || fail "no amd64 .deb in dist/SHA256SUMS"
app_id=$(sed -n 's/^ID *= *"\(.*\)"/\1/p' FyneApp.toml)
deb=dist/plextray_${version}_amd64.deb
for f in plextray_${version}_{amd64,arm64}.{deb,rpm} plextray_${version}_linux_amd64.tar.gz plextray_${version}_windows_amd64.zip; do
	grep -q "  $f\$" dist/SHA256SUMS || fail "$f missing from SHA256SUMS"
done
(cd dist && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match"

step "launcher entry and metainfo"
dpkg-deb -x "$deb" "$tmp/deb"
desktop_file=$tmp/deb/usr/share/applications/$app_id.desktop
out=$(desktop-file-validate "$desktop_file" 2>&1) && [ -z "$out" ] || fail "desktop-file-validate: $out"
grep -qx 'Exec=plextray' "$desktop_file" || fail "Exec is not plextray"
grep -qx 'Keywords=Plex;token;server;' "$desktop_file" || fail "Keywords"
grep -q '^Categories=' "$desktop_file" || fail "no Categories"
appstreamcli validate --no-net "$tmp/deb/usr/share/metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate"
for size in 16 24 32 48 64 128 256 512; do
	[ -f "$tmp/deb/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png" ] || fail "no ${size}x${size} icon"
done
[ -f "$tmp/deb/usr/share/icons/hicolor/scalable/apps/$app_id.svg" ] || fail "no scalable icon"
zcat "$tmp/deb/usr/share/man/man1/plextray.1.gz" | groff -k -man -Tutf8 -ww -z 2>"$tmp/groff.err" && [ ! -s "$tmp/groff.err" ] ||
	fail "man page: $(cat "$tmp/groff.err")"
copyright=$tmp/deb/usr/share/doc/plextray/copyright
[ -f "$copyright" ] || fail "no /usr/share/doc/plextray/copyright in the .deb"
head -1 "$copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' || fail "copyright is not in the Debian copyright format"
grep -q '^Files: \*$' "$copyright" && grep -qx 'Copyright: plextray contributors' "$copyright" && grep -qx 'License: Expat' "$copyright" ||
	fail "copyright lacks plextray's own paragraph (Files: *, plextray contributors, Expat)"
grep -q '^Files: vendor/go/std/' "$copyright" || fail "copyright lacks the Go standard library"
grep -qx 'MIT License' LICENSE && grep -qx 'Copyright (c) plextray contributors' LICENSE || fail "LICENSE is not plextray's MIT license"
dpkg-deb -f "$deb" Recommends | grep -q 'gnome-keyring' || fail "Recommends lacks gnome-keyring"
dpkg-deb -f "$deb" Recommends | grep -q 'xclip | wl-clipboard' || fail "Recommends lacks xclip | wl-clipboard"

step "the Windows zip: a GUI-subsystem exe, the console build, the README"
mkdir "$tmp/zip"
(cd "$tmp/zip" && unzip -q "$root/dist/plextray_${version}_windows_amd64.zip")
exe=$tmp/zip/plextray_${version}_windows_amd64/plextray.exe
[ -f "$exe" ] && [ -f "$tmp/zip/plextray_${version}_windows_amd64/README.md" ] || fail "zip lacks plextray.exe or README.md"
for f in LICENSE copyright.txt plextray-completion.ps1; do
	[ -f "$tmp/zip/plextray_${version}_windows_amd64/$f" ] || fail "zip lacks $f"
done
grep -q "Register-ArgumentCompleter -CommandName 'plextray'" "$tmp/zip/plextray_${version}_windows_amd64/plextray-completion.ps1" ||
	fail "the zip's plextray-completion.ps1 does not register plextray's completion"
tar -tzf "dist/plextray_${version}_linux_amd64.tar.gz" | grep -x "plextray_${version}_linux_amd64/LICENSE" >/dev/null || fail "tarball lacks LICENSE"
pe=$(od -An -tu4 -j60 -N4 "$exe" | tr -d ' ')
subsystem=$(od -An -tu2 -j$((pe + 92)) -N2 "$exe" | tr -d ' ')
[ "$subsystem" = 2 ] || fail "plextray.exe has PE subsystem $subsystem, want 2 (Windows GUI: no console window)"
com=$tmp/zip/plextray_${version}_windows_amd64/plextray.com
[ -f "$com" ] || fail "zip lacks plextray.com (the console build)"
pe=$(od -An -tu4 -j60 -N4 "$com" | tr -d ' ')
subsystem=$(od -An -tu2 -j$((pe + 92)) -N2 "$com" | tr -d ' ')
[ "$subsystem" = 3 ] || fail "plextray.com has PE subsystem $subsystem, want 3 (console: a shell shows its output and waits)"

step "the .rpm holds the same files as the .deb"
for arch in amd64 arm64; do
	dpkg-deb --fsys-tarfile "dist/plextray_${version}_$arch.deb" | tar -t | grep -v '/$' | sed 's|^\./|/|' | sort >"$tmp/deb-$arch.list"
	rpm="dist/plextray_${version}_$arch.rpm"
	rpm -K --nosignature "$rpm" >/dev/null || fail "$rpm: bad digests"
	# Every path the .rpm owns, directories included: it must own no
	# directory (they belong to filesystem packages).
	# zsh completions are the one path that differs (Fedora's directory).
	rpm -qpl --nosignature "$rpm" | sed 's|^/usr/share/zsh/site-functions/|/usr/share/zsh/vendor-completions/|' |
		sort >"$tmp/rpm-$arch.list"
	diff -u "$tmp/deb-$arch.list" "$tmp/rpm-$arch.list" || fail "$arch: .deb and .rpm file lists differ"
	grep -qx /usr/share/doc/plextray/copyright "$tmp/rpm-$arch.list" || fail "$rpm lacks /usr/share/doc/plextray/copyright"
done
echo "$(wc -l <"$tmp/deb-amd64.list") files in each"

step "install the .deb"
find /usr -xdev | sort >"$tmp/usr.before"
installed=yes
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
got=$(/usr/bin/plextray --version)
[ "$got" = "plextray $version" ] || fail "/usr/bin/plextray --version says '$got', want 'plextray $version'"
echo "$got"
man -w plextray >/dev/null || fail "man plextray finds no page"
dpkg -L plextray >"$tmp/dpkg-L"

step "launcher entry starts the tray; sign-in journey with the installed binary"
PLEXTRAY_E2E_BINARY=/usr/bin/plextray \
	PLEXTRAY_E2E_DESKTOP_FILE=/usr/share/applications/$app_id.desktop \
	PLEXTRAY_E2E_TARBALL=$root/dist/plextray_${version}_linux_amd64.tar.gz \
	go test -count=1 -timeout 300s -v \
	-run '^(TestInstalledLauncherEntry|TestUserInstallFromTarball|TestUserInstallLeavesNothingBehind|TestUserInstallRefusesABadHome|TestUserInstallFollowsNoPlantedLink|TestSignInCopyTokenServersRestartSignOut)$' ./e2e/ |
	tee "$tmp/e2e.log" | grep -E '^(=== RUN|--- |PASS|FAIL|ok)' || true
for t in TestInstalledLauncherEntry TestUserInstallFromTarball TestUserInstallLeavesNothingBehind TestUserInstallRefusesABadHome \
	TestUserInstallFollowsNoPlantedLink TestSignInCopyTokenServersRestartSignOut; do
	grep -q -- "--- PASS: $t " "$tmp/e2e.log" || { cat "$tmp/e2e.log"; fail "$t did not pass"; }
done

step "apt-get remove leaves nothing in /usr"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq plextray >/dev/null
installed=""
while IFS= read -r f; do
	[ -d "$f" ] && continue
	[ ! -e "$f" ] || fail "$f is left after apt-get remove"
done <"$tmp/dpkg-L"
find /usr -xdev | sort >"$tmp/usr.after"
diff -u "$tmp/usr.before" "$tmp/usr.after" || fail "/usr differs from before the install"

step "reproducible: a second build from a copy of the tree"
mkdir "$tmp/src"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tmp/src"
epoch=$(git log -1 --format=%ct)
(cd "$tmp/src" && SOURCE_DATE_EPOCH=$epoch bash scripts/package.sh "$version" >/dev/null)
diff -u "$tmp/SHA256SUMS.first" "$tmp/src/dist/SHA256SUMS" || fail "the second build differs"
echo "identical: $(wc -l <"$tmp/SHA256SUMS.first") files"

step "package checks passed"
