#!/usr/bin/env bash
# Container health check: the server answers the ruok four-letter word with imok on its client port.
# Uses bash's /dev/tcp, so the runtime image needs no nc or curl.
set -euo pipefail
port="${1:-${ZOO_CLIENT_PORT:-2181}}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'ruok' >&3
reply=""
read -r -t 5 -n 4 reply <&3 || true
exec 3>&-
[[ "$reply" == "imok" ]]
