#!/usr/bin/env bash
# with-keyring.sh CMD [ARG...]: runs CMD in a private D-Bus session with its own
# gnome-keyring Secret Service, as a desktop login would give it (`dbus-run-session`,
# then `gnome-keyring-daemon --unlock --components=secrets`). @auth/testkit exports its path as
# `keyringScript` (and `startKeyringSession` runs it); the keyring tests of @auth/core and authctl use it.
#
#   KEYRING_DIR    (required) a private folder for the keyring's HOME and runtime
#                  dir; runs that share it share the stored items.
#   KEYRING_STATE  unlocked (default): the login keyring is unlocked.
#                  locked: the login keyring exists but stays locked (a wrong
#                  password is offered, and no prompt can be shown).
#
# CMD's stdout and stderr are its own: the bus and keyring daemons' chatter is dropped.
set -euo pipefail
: "${KEYRING_DIR:?set KEYRING_DIR to a private folder}"
export HOME="$KEYRING_DIR/home" XDG_DATA_HOME="$KEYRING_DIR/home/.local/share" XDG_RUNTIME_DIR="$KEYRING_DIR/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$KEYRING_DIR" "$XDG_RUNTIME_DIR"

password=test-keyring-password
if [ "${KEYRING_STATE:-unlocked}" = locked ]; then
  # A keyring is only locked once it exists: create it with the right password first.
  [ -f "$XDG_DATA_HOME/keyrings/login.keyring" ] || KEYRING_STATE=unlocked "$0" true
  password=wrong-password
fi

unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
exec 3>&2
# The daemon runs in the foreground of the session, so it is stopped with CMD: a
# daemonised one can miss the end of a short session and outlive it.
exec dbus-run-session -- bash -c '
  printf %s "$0" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 3>&- &
  daemon=$!
  # Ready once it owns the Secret Service name; a call before that would start a second, locked daemon.
  for _ in $(seq 200); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.05
  done
  "$@" 2>&3 3>&-
  status=$?
  kill "$daemon" 2>/dev/null
  wait "$daemon" 2>/dev/null
  exit "$status"
' "$password" "$@" 2>/dev/null
