#!/usr/bin/env bash
# Side-by-side benchmark of Apache ZooKeeper 3.8 and ZkActors on this machine (forceSync=yes, loopback): standalone
# servers by default; `--ensemble 3` runs 3-node ensembles plus the leader fail-over rounds instead, and
# `--modes standalone,ensemble` both. Installs Debian's zookeeper if missing, builds Release, then runs
# `zkbench compare` with any arguments given here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg -s zookeeper >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends zookeeper
fi
command -v java >/dev/null || { echo "bench-compare: java is missing (it comes with Debian's zookeeper package)" >&2; exit 2; }

dotnet build src/Zk.Host -c Release -nologo -v quiet
dotnet build src/Zk.Bench -c Release -nologo -v quiet

exec dotnet src/Zk.Bench/bin/Release/net10.0/zkbench.dll compare \
  --zkactors-dll src/Zk.Host/bin/Release/net10.0/zkactors.dll "$@"
