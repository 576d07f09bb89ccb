#!/usr/bin/env bash
# Start a private Cyrus IMAP CalDAV server (httpd module "caldav") on a loopback port.
#
#   start.sh <port> <state-dir>
#
# Needs (Debian bookworm):  apt-get install -y --no-install-recommends cyrus-common cyrus-caldav (tools/cyrus/install.sh), python3
# Everything the server writes lives under <state-dir>; nothing in /etc is touched.
# One user: paliad / paliad (override with CALDAV_USER / CALDAV_PASS).
# Prints BASE_URL=..., PRINCIPAL_URL=..., CALENDAR_HOME_URL=... and writes <state-dir>/pids.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <port> <state-dir>" >&2
  exit 2
fi
PORT="$1"
STATE="$2"
USER_NAME="${CALDAV_USER:-paliad}"
USER_PASS="${CALDAV_PASS:-paliad}"
REALM="localhost"          # == servername; SASL realm of the sasldb entry
CYRUS_BIN=/usr/lib/cyrus/bin
DB_LOAD=$(command -v db5.3_load || command -v db_load || true)

for f in "$CYRUS_BIN/master" "$CYRUS_BIN/httpd" "$CYRUS_BIN/ctl_cyrusdb"; do
  [ -x "$f" ] || { echo "missing $f: apt-get install -y --no-install-recommends cyrus-common cyrus-caldav" >&2; exit 1; }
done
[ -n "$DB_LOAD" ] || { echo "missing db5.3_load (package db5.3-util, pulled in by cyrus-common)" >&2; exit 1; }
id cyrus >/dev/null 2>&1 || { echo "system user 'cyrus' missing (created by cyrus-common postinst)" >&2; exit 1; }

# run a command as user cyrus (setpriv: no PAM session, unlike runuser/su)
as_cyrus() { setpriv --reuid=cyrus --regid=mail --init-groups -- "$@"; }

mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
chmod 0755 "$STATE"
# Cyrus' processes run as user 'cyrus': every ancestor of the state dir must be searchable (o+x)
# for it. A caller using `mktemp -d` (mode 0700) must `chmod 711` that directory first.
if ! as_cyrus test -x "$STATE" 2>/dev/null; then
  d="$STATE"; bad=""
  while [ "$d" != "/" ]; do d="$(dirname "$d")"; as_cyrus test -x "$d" 2>/dev/null || bad="$d"; done
  echo "state dir $STATE is not reachable by user 'cyrus' (blocked at $bad); run: chmod o+x $bad" >&2
  exit 1
fi
if [ -f "$STATE/pids" ]; then
  for p in $(cat "$STATE/pids"); do
    if kill -0 "$p" 2>/dev/null; then echo "already running (pid $p), run stop.sh first" >&2; exit 1; fi
  done
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT on 127.0.0.1 is already in use" >&2; exit 1
fi

# Fresh state every start (test server): wipe our own sub-directories only.
rm -rf "$STATE/conf" "$STATE/config" "$STATE/spool" "$STATE/run" "$STATE/log" "$STATE/pids"
mkdir -p "$STATE/conf" "$STATE/config/db" "$STATE/config/socket" "$STATE/config/proc" "$STATE/spool" "$STATE/run/proc" "$STATE/run/lock" \
         "$STATE/run/socket" "$STATE/sieve" "$STATE/log"

cat > "$STATE/conf/imapd.conf" <<EOF
configdirectory: $STATE/config
defaultpartition: default
partition-default: $STATE/spool
proc_path: $STATE/run/proc
mboxname_lockpath: $STATE/run/lock
lmtpsocket: $STATE/run/socket/lmtp
idlesocket: $STATE/run/socket/idle
notifysocket: $STATE/run/socket/notify
sievedir: $STATE/sieve
sieveusehomedir: false
servername: $REALM
altnamespace: no
unixhierarchysep: no
hashimapspool: true
umask: 077
# delete calendar collections immediately instead of renaming them to DELETED.<name>.<unixtime>
# (delayed mode can collide when a calendar is deleted, re-created and deleted within one second).
delete_mode: immediate
# keep the default expunge_mode (delayed): with "immediate", every PUT-update/DELETE of an event
# raises the calendar's deletedmodseq and older sync-tokens become "Stale sync-token" (403).
expunge_mode: delayed
# auth: HTTP Basic -> SASL PLAIN -> auxprop sasldb in the state dir
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $STATE/config/sasldb2
sasl_mech_list: PLAIN
sasl_auto_transition: no
allowanonymouslogin: no
# create the user's INBOX (needed before the DAV homes can be auto-provisioned)
# by delivering one bootstrap message through lmtpd (see below)
autocreate_quota: 0
autocreate_post: yes
lmtp_downcase_rcpt: yes
# DAV
httpmodules: caldav
httpallowcompress: no
httpkeepalive: 0
caldav_allowscheduling: off
caldav_create_default: no
caldav_create_sched: no
caldav_create_attach: no
caldav_realm: $REALM
dav_realm: $REALM
EOF

cat > "$STATE/conf/cyrus.conf" <<EOF
START {
  recover  cmd="$CYRUS_BIN/ctl_cyrusdb -C $STATE/conf/imapd.conf -r"
}
SERVICES {
  lmtpunix cmd="$CYRUS_BIN/lmtpd -C $STATE/conf/imapd.conf" listen="$STATE/run/socket/lmtp" prefork=0 maxchild=2
  http     cmd="$CYRUS_BIN/httpd -C $STATE/conf/imapd.conf" listen="127.0.0.1:$PORT" prefork=1 maxchild=20
}
EVENTS {
  checkpoint cmd="$CYRUS_BIN/ctl_cyrusdb -C $STATE/conf/imapd.conf -c" period=30
}
DAEMON {
}
EOF

# SASL db (Berkeley DB hash, key "user\0realm\0userPassword", value = cleartext password).
# Written with db5.3_load instead of saslpasswd2 so that sasl2-bin is not needed.
hexesc() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\&/g'; }
{
  printf '%s\\00%s\\00%s\n' "$(hexesc "$USER_NAME")" "$(hexesc "$REALM")" "$(hexesc userPassword)"
  printf '%s\n' "$(hexesc "$USER_PASS")"
} | "$DB_LOAD" -T -t hash "$STATE/config/sasldb2"

chown -R cyrus:mail "$STATE/conf" "$STATE/config" "$STATE/spool" "$STATE/run" "$STATE/sieve" "$STATE/log"
chmod 750 "$STATE/config" "$STATE/spool"
chmod 640 "$STATE/config/sasldb2"

# master must start as root (it drops to user cyrus itself); -D keeps it in the foreground
# of its own process, we background it here.
CYRUS_VERBOSE="${CYRUS_VERBOSE:-}" setsid "$CYRUS_BIN/master" -D \
  -C "$STATE/conf/imapd.conf" -M "$STATE/conf/cyrus.conf" \
  -p "$STATE/run/master.pid" </dev/null >"$STATE/log/master.log" 2>&1 &
MASTER_PID=$!
echo "$MASTER_PID" > "$STATE/pids"
# if anything below fails, do not leave the server running
fail_cleanup() { kill -TERM "$MASTER_PID" 2>/dev/null || true; rm -f "$STATE/pids"; }
trap 'rc=$?; [ $rc -ne 0 ] && fail_cleanup; exit $rc' EXIT

BASE_URL="http://127.0.0.1:$PORT"

# The status of an authenticated PROPFIND on the calendar home (python3, which Radicale and Xandikos need anyway).
probe_home() {
  python3 - "$BASE_URL/dav/calendars/user/$USER_NAME/" "$USER_NAME" "$USER_PASS" <<'PY' 2>/dev/null || echo 000
import base64, sys, urllib.request, urllib.error
url, user, password = sys.argv[1:4]
request = urllib.request.Request(url, method="PROPFIND", headers={
    "Depth": "0", "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
PY
}

# Bootstrap: deliver one message to the user through lmtpd so that autocreate_post creates
# user.<name> (the INBOX). Cyrus httpd then auto-provisions the DAV homes on first login.
for _ in $(seq 1 150); do
  [ -S "$STATE/run/socket/lmtp" ] && break
  kill -0 "$MASTER_PID" 2>/dev/null || { echo "cyrus master exited early; log:" >&2; cat "$STATE/log/master.log" >&2; exit 1; }
  sleep 0.1
done
printf 'From: setup@localhost\r\nTo: %s@localhost\r\nSubject: bootstrap\r\nDate: %s\r\nMessage-ID: <bootstrap-%s@localhost>\r\n\r\ncreates the INBOX\r\n' \
  "$USER_NAME" "$(LC_ALL=C date -R)" "$$" > "$STATE/run/bootstrap.eml"
delivered=0
for _ in $(seq 1 50); do
  if as_cyrus "$CYRUS_BIN/deliver" -C "$STATE/conf/imapd.conf" "$USER_NAME" \
       < "$STATE/run/bootstrap.eml" >>"$STATE/log/deliver.log" 2>&1; then delivered=1; break; fi
  sleep 0.2
done
[ "$delivered" = 1 ] || { echo "bootstrap delivery failed:" >&2; cat "$STATE/log/deliver.log" >&2; exit 1; }

ok=0
for _ in $(seq 1 150); do
  if ! kill -0 "$MASTER_PID" 2>/dev/null; then
    echo "cyrus master exited early; log:" >&2; cat "$STATE/log/master.log" >&2; exit 1
  fi
  code=$(probe_home)
  if [ "$code" = "207" ]; then ok=1; break; fi
  sleep 0.2
done
if [ "$ok" != 1 ]; then
  echo "server did not answer PROPFIND on calendar home with 207 (last code: $code)" >&2
  cat "$STATE/log/master.log" >&2
  exit 1
fi

echo "BASE_URL=$BASE_URL"
echo "PRINCIPAL_URL=$BASE_URL/dav/principals/user/$USER_NAME/"
echo "CALENDAR_HOME_URL=$BASE_URL/dav/calendars/user/$USER_NAME/"
trap - EXIT
