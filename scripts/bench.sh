#!/usr/bin/env bash
# make bench: analyze all of test-workspaces/ with the release binary under
# batch budgets; report wall time, peak memory and statuses. A benchmark,
# not a test: compare runs on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./target/release/perfi
OUT=$(mktemp)
echo "machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
start=$(date +%s%N)
/usr/bin/time -f "%M" -o "$OUT.rss" "$BIN" analyze test-workspaces/ > "$OUT"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
functions=$(grep -cE '^[A-Za-z_][A-Za-z0-9_]*  .*:[0-9]+-[0-9]+  ' "$OUT" || true)
complete=$(grep -cE '^[A-Za-z_][A-Za-z0-9_]*  .*  complete · ' "$OUT" || true)
partial=$(grep -cE '^[A-Za-z_][A-Za-z0-9_]*  .*  partial' "$OUT" || true)
echo "perfi analyze test-workspaces/: ${ms} ms wall, peak RSS $(cat "$OUT.rss") KiB"
echo "functions: ${functions} (complete ${complete}, partial ${partial})"
echo "slowest functions (ms):"
grep -oE '^[A-Za-z_][A-Za-z0-9_]*  .* · [0-9.]+ ms' "$OUT" | sed -E 's/^([A-Za-z_0-9]+) .* · ([0-9.]+) ms/\2 \1/' | sort -rn | head -8 | sed 's/^/  /'
rm -f "$OUT" "$OUT.rss"
