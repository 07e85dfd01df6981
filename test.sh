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
# The simulation runs seeds 1-1,000 and a fresh block of 1,000 (tests/Zk.Simulation/README.md): drawn here so that
# the log says which block this run covered.
export ZK_SIM_EXPLORE=${ZK_SIM_EXPLORE:-$(( ( (RANDOM << 15 | RANDOM) % 2000000 ) * 1000 + 1 ))}
echo "simulation: fresh seeds $ZK_SIM_EXPLORE-$((ZK_SIM_EXPLORE + 999)) (ZK_SIM_EXPLORE=$ZK_SIM_EXPLORE runs them again)"
# A failing test prints its message, stack and output; passing ones only count.
dotnet test Zk.Actors.sln -c Release --no-build -nologo -v quiet --logger "console;verbosity=minimal" "$@"
