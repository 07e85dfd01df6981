#!/usr/bin/env bash
# ZkActors container entry point. Takes the official ZooKeeper image's variables (ZOO_MY_ID, ZOO_SERVERS, ZOO_TICK_TIME,
# ZOO_INIT_LIMIT, ZOO_SYNC_LIMIT, ZOO_4LW_COMMANDS_WHITELIST, ZOO_MAX_CLIENT_CNXNS, ZOO_STANDALONE_ENABLED,
# ZOO_ADMINSERVER_ENABLED, ZOO_AUTOPURGE_*, ZOO_CFG_EXTRA, ZOO_CONF_DIR, ZOO_DATA_DIR, ZOO_DATA_LOG_DIR), writes
# $ZOO_CONF_DIR/zoo.cfg (unless one exists) and $ZOO_DATA_DIR/myid (unless one exists), then runs its arguments.
# ZkActors binds loopback when no address is given, so the client and admin addresses are written explicitly
# (0.0.0.0 in a container; ZOO_CLIENT_PORT_ADDRESS / ZOO_ADMIN_SERVER_ADDRESS change them). Runs without Docker too:
# `ZOO_CONF_DIR=/tmp/x ZOO_DATA_DIR=/tmp/x/data docker/docker-entrypoint.sh true` only generates the files.
set -euo pipefail

: "${ZOO_CONF_DIR:=/conf}"
: "${ZOO_DATA_DIR:=/data}"
: "${ZOO_DATA_LOG_DIR:=/datalog}"
: "${ZOO_TICK_TIME:=2000}"
: "${ZOO_INIT_LIMIT:=5}"
: "${ZOO_SYNC_LIMIT:=2}"
: "${ZOO_AUTOPURGE_PURGEINTERVAL:=0}"
: "${ZOO_AUTOPURGE_SNAPRETAINCOUNT:=3}"
: "${ZOO_MAX_CLIENT_CNXNS:=60}"
: "${ZOO_STANDALONE_ENABLED:=true}"
: "${ZOO_ADMINSERVER_ENABLED:=true}"
: "${ZOO_MY_ID:=1}"
: "${ZOO_CLIENT_PORT:=2181}"
: "${ZOO_CLIENT_PORT_ADDRESS:=0.0.0.0}"
: "${ZOO_ADMIN_SERVER_ADDRESS:=0.0.0.0}"
: "${ZOO_ADMIN_SERVER_PORT:=8080}"
: "${ZOO_SERVERS:=server.1=localhost:2888:3888;2181}"
: "${ZOO_WAIT_FOR_HOSTS_SECONDS:=60}"

CONFIG="$ZOO_CONF_DIR/zoo.cfg"

# "server.N=host:q:e[:role][;[address:]port]" with the client address made explicit: ZooKeeper binds every
# address when a server line names none; ZkActors would bind loopback, so the container's address is written in.
rewrite_server() {
  local entry="$1" head client
  if [[ "$entry" != *";"* ]]; then
    echo "$entry"
    return
  fi
  head="${entry%%;*}"
  client="${entry#*;}"
  if [[ "$client" =~ ^[0-9]+$ ]]; then
    client="$ZOO_CLIENT_PORT_ADDRESS:$client"
  fi
  echo "$head;$client"
}

# This server's client port: the one after ';' in its own server line, else ZOO_CLIENT_PORT.
own_client_port() {
  local server client
  for server in $ZOO_SERVERS; do
    if [[ "$server" == "server.$ZOO_MY_ID="*";"* ]]; then
      client="${server#*;}"
      echo "${client##*:}"
      return
    fi
  done
  echo "$ZOO_CLIENT_PORT"
}

generate_config() {
  mkdir -p "$ZOO_CONF_DIR"
  local client_port
  client_port="$(own_client_port)"
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
    echo "admin.serverAddress=$ZOO_ADMIN_SERVER_ADDRESS"
    echo "admin.serverPort=$ZOO_ADMIN_SERVER_PORT"
    echo "clientPort=$client_port"
    echo "clientPortAddress=$ZOO_CLIENT_PORT_ADDRESS"
    if [[ -n "${ZOO_SECURE_CLIENT_PORT:-}" ]]; then
      echo "secureClientPort=$ZOO_SECURE_CLIENT_PORT"
      echo "secureClientPortAddress=$ZOO_CLIENT_PORT_ADDRESS"
    fi
    local server
    for server in $ZOO_SERVERS; do
      rewrite_server "$server"
    done
    # The image's health check asks srvr, which answers with a mode only while the member serves; ruok is allowed too.
    echo "4lw.commands.whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-srvr,ruok}"
    local extra
    for extra in ${ZOO_CFG_EXTRA:-}; do
      echo "$extra"
    done
  } > "$CONFIG"
}

# Peers' names resolve only once their containers exist; wait for them (bounded) rather than fail and restart.
wait_for_hosts() {
  local server host deadline
  deadline=$(( $(date +%s) + ZOO_WAIT_FOR_HOSTS_SECONDS ))
  for server in $ZOO_SERVERS; do
    host="${server#*=}"
    host="${host%%:*}"
    [[ "$host" =~ ^[0-9.]+$ || "$host" == *"["* || "$host" == "localhost" ]] && continue
    until getent hosts "$host" > /dev/null; do
      if (( $(date +%s) >= deadline )); then
        echo "docker-entrypoint: $host does not resolve after ${ZOO_WAIT_FOR_HOSTS_SECONDS}s; starting anyway" >&2
        break
      fi
      sleep 1
    done
  done
}

if [[ ! -f "$CONFIG" ]]; then
  generate_config
fi
mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR"
if [[ ! -f "$ZOO_DATA_DIR/myid" ]]; then
  echo "$ZOO_MY_ID" > "$ZOO_DATA_DIR/myid"
fi
if [[ $# -eq 0 ]]; then
  set -- zkactors "$CONFIG"
fi
if [[ "$1" == "zkactors" ]]; then
  # Until the exec below, this shell is PID 1, which ignores a signal it has no handler for, and bash runs a trap
  # only once the foreground command ends (a name lookup can take seconds). So the wait runs in the background and
  # the shell waits for it: `docker stop` during the wait ends the container at once instead of after 10 s.
  trap 'exit 143' TERM
  trap 'exit 130' INT
  wait_for_hosts &
  wait "$!"
  trap - TERM INT
fi
# exec: the server replaces this shell and becomes PID 1, so `docker stop`'s SIGTERM reaches it.
exec "$@"
