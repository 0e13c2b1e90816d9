#!/usr/bin/env bash
# Runs every Google Benchmark binary in BUILD_DIR/bench three times and prints the medians.
# Usage: scripts/bench.sh [BUILD_DIR] [FILTER]   (results also saved as JSON in BUILD_DIR/bench-results)
set -euo pipefail
build_dir=${1:-build-bench}
filter=${2:-.}
out_dir="$build_dir/bench-results"
mkdir -p "$out_dir"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); date: $(date -u +%Y-%m-%d)"
for bin in "$build_dir"/bench/*_bench; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin")
  echo "== $name"
  "$bin" --benchmark_filter="$filter" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_display_aggregates_only=true \
    --benchmark_out="$out_dir/$name.json" --benchmark_out_format=json 2>&1 | grep -E "_median|^-|Benchmark"
done
