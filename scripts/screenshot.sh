#!/usr/bin/env bash
# Screenshot a tray app the way a person sees it: a real panel (xfce4-panel,
# whose systray plugin hosts StatusNotifierItems) under Xvfb, on a private
# session bus with an unlocked gnome-keyring and fresh HOME and XDG dirs.
#
# usage: scripts/screenshot.sh [options] BINARY OUT.png [-- APP-ARGS...]
#
#   -e KEY=VALUE  extra environment variable for the app (repeatable),
#                 e.g. -e PLEXTRAY_PLEXTV_URL=http://127.0.0.1:8080
#   -k COMMAND    hook: shell command run (sh -c) after the app's icon is in
#                 the panel and before the screenshots, to bring the app into
#                 the state to show. It gets DISPLAY, DBUS_SESSION_BUS_ADDRESS,
#                 APP_PID, APP_BUS_NAME (the app's unique bus name), HOME and
#                 SCREENSHOT_DIR (the session's work directory). Example, a
#                 click on dbusmenu item 3:
#                   dbus-send --session --dest="$APP_BUS_NAME" --type=method_call \
#                     /StatusNotifierItem/menu com.canonical.dbusmenu.Event \
#                     int32:3 string:clicked variant:int32:0 uint32:0
#                 A hook that fails makes the script fail.
#   -s WxH        screen size (default 800x300)
#   -p PASSWORD   keyring password (default screenshot)
#   -x KEYS       keys to press once the menu is open (xdotool key), e.g.
#                 "Down Down Right" to open a submenu
#   -K            keep the work directory (logs: panel.log, app.log, ...);
#                 it is always kept when the script fails
#
# Writes:
#   OUT.png         the screen with the app's menu open (clicked on its icon)
#   OUT-closed.png  the screen just before the click
#   OUT-menu.png    the open menu and the panel above it, cropped
#
# Finding the icon: the screen is captured (once it stops changing) before
# the app starts and again once the app has registered and the panel has
# drawn it. The icon is in the box of changed pixels (with whatever the
# panel moved to make room), so clicks go to its centre if it is icon-sized,
# then from its right edge leftwards every 10 px, then to where
# xfce4-panel's default layout puts the first tray icon (125 px left of the
# right edge, 13 px down). A click hit the icon when the panel asks the app
# for its menu (dbusmenu AboutToShow, AboutToShowGroup or Event, seen with dbus-monitor); after a
# miss the script presses Escape, moves the pointer away and tries the next
# spot. Exit status 1 if no click opened the menu (the PNGs are still
# written).
#
# Needs: dbus, xvfb, xfce4-panel, gnome-keyring, xdotool, x11-apps (xwd),
# imagemagick (convert).
set -euo pipefail

die() { echo "screenshot: $*" >&2; exit 1; }
log() { echo "screenshot: $*" >&2; }

# ---- arguments --------------------------------------------------------------
size=800x300 password=screenshot keep="" hook="" keys=""
app_env=()
while getopts "e:k:s:p:x:Kh" opt; do
	case $opt in
	e) [[ $OPTARG == *=* ]] || die "-e wants KEY=VALUE, got $OPTARG"; app_env+=("$OPTARG") ;;
	k) hook=$OPTARG ;;
	s) size=$OPTARG ;;
	p) password=$OPTARG ;;
	K) keep=1 ;;
	x) keys=$OPTARG ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -ge 2 ]] || die "usage: $0 [-e KEY=VALUE]... [-k HOOK] [-s WxH] [-p PASSWORD] [-K] BINARY OUT.png [-- ARGS...]"
bin=$(realpath "$1") out=$(realpath -m "$2")
shift 2
[[ ${1:-} == "--" ]] && shift
app_args=("$@")
[[ -x $bin ]] || die "$bin is not an executable"
[[ $out == *.png ]] || die "OUT must end in .png"
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || die "-s wants WxH, got $size"
for tool in dbus-daemon dbus-send dbus-monitor Xvfb xfce4-panel gnome-keyring-daemon xdotool xwd convert; do
	command -v "$tool" >/dev/null ||
		die "$tool is missing (apt-get install -y --no-install-recommends dbus xvfb xfce4-panel gnome-keyring xdotool x11-apps imagemagick)"
done
width=${size%x*} height=${size#*x}

# ---- a hermetic session -----------------------------------------------------
work=$(mktemp -d /tmp/screenshot-XXXXXX)
mkdir -p "$work"/{home,config,data,state,cache,run}
chmod 700 "$work"/run
# The bus daemon, the panel, xfconfd (activated by the bus) and the keyring
# all see fresh directories, not the real home.
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
	XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache XDG_RUNTIME_DIR=$work/run \
	NO_AT_BRIDGE=1 SCREENSHOT_DIR=$work
unset DISPLAY WAYLAND_DISPLAY SESSION_MANAGER DBUS_SESSION_BUS_ADDRESS
cd "$work"

pids=() # started here; stopped newest first

bus_call() { # METHOD ARGS... on org.freedesktop.DBus
	dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus "org.freedesktop.DBus.$1" "${@:2}" 2>/dev/null
}
has_name() { [[ $(bus_call NameHasOwner "string:$1") == *true* ]]; }
pid_of() { bus_call GetConnectionUnixProcessID "string:$1" | awk '{print $2}'; }
bus_names() { bus_call ListNames | tr -d '[]' | tr ' ' '\n' | grep '^:' || true; }

# stop PID: SIGTERM, SIGKILL after 5 s; reap it if it is our child, else
# wait (up to 5 s) until its parent has.
stop() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 50); do
		[[ -e /proc/$1 && $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]] || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for _ in $(seq 50); do [[ -e /proc/$1 ]] || break; sleep 0.1; done
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT
	# What we started, newest first, but not the bus and the display (pids
	# 0 and 1) ...
	local i name pid
	for ((i = ${#pids[@]} - 1; i >= 2; i--)); do stop "${pids[i]}"; done
	# ... then what the bus activated (xfconfd, ...) while the bus daemon,
	# which reaps them, still runs ...
	if [[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
		for name in $(bus_names); do
			pid=$(pid_of "$name")
			[[ -n $pid ]] && stop "$pid"
		done
	fi
	# ... then the display and the bus.
	for ((i = ${#pids[@]} > 2 ? 1 : ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
	if [[ -n $keep || $rc != 0 ]]; then
		log "kept $work (logs)"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT

wait_until() { # TIMEOUT-SECONDS COMMAND...: poll every 0.1 s
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

shot() { # xwd fails now and then (BadMatch) while a window maps or fades
	local _
	for _ in 1 2 3 4; do xwd -root -silent >"$1" 2>/dev/null && return 0; sleep 0.2; done
	xwd -root -silent >"$1"
}

# settle NAME: capture the screen until two captures in a row are equal
# (menus fade in, the panel lays out), at most 10 s; leaves NAME.xwd.
settle() {
	local end=$((SECONDS + 10))
	shot "$1.xwd"
	while :; do
		sleep 0.3
		shot "$1.next.xwd"
		if cmp -s "$1.xwd" "$1.next.xwd"; then break; fi
		mv "$1.next.xwd" "$1.xwd"
		if ((SECONDS >= end)); then
			log "warning: the screen kept changing for 10 s ($1)"
			break
		fi
	done
	rm -f "$1.next.xwd"
}

# diffbox A B: bounding box "W H X Y" of the pixels that differ.
diffbox() {
	convert "xwd:$1" "xwd:$2" -compose difference -composite -fuzz 3% -format '%@' info: 2>/dev/null |
		sed -E 's/^([0-9]+)x([0-9]+)\+([0-9]+)\+([0-9]+)$/\1 \2 \3 \4/'
}

pointer_away() { xdotool mousemove $((width / 2)) $((height / 2)); }

# 1. the session bus (the standard session config: services such as
#    xfconfd, which the panel needs, are activated on demand)
dbus-daemon --session --nofork --print-address >"$work/bus-address" 2>"$work/dbus.log" &
pids+=($!)
wait_until 10 grep -q . "$work/bus-address" || die "dbus-daemon did not start: $(cat "$work/dbus.log")"
export DBUS_SESSION_BUS_ADDRESS=$(head -1 "$work/bus-address")

# 2. the display
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
pids+=($!)
exec 3>&-
wait_until 10 grep -q . "$work/display" || die "Xvfb did not start: $(cat "$work/xvfb.log")"
export DISPLAY=:$(tr -d '\n' <"$work/display")

# 3. the keyring, unlocked; output to a file (a closed pipe would kill it)
printf '%s' "$password" |
	gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
pids+=($!)
wait_until 10 has_name org.freedesktop.secrets || log "warning: no keyring on the bus (see keyring.log)"

# 4. the panel; its systray plugin owns org.kde.StatusNotifierWatcher
xfce4-panel --disable-wm-check >"$work/panel.log" 2>&1 &
pids+=($!)
wait_until 20 has_name org.kde.StatusNotifierWatcher || die "the panel has no tray (see panel.log)"
pointer_away
settle before

# 5. the app; dbus-monitor records the panel's menu calls to it
dbus-monitor --session "type='method_call',interface='com.canonical.dbusmenu'" >"$work/menu-calls.log" 2>&1 &
pids+=($!)
env ${app_env[@]+"${app_env[@]}"} "$bin" ${app_args[@]+"${app_args[@]}"} >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
app_bus=""
find_app() {
	local name
	kill -0 "$app_pid" 2>/dev/null || die "the app exited: $(tail -20 "$work/app.log")"
	for name in $(bus_names); do
		if [[ $(pid_of "$name") == "$app_pid" ]] &&
			dbus-send --session --print-reply --dest="$name" /StatusNotifierItem \
				org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierItem string:Menu >/dev/null 2>&1; then
			app_bus=$name
			return 0
		fi
	done
	return 1
}
wait_until 15 find_app || die "the app put no tray item on the bus: $(tail -20 "$work/app.log")"
# The panel reads the menu once the item has registered.
wait_until 10 grep -q "destination=$app_bus .*member=GetLayout" "$work/menu-calls.log" ||
	log "warning: the panel did not read the app's menu"
settle registered

# 6. the hook
if [[ -n $hook ]]; then
	APP_PID=$app_pid APP_BUS_NAME=$app_bus sh -c "$hook" || die "hook failed: $hook"
	pointer_away
fi
settle closed

# 7. find the icon and click it. The panel calls AboutToShow (or Event
#    "opened") on the app when it opens the app's menu: that tells a click
#    on the icon from a click on anything else.
menu_calls() { grep -c "destination=$app_bus .*member=\(AboutToShow\|AboutToShowGroup\|Event\)\$" "$work/menu-calls.log" || true; }
points=()
read -r w h x y < <(diffbox before.xwd registered.xwd) || true
if [[ -n ${w:-} ]] && ((w > 0 && h > 0 && w <= 200 && h <= 64)); then
	log "the panel changed at ${w}x${h}+${x}+${y} when the app registered"
	((w <= 48)) && points+=("$((x + w / 2)) $((y + h / 2))")
	for ((px = x + w - 6; px >= x; px -= 10)); do points+=("$px $((y + h / 2))"); done
fi
points+=("$((width - 125)) 13") # xfce4-panel's default layout: the first tray icon
opened=""
tries=0
for p in "${points[@]}"; do
	((++tries <= 12)) || break
	read -r cx cy <<<"$p"
	calls=$(menu_calls)
	xdotool mousemove "$cx" "$cy" click 1
	wait_until 2 test "$(menu_calls)" -gt "$calls" || true
	if (($(menu_calls) > calls)); then
		settle open
		if [[ -n $keys ]]; then
			# shellcheck disable=SC2086 # one key per word
			xdotool key --delay 150 $keys
			settle open
		fi
		read -r mw mh mx my < <(diffbox closed.xwd open.xwd) || true
		opened=1
		log "clicked the icon at $cx,$cy: menu at ${mw:-?}x${mh:-?}+${mx:-?}+${my:-?}"
		break
	fi
	log "clicked at $cx,$cy: not the app's icon"
	xdotool key Escape
	pointer_away
	settle closed
done

# 8. the pictures
base=${out%.png}
convert xwd:closed.xwd "$base-closed.png"
if [[ -z $opened ]]; then
	convert xwd:closed.xwd "$out"
	log "error: no click opened the app's menu; wrote $out and $base-closed.png without it"
	exit 1
fi
convert xwd:open.xwd "$out"
if [[ -n ${mw:-} ]] && ((mw > 0)); then
	x0=$((mx > 20 ? mx - 20 : 0))
	convert xwd:open.xwd -crop "$((mw + 40))x$((my + mh + 10))+${x0}+0" +repage "$base-menu.png"
	log "wrote $out, $base-closed.png and $base-menu.png"
else
	log "wrote $out and $base-closed.png"
fi
