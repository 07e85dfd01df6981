#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine that has the .NET SDK: installs the Debian packages the tests
# drive (Apache ZooKeeper 3.8 with zkCli.sh, its C client, kazoo; prometheus_client, the reference parser of /metrics;
# docker.io, docker-compose and debootstrap for the image and the compose files; Chromium for the dashboard's browser
# test), restores, builds and tests.
#
# Docker: this script decides whether the docker scenarios (tests/Zk.Docker.Tests: the image built offline, both
# compose files brought up) run. If `docker info` fails it starts dockerd itself (as root, in the background, logging
# to /var/log/dockerd.log; it is left running, as the docker.io service would be). When Docker still cannot run it
# prints one line saying that those scenarios are NOT run and why; it never runs them to have them skip. The rest of
# the solution is tested with ZkDockerTests=false (which makes that project no test project), then the docker
# project on its own, which fails, not skips, without a Docker engine.
set -euo pipefail
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
need=()
for p in zookeeper zookeeper-bin python3-kazoo python3-prometheus-client docker.io docker-compose debootstrap chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# Sets docker_unavailable to why Docker cannot run here, or leaves it empty when `docker info` answers.
docker_unavailable=""
dockerd_log=/var/log/dockerd.log
docker_cli=/usr/bin/docker
ensure_docker() {
  if [ ! -x "$docker_cli" ] || ! command -v dockerd >/dev/null 2>&1; then
    docker_unavailable="docker.io is not installed"
    return
  fi
  $docker_cli info >/dev/null 2>&1 && return
  if pgrep -x dockerd >/dev/null 2>&1; then
    docker_unavailable="dockerd runs but '$docker_cli info' fails: $($docker_cli info 2>&1 | tail -n 1)"
    return
  fi
  if [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; then
    docker_unavailable="dockerd is not running and starting it needs root"
    return
  fi
  echo "test.sh: starting dockerd (log: $dockerd_log)"
  local pid
  pid="$($sudo sh -c "setsid dockerd >> '$dockerd_log' 2>&1 < /dev/null & echo \$!")"
  for _ in $(seq 60); do
    $docker_cli info >/dev/null 2>&1 && return
    $sudo kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  $sudo kill "$pid" 2>/dev/null || true
  docker_unavailable="dockerd did not start (its log $dockerd_log ends: $(tail -n 1 "$dockerd_log" 2>/dev/null))"
}
ensure_docker

dotnet build Zk.Actors.sln -c Release -nologo -v quiet
# The simulation runs seeds 1-1,000 and a fresh block of 1,000 (tests/Zk.Simulation/README.md): drawn here so that
# the log says which block this run covered.
export ZK_SIM_EXPLORE=${ZK_SIM_EXPLORE:-$(( ( (RANDOM << 15 | RANDOM) % 2000000 ) * 1000 + 1 ))}
echo "simulation: fresh seeds $ZK_SIM_EXPLORE-$((ZK_SIM_EXPLORE + 999)) (ZK_SIM_EXPLORE=$ZK_SIM_EXPLORE runs them again)"
status=0
# A failing test prints its message, stack and output; passing ones only count.
dotnet test Zk.Actors.sln -c Release --no-build -nologo -v quiet --logger "console;verbosity=minimal" -p:ZkDockerTests=false "$@" || status=$?

if [ -z "$docker_unavailable" ]; then
  started=$(date +%s)
  dotnet test tests/Zk.Docker.Tests/Zk.Docker.Tests.csproj -c Release --no-build -nologo -v quiet \
    --logger "console;verbosity=minimal" "$@" || status=$?
  echo "test.sh: the docker scenarios (tests/Zk.Docker.Tests) took $(( $(date +%s) - started )) s"
else
  echo "test.sh: the docker scenarios (tests/Zk.Docker.Tests) are NOT run: $docker_unavailable"
fi
exit $status
