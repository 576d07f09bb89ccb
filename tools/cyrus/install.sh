#!/usr/bin/env bash
# Install the Debian packages start.sh needs, without letting their postinst start daemons.
# cyrus-common's postinst runs `invoke-rc.d cyrus-imapd start` and it depends on an MTA
# (default-mta = exim4-daemon-light, whose postinst runs `invoke-rc.d exim4 start`). With no
# systemd, invoke-rc.d falls back to /etc/init.d and WOULD start a system Cyrus (imap/pop3/
# http on 8008/lmtp) and exim on :25 - unless /usr/sbin/policy-rc.d answers 101 ("denied").
# Docker-style images already ship such a policy-rc.d; if it is missing we install one only for
# the duration of apt-get and remove it again.
set -euo pipefail
PKGS=(cyrus-common cyrus-caldav)

if [ -x /usr/lib/cyrus/bin/httpd ] && [ -x /usr/lib/cyrus/bin/master ] && command -v db5.3_load >/dev/null; then
  exit 0
fi

tmp_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  tmp_policy=1
fi
cleanup() { if [ "$tmp_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${PKGS[@]}" \
  || { apt-get update && apt-get install -y --no-install-recommends "${PKGS[@]}"; }
