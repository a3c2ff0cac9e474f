#!/bin/sh
# Installs plextray for the current user, from this unpacked tarball:
#   ~/.local/bin/plextray                           the program
#   ~/.local/share/applications/…desktop            the launcher entry
#   ~/.local/share/icons/hicolor/…                  its icons
#   ~/.local/share/man/man1/plextray.1.gz           the manual (man plextray)
#   ~/.local/share/bash-completion, fish, zsh       shell completions
# (XDG_DATA_HOME replaces ~/.local/share, PREFIX replaces ~/.local.)
#
#   sh install.sh              install or update
#   sh install.sh --uninstall  remove all of it again
#
# No root needed, nothing outside PREFIX and XDG_DATA_HOME is touched.
# The token is not affected either way (it lives in the keychain).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
datadir=${XDG_DATA_HOME:-$prefix/share}
app=io.github.plextray.plextray

# The files below share/ in this tarball, relative to share/.
list_data() {
	(cd "$here/share" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

# desktop_exec prints PATH as the value of a desktop entry's Exec key
# (Desktop Entry Specification: quoted if it has a reserved character,
# with ", `, $ and \ escaped inside the quotes, then \ doubled and %
# doubled for the string and field-code rules).
desktop_exec() {
	case $1 in
	*[!A-Za-z0-9_./+-]*)
		q=$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\&/g')
		q="\"$q\""
		;;
	*) q=$1 ;;
	esac
	printf '%s' "$q" | sed -e 's/\\/\\\\/g' -e 's/%/%%/g'
}

# Launchers see a new entry by themselves (no MimeType, so no
# update-desktop-database: its cache would outlive an uninstall). An icon
# cache is refreshed only where one is kept.
refresh() {
	command -v gtk-update-icon-cache >/dev/null 2>&1 &&
		[ -f "$datadir/icons/hicolor/index.theme" ] &&
		gtk-update-icon-cache -q -t "$datadir/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
	rm -f "$bindir/plextray"
	list_data | while IFS= read -r f; do rm -f "$datadir/$f"; done
	refresh
	echo "plextray removed from $bindir and $datadir."
	echo "Your token stays in the keychain until you sign out ('plextray logout' before uninstalling)."
	exit 0
fi
if [ $# -gt 0 ]; then
	echo "usage: sh install.sh [--uninstall]" >&2
	exit 2
fi

case $prefix in /*) ;; *) echo "install.sh: PREFIX must be an absolute path" >&2; exit 2 ;; esac
case $datadir in /*) ;; *) echo "install.sh: XDG_DATA_HOME must be an absolute path" >&2; exit 2 ;; esac

mkdir -p "$bindir"
# Copy, then rename: a running plextray keeps its old file.
cp "$here/bin/plextray" "$bindir/.plextray.new"
chmod 755 "$bindir/.plextray.new"
mv -f "$bindir/.plextray.new" "$bindir/plextray"

list_data | while IFS= read -r f; do
	mkdir -p "$(dirname "$datadir/$f")"
	cp "$here/share/$f" "$datadir/$f"
	chmod 644 "$datadir/$f"
done
# The launcher runs the program by its full path: a desktop session's PATH
# often lacks ~/.local/bin.
exec_value=$(desktop_exec "$bindir/plextray")
desktop=$datadir/applications/$app.desktop
sed "s|^Exec=.*|Exec=$(printf '%s' "$exec_value" | sed 's/[\\&|]/\\&/g')|" "$desktop" >"$desktop.new"
mv -f "$desktop.new" "$desktop"
refresh

echo "plextray $("$bindir/plextray" --version 2>/dev/null | sed 's/^plextray //') installed:"
echo "  $bindir/plextray"
echo "  launcher entry: $desktop"
case ":$PATH:" in
*":$bindir:"*) ;;
*) echo "Note: $bindir is not on your PATH; add it to use 'plextray' in a terminal." ;;
esac
echo "zsh: add $datadir/zsh/site-functions to fpath for completions."
echo "Start it from your application launcher, or run: plextray"
