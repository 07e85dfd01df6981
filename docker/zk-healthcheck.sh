#!/usr/bin/env bash
# Container health check: healthy only while the server serves clients, i.e. while `srvr` on its client port reports
# a mode (leader, follower, observer, standalone). A member without a quorum answers "not currently serving", and
# `ruok` would say imok even then, so it is not used. Uses bash's /dev/tcp: the image needs no nc or curl.
# Needs srvr in 4lw.commands.whitelist (the entry point's default, srvr,ruok).
set -uo pipefail
port="${1:-${ZOO_CLIENT_PORT:-2181}}"
if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  echo "nothing listens on 127.0.0.1:$port"
  exit 1
fi
printf 'srvr' >&3
reply="$(timeout 3 cat <&3)"
exec 3>&-
mode="$(sed -n 's/^Mode: //p' <<< "$reply")"
if [[ -n "$mode" ]]; then
  echo "serving as $mode"
  exit 0
fi
echo "not serving: ${reply:-no answer to srvr}"
exit 1
