#!/usr/bin/env bash
# Builds the zkactors image without a registry, the way the docker tests do (tests/Zk.Docker.Tests runs this script):
#   1. a Debian base image: `debootstrap --variant=minbase` of bookworm from the Debian mirror (plus libssl3 and
#      ca-certificates for TLS), imported with `docker import`; kept under its tag and reused unless --rebuild-base;
#   2. at the same time, a self-contained `dotnet publish -r linux-x64` of src/Zk.Host into artifacts/docker/publish
#      (its own bin/obj under artifacts/docker/build, so a concurrent build of the solution is not disturbed);
#   3. `docker build` of the repository's Dockerfile with that base as both base images and the publish copied in.
# Needs root (or sudo) for debootstrap, a running dockerd, the .NET SDK, and debootstrap (apt-get install debootstrap).
#
#   scripts/docker-image.sh                                   # zkactors:latest on zkactors-base:bookworm
#   scripts/docker-image.sh --tag zkactors:dev --base-tag my-base:1 --rebuild-base
#
# Environment: DOCKER (the docker CLI, default `docker`), DOTNET (default `dotnet`), DEBIAN_MIRROR (default
# http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="zkactors:latest"
base_tag="zkactors-base:bookworm"
rebuild_base=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --base-tag) base_tag="$2"; shift 2 ;;
    --rebuild-base) rebuild_base=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "docker-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

case "${tag##*/}" in *:*) ;; *) tag="$tag:latest" ;; esac
stage_tag="${tag%:*}-build-stage:${tag##*:}"
docker="${DOCKER:-docker}"
dotnet="${DOTNET:-dotnet}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
publish_dir="artifacts/docker/publish"
started=$(date +%s)
say() { echo "docker-image.sh [$(( $(date +%s) - started ))s]: $*"; }

"$docker" info > /dev/null 2>&1 || { echo "docker-image.sh: the docker daemon does not answer ($docker info failed)" >&2; exit 1; }

# Step 1, in the background: the base image. minbase has bash, coreutils, getent and useradd, which the entry point,
# the health check and the Dockerfile use; .NET needs libc, libstdc++ and zlib from it, and libssl3 for TLS. No libicu:
# the server runs with InvariantGlobalization (Directory.Build.props).
base_pid=""
base_log=""
if [ "$rebuild_base" -eq 1 ] || ! "$docker" image inspect "$base_tag" > /dev/null 2>&1; then
  base_log="$(mktemp -t zkactors-debootstrap.XXXXXX.log)"
  say "making the base image $base_tag with debootstrap (log: $base_log)"
  (
    set -euo pipefail
    rootfs="$(mktemp -d -t zkactors-rootfs.XXXXXX)"
    trap '$sudo rm -rf "$rootfs"' EXIT
    $sudo debootstrap --variant=minbase --include=libssl3,ca-certificates bookworm "$rootfs" "$mirror"
    # The downloaded .debs and package lists are of no use in the image.
    $sudo find "$rootfs/var/cache/apt/archives" "$rootfs/var/lib/apt/lists" -type f -delete
    $sudo tar -C "$rootfs" -c . | "$docker" import - "$base_tag"
  ) > "$base_log" 2>&1 &
  base_pid=$!
else
  say "reusing the base image $base_tag (--rebuild-base makes it again)"
fi

# Step 2: the self-contained server. Analyzers already ran in the regular build; the image build skips them.
say "publishing src/Zk.Host self-contained for linux-x64 into $publish_dir"
rm -rf "$publish_dir"
if ! "$dotnet" publish src/Zk.Host/Zk.Host.csproj -c Release -r linux-x64 --self-contained -o "$publish_dir" \
    --artifacts-path artifacts/docker/build -p:RunAnalyzers=false -p:EnforceCodeStyleInBuild=false -nologo -v quiet; then
  [ -n "$base_pid" ] && kill "$base_pid" 2> /dev/null
  echo "docker-image.sh: dotnet publish failed" >&2
  exit 1
fi

if [ -n "$base_pid" ]; then
  if ! wait "$base_pid"; then
    echo "docker-image.sh: making the base image failed; the end of $base_log:" >&2
    tail -n 20 "$base_log" >&2
    exit 1
  fi
  rm -f "$base_log"
  say "base image $base_tag made"
fi

# Step 3: the same Dockerfile users build, on the local base, with the publish copied in instead of made there. The
# classic builder would leave the build stage behind as an untagged image; building that stage first under a name of
# its own lets it be removed by that name (the full build reuses it from the cache).
say "building $tag"
args=(--build-arg SDK_IMAGE="$base_tag" --build-arg RUNTIME_IMAGE="$base_tag" --build-arg PUBLISHED="$publish_dir")
"$docker" build --quiet --target build -t "$stage_tag" "${args[@]}" . > /dev/null
trap '"$docker" rmi "$stage_tag" > /dev/null 2>&1 || true' EXIT
"$docker" build --quiet -t "$tag" "${args[@]}" . > /dev/null
say "built $tag"
