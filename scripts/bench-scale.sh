#!/usr/bin/env bash
# make bench-scale: how Perfi's cost grows with the size of the code (a
# benchmark, not a test: compare runs on the same machine, ratios within
# one run). Generated inputs and the kernel tree live in the user's cache
# folder, never in the repository:
#   - a file of 4,000 one-loop functions;
#   - a small file next to a generated 5 MB file of ~60,000 small
#     functions (the small file calls one of them);
#   - the 5 MB file itself;
#   - folders of linux-source-6.1 (extracted by the Makefile target), with
#     the include flags a user would give (compile_commands.json written
#     into the extracted copy, which is the benchmark's own).
# Prints one markdown table row per case (docs/scale.md keeps them).
#
# Then the editor (lsp-server/examples/bench_scale_lsp.rs): the real
# server rooted at a kernel folder, a file opened while indexing runs
# (time to first interface), and a second start over the same disk cache.
#
# PERFI=path/to/perfi compares another build; BENCH_SCALE_TIMEOUT (s, per
# run, default 300); BENCH_SCALE_KERNEL_DIRS (default "net/ipv4 lib");
# BENCH_SCALE_LSP ("folder:file ...", default
# "net/ipv4/netfilter:nf_reject_ipv4.c net/ipv4:tcp_cong.c"; empty
# skips the editor rows); PERFI_INDEX_NICE reaches the server (indexing
# runs at nice 19 unless set: on a machine shared with other users'
# compilers, 0, or indexing waits for them).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${PERFI:-./target/release/perfi}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/perfi
WORK=$CACHE/bench-scale
KERNEL=$CACHE/linux-source-6.1
TIMEOUT=${BENCH_SCALE_TIMEOUT:-300}
DIRS=${BENCH_SCALE_KERNEL_DIRS:-net/ipv4 lib}
mkdir -p "$WORK/f4000" "$WORK/big"

machine="$(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
today=$(date -u +%Y-%m-%d)
echo "machine: $machine; load average: $(cut -d' ' -f1-3 /proc/loadavg); binary: $BIN (tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?'); PERFI= overrides the binary)"

python3 - "$WORK" <<'EOF'
import os, sys
work = sys.argv[1]
p = os.path.join(work, "f4000", "f4000.c")
if not os.path.exists(p):
    with open(p, "w") as f:
        for i in range(4000):
            f.write(f"int loop{i}(int *a, int n)\n{{\n    int s = 0;\n    for (int i = 0; i < n; i++)\n        s += a[i] * {i % 7 + 1};\n    return s;\n}}\n\n")
p = os.path.join(work, "big", "generated.c")
if not os.path.exists(p):
    with open(p, "w") as f:
        f.write("/* generated: ~60,000 small functions */\n")
        k = 0
        while f.tell() < 5_000_000:
            f.write(f"int gen_{k}(int x, int y)\n{{\n    if (x > {k % 97})\n        return x + y * {k % 13};\n    return y - {k % 31};\n}}\n\n")
            k += 1
p = os.path.join(work, "big", "small.c")
if not os.path.exists(p):
    with open(p, "w") as f:
        f.write("int gen_7(int x, int y);\n\nint small_sum(const int *p, int n)\n{\n    int s = 0;\n    for (int i = 0; i < n; i++)\n        s += p[i];\n    return s + gen_7(n, s);\n}\n\nint small_twice(int x)\n{\n    return x * 2;\n}\n")
EOF

echo
echo "| date | case | files | functions | wall s | CPU s | functions/s (wall) | files/s | peak RSS MB | status |"
echo "|---|---|---|---|---|---|---|---|---|---|"

# run NAME ARGS...: perfi analyze under /usr/bin/time, with a timeout.
run() {
    local name=$1
    shift
    local out time
    out=$(mktemp)
    time=$(mktemp)
    local start end status=ok
    start=$(date +%s%N)
    /usr/bin/time -v -o "$time" timeout "$TIMEOUT" "$BIN" analyze "$@" > "$out" 2> "$out.err"
    local rc=$?
    end=$(date +%s%N)
    if [ $rc = 124 ] || grep -q 'Command terminated by signal' "$time"; then status="timeout after ${TIMEOUT} s (counts: printed so far)"; elif [ $rc != 0 ]; then status="exit $rc: $(head -c 120 "$out.err" | tr '\n|' ' /')"; fi
    local wall cpu rss fns files
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$time")
    rss=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$time")
    fns=$(grep -cE '^[A-Za-z_][A-Za-z0-9_]*  .*:[0-9]+-[0-9]+  ' "$out" || true)
    files=$(grep -oE '^[A-Za-z_][A-Za-z0-9_]*  [^ ]+:[0-9]+-[0-9]+  ' "$out" | sed -E 's/^[^ ]+  ([^ ]+):[0-9]+-[0-9]+  $/\1/' | sort -u | wc -l)
    local fps=0 filps=0
    fps=$(awk -v n="$fns" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", n / w; else print 0 }')
    filps=$(awk -v n="$files" -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", n / w; else print 0 }')
    echo "| $today | $name | $files | $fns | $wall | $cpu | $fps | $filps | $rss | $status |"
    rm -f "$out" "$out.err" "$time"
}

run "4,000 one-loop functions (one file)" "$WORK/f4000/f4000.c"
# The same without the compile (gcc -O2 alone needs ~18 s of CPU for this
# file, past the 10 s limit of the default --cost-source auto).
run "4,000 one-loop functions, --cost-source model" "$WORK/f4000/f4000.c" --cost-source model
run "small file next to the 5 MB file" "$WORK/big/small.c"
run "the 5 MB file (~60,000 functions)" "$WORK/big/generated.c"

if [ -d "$KERNEL" ]; then
    # The flags a user would give for x86-64 (those folders that exist in
    # the package: it has no generated headers).
    flags=()
    for d in arch/x86/include arch/x86/include/generated include arch/x86/include/uapi arch/x86/include/generated/uapi include/uapi include/generated/uapi; do
        [ -d "$KERNEL/$d" ] && flags+=("\"-I$d\"")
    done
    args=$(IFS=,; echo "${flags[*]}")
    printf '[{"directory": "%s", "arguments": ["cc", %s, "-D__KERNEL__", "-c", "bench-scale-all-files.c"], "file": "bench-scale-all-files.c"}]\n' "$KERNEL" "$args" > "$KERNEL/compile_commands.json"
    for d in $DIRS; do
        if [ -d "$KERNEL/$d" ]; then
            run "linux-6.1 $d/ ($(find "$KERNEL/$d" -name '*.c' | wc -l) .c files)" "$KERNEL/$d"
        fi
    done
else
    echo "(no kernel tree at $KERNEL: make bench-scale extracts it)"
fi

echo
echo "Editor: perfi lsp rooted at the folder, one file opened while indexing runs, then a second start with the disk cache warm (bench_scale_lsp)."
LSP_BENCH=./target/release/examples/bench_scale_lsp
if [ ! -x "$LSP_BENCH" ]; then
    echo "(no $LSP_BENCH: make bench-scale builds it)"
elif [ -d "$KERNEL" ]; then
    for spec in ${BENCH_SCALE_LSP-net/ipv4/netfilter:nf_reject_ipv4.c net/ipv4:tcp_cong.c}; do
        d=${spec%%:*}
        f=${spec#*:}
        [ -f "$KERNEL/$d/$f" ] || { echo "(no $KERNEL/$d/$f)"; continue; }
        PERFI_BIN=$(realpath "$BIN") BENCH_SCALE_LSP_TIMEOUT=$((TIMEOUT * 6)) "$LSP_BENCH" "$KERNEL/$d" "$KERNEL/$d/$f" "linux-6.1 $d/ ($(find "$KERNEL/$d" -name '*.c' | wc -l) .c files)"
    done
fi
