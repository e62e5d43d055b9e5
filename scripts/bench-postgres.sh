#!/usr/bin/env bash
# The PostgreSQL sink's rows/s exactly-once (prepared transactions) against at-least-once, and
# against psql's \copy of the same rows into the same table (the server's own limit), with the
# peak memory of each process, on a throw-away server (scripts/postgres.py: fsync off, on
# loopback). Runs each three times, alternating. BENCHMARKS.md has the figures.
#   scripts/bench-postgres.sh [ROWS] [TASKS] [CHECKPOINT_ROWS_PER_TASK]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-1000000}" tasks="${2:-4}" checkpoint_rows="${3:-25000}"
bash scripts/setup.sh >/dev/null
swift build -c release --product sluice-postgres-bench >/dev/null
bench="$(swift build -c release --show-bin-path)/sluice-postgres-bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The server lives as long as this pipe: closing it (or this script dying) stops it and deletes it.
coproc POSTGRES { exec python3 scripts/postgres.py; }
read -r line <&"${POSTGRES[0]}"
url="${line#POSTGRES=}"
echo "PostgreSQL at $url; $rows rows, $tasks tasks, a checkpoint every $checkpoint_rows rows per task"
"$bench" csv "$work/rows.csv" "$rows"
empty() { psql -X -q "$url" -c "CREATE TABLE IF NOT EXISTS bench_rows (id bigint, word text, window_start bigint, count bigint); TRUNCATE bench_rows; CHECKPOINT"; }
peak() { sed -n 's/^peak //p' "$work/time"; }
for run in 1 2 3; do
  for guarantee in exactly-once at-least-once; do
    empty
    /usr/bin/time -f "peak %M" -o "$work/time" "$bench" write "$url" "$guarantee" "$rows" "$tasks" "$checkpoint_rows"
    echo "  run $run, peak memory $(peak) KiB"
  done
  empty
  start=$(date +%s.%N)
  /usr/bin/time -f "peak %M" -o "$work/time" psql -X -q "$url" -c "\\copy bench_rows FROM '$work/rows.csv' CSV"
  end=$(date +%s.%N)
  python3 -c "import sys; r, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print(f'psql \\\\copy: {r} rows in {s:.2f} s = {r / s:.0f} rows/s (one connection)')" "$rows" "$start" "$end"
  echo "  run $run, peak memory $(peak) KiB (psql)"
done
