#!/usr/bin/env bash
# Clicks the tray menu item whose label starts with LABEL, as a panel does
# (com.canonical.dbusmenu.Event). For screenshot hooks: needs
# DBUS_SESSION_BUS_ADDRESS and APP_BUS_NAME (scripts/screenshot.sh sets both).
#   usage: scripts/menu-click.sh LABEL
set -euo pipefail
label=$1
layout=$(dbus-send --session --print-reply --dest="$APP_BUS_NAME" /StatusNotifierItem/menu \
	com.canonical.dbusmenu.GetLayout int32:0 int32:-1 array:string:)
# A node's id is the last bare int32 before its "label" entry.
id=$(printf '%s\n' "$layout" | awk -v want="$label" '
	/variant/ { if (prev_label && index($0, "\"" want) > 0) { print id; exit } prev_label = 0; next }
	/^ *int32 / { id = $2 }
	/string "label"/ { prev_label = 1; next }
	{ prev_label = 0 }')
[ -n "$id" ] || { echo "menu-click: no item labelled \"$label…\"" >&2; exit 1; }
dbus-send --session --type=method_call --dest="$APP_BUS_NAME" /StatusNotifierItem/menu \
	com.canonical.dbusmenu.Event int32:"$id" string:clicked variant:int32:0 uint32:0
