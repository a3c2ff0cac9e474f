#!/usr/bin/env bash
# Makes the README's screenshots of the tray in xfce4-panel (Xvfb, 1024×768)
# against the simulator's demo account, one scripts/screenshot.sh session
# per state: signed out, signing in, the Servers submenu, Server details,
# the Profile submenu, the two health states and Tokens for tools; and
# Server details again after the panel was restarted (it must not open
# blank: third_party/fyne.io/systray/PATCHES.md 6c).
#
# usage: scripts/readme-screenshots.sh [OUTDIR]   (default docs/screenshots)
#        ONLY="profiles tools" scripts/readme-screenshots.sh   (some of them)
#        FULL=DIR scripts/readme-screenshots.sh   (also the whole screens)
#
# Needs what scripts/screenshot.sh needs, plus curl and python3; for the
# copy's notification, xfce4-notifyd (NOTIFYD=path to its binary; without
# one that shot is skipped). Each state's logs stay in the work directory
# screenshot.sh prints when a session fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/docs/screenshots}")
mkdir -p "$out"
work=$(mktemp -d /tmp/readme-shots-XXXXXX)
cd "$root"
go build -o "$work/plextray" ./cmd/plextray
go build -o "$work/plextv-sim" ./cmd/plextv-sim

# The simulator on a free port, with the demo servers and Home.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sim=http://127.0.0.1:$port
"$work/plextv-sim" -demo-servers -addr "127.0.0.1:$port" -ca-out "$work/ca.pem" >"$work/sim.log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$sim/_sim/" >/dev/null && break; sleep 0.1; done

# hooks.sh: what each state's hook runs, inside the screenshot session.
cat >"$work/hooks.sh" <<EOF
sim=$sim
click() { "$root/scripts/menu-click.sh" "\$1"; }
layout() {
	dbus-send --session --print-reply --dest="\$APP_BUS_NAME" /StatusNotifierItem/menu \\
		com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string:
}
# until TEXT: wait (up to 20 s) until a menu label contains TEXT.
until_menu() {
	for _ in \$(seq 200); do layout | grep -qF "\$1" && return 0; sleep 0.1; done
	echo "hook: no menu label with \$1" >&2; return 1
}
# until_quiet: wait (up to 20 s) until the menu has not changed for 3 s
# (a server check still running redraws rows, and a menu that changes
# while it opens comes up cut short).
until_quiet() {
	last="" same=0
	for _ in \$(seq 200); do
		rev=\$(layout | sed -n 's/^ *uint32 //p' | head -1)
		if [ "\$rev" = "\$last" ]; then same=\$((same + 1)); else same=0 last=\$rev; fi
		[ \$same -ge 30 ] && return 0
		sleep 0.1
	done
}
until_notifyd() { # a notification server is on the bus
	for _ in \$(seq 100); do
		dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications | grep -q true && return 0
		sleep 0.1
	done
}
until_notified() { sleep 1.5; } # xfce4-notifyd fades a notification in
grab() { # FILE: the screen (xwd fails now and then while a window fades)
	for _ in 1 2 3 4 5 6 7 8 9 10; do xwd -root -silent >"\$1" 2>/dev/null && return 0; sleep 0.2; done
	return 1
}
tools() { # two tools' tokens, made from the command line
	for t in Kometa Tautulli; do
		PLEXTRAY_PLEXTV_URL=\$sim SSL_CERT_FILE=$work/ca.pem "$work/plextray" tokens new \$t >/dev/null
	done
	until_menu Tautulli
}
living_room_down() { # down, though plex.tv still lists it online
	for n in "Living Room" "Living Room (remote)"; do
		curl -fs -X PUT -d "{\"name\":\"\$n\",\"behavior\":{\"down\":true}}" "\$sim/_sim/pms" >/dev/null
	done
	click "Check again"
	until_menu "unreachable from here"
}
plextv_down() { # plex.tv fails the server list mid-session
	curl -fs -d '{"endpoint":"resources","status":503}' "\$sim/_sim/faults" >/dev/null
	click "Check again"
	until_menu "having trouble"
}
restart_panel() { # the panel quits and starts again (xfce4-panel -r, a crash): it asks for the whole menu anew
	pkill -x xfce4-panel || true
	while pgrep -x xfce4-panel >/dev/null; do sleep 0.1; done
	(xfce4-panel --disable-wm-check >/dev/null 2>&1 &)
	for _ in \$(seq 100); do
		dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierWatcher string:RegisteredStatusNotifierItems 2>/dev/null | grep -q "\$APP_BUS_NAME" && break
		sleep 0.1
	done
	sleep 3
}
sign_in() {
	until_menu "Sign in with a code"
	click "Sign in with a code"
	until_menu "Code: "
	code=\$(layout | grep -o 'Code: [A-Z0-9]*' | head -1 | cut -c7-)
	curl -fs -d "{\"code\":\"\$code\"}" "\$sim/_sim/link" >/dev/null
	until_menu "Signed in as"
	until_menu "Living Room — local"
	until_menu "Attic — "
}
EOF

# A browser that opens nothing, as if the person looked elsewhere (without
# one the menu says no browser opened).
mkdir -p "$work/bin"
printf '#!/bin/sh\nexit 0\n' >"$work/bin/xdg-open"
chmod +x "$work/bin/xdg-open"
env=(-e "PLEXTRAY_PLEXTV_URL=$sim" -e "PLEXTRAY_APP_URL=$sim" -e "SSL_CERT_FILE=$work/ca.pem" -e "PATH=$work/bin:$PATH")
shot() { # NAME HOOK KEYS
	[[ -z ${ONLY:-} || " $ONLY " == *" $1 "* ]] || return 0
	local keys=()
	[[ -n $3 ]] && keys=(-x "$3")
	scripts/screenshot.sh -s 1024x768 ${KEEP:+-K} "${env[@]}" -k ". $work/hooks.sh; $2; until_quiet" ${keys[@]+"${keys[@]}"} \
		"$work/plextray" "$work/$1.png"
	cp "$work/$1-menu.png" "$out/$1.png"
	[[ -z ${FULL:-} ]] || cp "$work/$1.png" "$FULL/$1.png" # the whole screen, to check
	echo "wrote $out/$1.png"
}
# shot_copied: the screen right after a click on Living Room's row (the
# menu closes; the notification confirms the copy), its top right corner.
shot_copied() {
	[[ -z ${ONLY:-} || " $ONLY " == *" copied "* ]] || return 0
	local notifyd=${NOTIFYD:-/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd}
	if [[ ! -x $notifyd ]]; then
		echo "no xfce4-notifyd ($notifyd): skipping the copy's notification" >&2
		return 0
	fi
	# The hook takes the picture itself, while the notification shows,
	# and stops the notification server before the session goes on.
	scripts/screenshot.sh -s 1024x768 "${env[@]}" \
		-k ". $work/hooks.sh; sign_in; $notifyd >/dev/null 2>&1 & n=\$!; until_notifyd; click 'Living Room — local'; until_notified; grab $work/copied.xwd; kill \$n" \
		"$work/plextray" "$work/copied.png"
	convert "xwd:$work/copied.xwd" -crop 600x130+424+0 +repage "$out/copied.png"
	echo "wrote $out/copied.png"
}
reset_sim() {
	curl -fs -X DELETE "$sim/_sim/faults" >/dev/null
	curl -fs -X PUT -d '{"name":"Living Room","behavior":{}}' "$sim/_sim/pms" >/dev/null
	curl -fs -X PUT -d '{"name":"Living Room (remote)","behavior":{}}' "$sim/_sim/pms" >/dev/null
}

# GTK's keyboard: Down moves to the next enabled row, Right opens a submenu.
shot signed-out true ""
shot signing-in 'until_menu "Sign in with a code"; click "Sign in with a code"; until_menu "Code: "' ""
shot signed-in-servers 'sign_in' "Down Down Down Down Right Down Down"
shot_copied
shot server-details 'sign_in' "Down Down Down Down Down Right Right"
shot restarted-panel 'sign_in; restart_panel' "Down Down Down Down Down Right Right"
shot profiles 'sign_in; click "Kid"; until_menu "· profile Kid"' "Down Down Down Down Down Down Right"
shot tools 'sign_in; tools' "Down Down Down Right"
shot health-some-unreachable 'sign_in; living_room_down' "Down Down Down Down Right"
reset_sim
shot health-plextv-down 'sign_in; plextv_down' "Down Down Down Down Right"
reset_sim
