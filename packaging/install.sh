#!/bin/sh
# Installs plextray for the current user, from this unpacked tarball:
#   ~/.local/bin/plextray                           the program
#   ~/.local/share/applications/…desktop            the launcher entry
#   ~/.local/share/icons/hicolor/…                  its icons
#   ~/.local/share/man/man1/plextray.1.gz           the manual (man plextray)
#   ~/.local/share/bash-completion, fish, zsh       shell completions
#   ~/.local/share/plextray/installed-folders       the folders it made
# (XDG_DATA_HOME replaces ~/.local/share, PREFIX replaces ~/.local.)
#
#   sh install.sh              install or update
#   sh install.sh --uninstall  remove all of it again: the files above, the
#                              "Start at login" entry that starts this copy
#                              (~/.config/autostart/plextray.desktop), and
#                              the folders install.sh made, once empty
#
# No root needed, nothing outside PREFIX, XDG_DATA_HOME and the autostart
# entry is touched. The token is not affected either way (it lives in the
# keychain).
#
# Links: the base folders (the bin folder, the data folder, the config
# folder) may be symbolic links of your own. Below them install.sh follows
# none: a link where it would make a folder or write a file makes it stop
# (a link in place of one of its own files is replaced, never written
# through), and --uninstall leaves a linked folder and what it points to
# alone. Every file is written to a fresh temporary name first (mktemp,
# which never reuses an existing name) and then renamed into place.
set -eu

die() {
	echo "install.sh: $*" >&2
	exit 2
}

case ${HOME:-} in
/*) ;;
'') die "HOME is not set; it must be your home folder (an absolute path)" ;;
*) die "HOME=$HOME is not an absolute path; it must be your home folder" ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
datadir=${XDG_DATA_HOME:-$prefix/share}
# The Base Directory spec says to ignore a relative XDG_CONFIG_HOME;
# plextray itself does.
case ${XDG_CONFIG_HOME:-} in
/*) configdir=$XDG_CONFIG_HOME ;;
*) configdir=$HOME/.config ;;
esac
app=io.github.plextray.plextray
manifest_dir=plextray
manifest=$datadir/$manifest_dir/installed-folders

case $prefix in /*) ;; *) die "PREFIX must be an absolute path" ;; esac
case $datadir in /*) ;; *) die "XDG_DATA_HOME must be an absolute path" ;; esac

# The files below share/ in this tarball, relative to share/.
list_data() {
	(cd "$here/share" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

# no_links BASE REL: succeeds when no folder on the way from BASE to
# BASE/REL (BASE itself excluded, REL's last part included) is a symbolic
# link.
no_links() {
	_p=$1
	_rest=$2
	while [ -n "$_rest" ]; do
		case $_rest in
		*/*) _p=$_p/${_rest%%/*} _rest=${_rest#*/} ;;
		*) _p=$_p/$_rest _rest= ;;
		esac
		[ -L "$_p" ] && return 1
	done
	return 0
}

# made is the list of folders this run creates, one a line.
made=
# make_dir DIR: creates DIR and any missing parent, recording each folder
# it creates. Existing folders are used as they are (they may be links of
# the user's); use make_subdir below a base folder.
make_dir() {
	[ -d "$1" ] && return 0
	_parent=$(dirname "$1")
	[ "$_parent" = "$1" ] || make_dir "$_parent"
	mkdir "$1" || die "can't create $1"
	made="$made$1
"
}

# make_subdir BASE REL: BASE/REL as a folder, refusing a link on the way.
make_subdir() {
	make_dir "$1"
	_p=$1
	_rest=$2
	while [ -n "$_rest" ]; do
		case $_rest in
		*/*) _p=$_p/${_rest%%/*} _rest=${_rest#*/} ;;
		*) _p=$_p/$_rest _rest= ;;
		esac
		if [ -L "$_p" ]; then
			die "$_p is a symbolic link; install.sh does not follow links below $1 (remove it and run install.sh again)"
		elif [ ! -e "$_p" ]; then
			mkdir "$_p" || die "can't create $_p"
			made="$made$_p
"
		elif [ ! -d "$_p" ]; then
			die "$_p is in the way: it should be a folder"
		fi
	done
}

# put SRC DEST MODE: writes SRC's bytes to DEST through a fresh temporary
# file in DEST's folder, then renames it over DEST (a rename replaces a
# link; it never writes through it). A running plextray keeps its old file.
tmp=
cleanup() { [ -z "$tmp" ] || rm -f "$tmp"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
put() {
	[ -d "$2" ] && [ ! -L "$2" ] && die "$2 is in the way: it is a folder"
	tmp=$(mktemp "$(dirname "$2")/.plextray.XXXXXXXXXX") || die "can't create a temporary file beside $2"
	cat "$1" >"$tmp"
	chmod "$3" "$tmp"
	mv -f "$tmp" "$2"
	tmp=
}

# Launchers see a new entry by themselves (no MimeType, so no
# update-desktop-database: its cache would outlive an uninstall). An icon
# cache is refreshed only where one is kept.
refresh() {
	command -v gtk-update-icon-cache >/dev/null 2>&1 &&
		[ -f "$datadir/icons/hicolor/index.theme" ] &&
		gtk-update-icon-cache -q -t "$datadir/icons/hicolor" 2>/dev/null || true
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

# exec_program FILE prints the program of a desktop entry's Exec line,
# unquoted and unescaped (enough for the entries plextray writes).
exec_program() {
	sed -n 's/^Exec=//p' "$1" | sed -n '1{
s/%%/%/g
s/\\\\/\\/g
s/^"\(.*\)"$/\1/
s/\\\([\\"`$]\)/\1/g
p
}'
}

if [ "${1:-}" = "--uninstall" ]; then
	[ $# -eq 1 ] || die "usage: sh install.sh [--uninstall]"
	left=
	if [ -L "$bindir/plextray" ] || [ -f "$bindir/plextray" ]; then
		# Its folder, before removing it: "Start at login" names the
		# program by the path the kernel resolved.
		real_bindir=$(cd -P "$bindir" && pwd -P)
		rm -f "$bindir/plextray"
	else
		real_bindir=$bindir
	fi
	data_files=$(list_data)
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		if no_links "$datadir" "$f"; then
			rm -f "$datadir/$f"
		else
			left="$left  $datadir/$f (a folder on its way is a symbolic link)
"
		fi
	done <<EOF
$data_files
EOF

	# "Start at login", if it starts this copy.
	autostart=$configdir/autostart/plextray.desktop
	if [ -f "$autostart" ] && no_links "$configdir" autostart/plextray.desktop; then
		prog=$(exec_program "$autostart")
		if [ "$prog" = "$bindir/plextray" ] || [ "$prog" = "$real_bindir/plextray" ]; then
			rm -f "$autostart"
			echo "Start at login switched off ($autostart removed)."
		else
			left="$left  $autostart (it starts $prog, not this copy)
"
		fi
	fi

	# The folders install.sh made, deepest first, if empty and not links.
	if [ -f "$manifest" ] && no_links "$datadir" "$manifest_dir/installed-folders"; then
		folders=$(awk '{ print length($0) "\t" $0 }' "$manifest" | LC_ALL=C sort -rn | cut -f2-)
		rm -f "$manifest"
		printf '%s\n' "$folders" | while IFS= read -r d; do
			[ -n "$d" ] && [ -d "$d" ] && [ ! -L "$d" ] && rmdir "$d" 2>/dev/null || true
		done
	fi
	refresh
	echo "plextray removed from $bindir and $datadir."
	if [ -n "$left" ]; then
		printf 'Left in place:\n%s' "$left"
	fi
	echo "Your token stays in the keychain until you sign out ('plextray logout' before uninstalling)."
	exit 0
fi
if [ $# -gt 0 ]; then
	echo "usage: sh install.sh [--uninstall]" >&2
	exit 2
fi

# The folders an earlier install made are still its own.
previous=
if [ -f "$manifest" ] && no_links "$datadir" "$manifest_dir/installed-folders"; then
	previous=$(cat "$manifest")
fi

# Every folder on the way is checked before anything is written, so a
# refusal leaves nothing half done.
data_files=$(list_data)
while IFS= read -r f; do
	case $f in */*) ;; *) continue ;; esac
	no_links "$datadir" "${f%/*}" || die "a folder on the way to $datadir/$f is a symbolic link; install.sh does not follow links below $datadir (remove it and run install.sh again)"
done <<EOF
$data_files
EOF
no_links "$datadir" "$manifest_dir" || die "$datadir/$manifest_dir is a symbolic link; install.sh does not follow links below $datadir (remove it and run install.sh again)"

make_dir "$bindir"
put "$here/bin/plextray" "$bindir/plextray" 755

make_dir "$datadir"
while IFS= read -r f; do
	[ -n "$f" ] || continue
	case $f in */*) make_subdir "$datadir" "${f%/*}" ;; esac
	put "$here/share/$f" "$datadir/$f" 644
done <<EOF
$data_files
EOF
# The launcher runs the program by its full path: a desktop session's PATH
# often lacks ~/.local/bin.
exec_value=$(desktop_exec "$bindir/plextray")
desktop=$datadir/applications/$app.desktop
tmp=$(mktemp "$datadir/applications/.plextray.XXXXXXXXXX")
sed "s|^Exec=.*|Exec=$(printf '%s' "$exec_value" | sed 's/[\\&|]/\\&/g')|" "$here/share/applications/$app.desktop" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$desktop"
tmp=

make_subdir "$datadir" "$manifest_dir"
tmp=$(mktemp "$datadir/$manifest_dir/.plextray.XXXXXXXXXX")
printf '%s\n%s' "$previous" "$made" | sed '/^$/d' | awk '!seen[$0]++' >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$manifest"
tmp=
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
