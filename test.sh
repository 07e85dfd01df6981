#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine that has the .NET SDK: installs the Debian packages the tests
# drive (Apache ZooKeeper 3.8 with zkCli.sh, its C client, kazoo; prometheus_client, the reference parser of /metrics;
# docker-compose to validate the compose files; Chromium for the dashboard's browser test), restores, builds and tests.
set -euo pipefail
cd "$(dirname "$0")"

need=()
for p in zookeeper zookeeper-bin python3-kazoo python3-prometheus-client docker-compose chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

dotnet build Zk.Actors.sln -c Release -nologo -v quiet
# A failing test prints its message, stack and output; passing ones only count.
dotnet test Zk.Actors.sln -c Release --no-build -nologo -v quiet --logger "console;verbosity=minimal" "$@"
