#!/usr/bin/env bash
# Soaks the deterministic simulation: runs N seeds from FIRST (default: a random block, printed) in batches of
# SOAK_BATCH seeds (default 1000), each batch one `dotnet test` process using every core, SOAK_JOBS batches at a
# time (default 1), and writes DIR/summary.txt: seeds run, throughput, each failing seed with its first violation
# and replay command, and the slowest seeds. DIR is SOAK_DIR, default artifacts/sim-soak-<UTC time>. Per-seed
# lines are in DIR/seeds-*.tsv (seed, ok, wall ms, actor steps, virtual ms, violation), batch output in DIR/batch-*.log.
# Exit status: 0 if every seed passed, 1 if any failed or a batch did not report all its seeds.
#
#   scripts/sim-soak.sh 100000            # 100,000 seeds from a random block
#   scripts/sim-soak.sh 5000 20001        # seeds 20001-25000
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:?usage: scripts/sim-soak.sh N [FIRST_SEED]}
first=${2:-$(( ( (RANDOM << 15 | RANDOM) % 2000000 ) * 1000 + 1 ))}
batch=${SOAK_BATCH:-1000}
jobs=${SOAK_JOBS:-1}
dir=${SOAK_DIR:-artifacts/sim-soak-$(date -u +%Y%m%dT%H%M%SZ)}
last=$((first + n - 1))
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

echo "sim-soak: seeds $first-$last in batches of $batch, $jobs at a time; results in $dir"
dotnet build tests/Zk.Simulation -c Release -nologo -v quiet >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 2; }

run_batch() {
  local from=$1 to=$2
  # The test fails when a seed fails; the per-seed report says which, so its exit status is not needed here.
  ZK_SIM_SEEDS="$from-$to" ZK_SIM_REPORT="$dir/seeds-$from.tsv" \
    dotnet test tests/Zk.Simulation -c Release --no-build -nologo \
      --filter "FullyQualifiedName~RandomizedSimulationTests.Every_seed_keeps_every_invariant_under_faults" \
      >"$dir/batch-$from.log" 2>&1 || true
  echo "  batch $from-$to done: $(wc -l <"$dir/seeds-$from.tsv" 2>/dev/null || echo 0) seeds reported"
}

start=$(date +%s)
for ((from = first; from <= last; from += batch)); do
  to=$((from + batch - 1 < last ? from + batch - 1 : last))
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_batch "$from" "$to" &
done
wait
elapsed=$(($(date +%s) - start))

summary="$dir/summary.txt"
cat "$dir"/seeds-*.tsv 2>/dev/null | sort -n -k1,1 >"$dir/all-seeds.tsv" || true
ran=$(wc -l <"$dir/all-seeds.tsv")
failed=$(awk -F'\t' '$2 == "0"' "$dir/all-seeds.tsv" | wc -l)
{
  echo "sim-soak $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, commit $(git describe --always --dirty 2>/dev/null || echo '?')"
  echo "seeds asked: $first-$last ($n); seeds run: $ran; failed: $failed"
  echo "wall time: ${elapsed} s; throughput: $(awk -v s="$ran" -v t="$elapsed" 'BEGIN { printf "%.0f", (t > 0 ? s * 60 / t : 0) }') seeds/min"
  if ((ran < n)); then
    echo "MISSING: $((n - ran)) seeds did not report (a batch crashed or timed out?): see $dir/batch-*.log"
  fi
  echo
  echo "failures:"
  if ((failed == 0)); then echo "  none"; fi
  awk -F'\t' '$2 == "0" {
    printf "  seed %s: %s\n    replay: ZK_SIM_SEED=%s dotnet test tests/Zk.Simulation -c Release --filter FullyQualifiedName~A_replayed_seed_reports_its_run\n", $1, $6, $1
  }' "$dir/all-seeds.tsv"
  echo
  echo "slowest seeds (wall s, actor steps, virtual ms):"
  sort -t$'\t' -k3,3nr "$dir/all-seeds.tsv" | head -10 |
    awk -F'\t' '{ printf "  seed %s: %.1f s, %s steps, %s virtual ms\n", $1, $3 / 1000, $4, $5 }'
} >"$summary"
cat "$summary"
((failed == 0 && ran >= n))
