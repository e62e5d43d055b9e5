#!/usr/bin/env bash
# The file sink exactly-once against at-least-once on Tansu, and each run's peak memory
# (BENCHMARKS.md): a Kafka -> files job over one input topic, each guarantee in a process of its
# own, twice each, alternating. Usage: scripts/bench-file-sink.sh [RECORDS] [RECORD_BYTES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
records="${1:-1000000}"
size="${2:-100}"
bash scripts/setup.sh >/dev/null
swift build -c release --product sluice-file-bench >/dev/null
bindir="$(swift build -c release --show-bin-path)"
# The broker lives as long as this pipe: closing it (or this script dying) stops it.
coproc BROKER { exec .venv/bin/python scripts/brokers.py tansu; }
read -r line <&"${BROKER[0]}"
bootstrap="${line#BOOTSTRAP=}"
export LD_LIBRARY_PATH="$root/.venv/librdkafka-2.16${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
topic="file-bench-$$"
"$bindir/sluice-file-bench" fill "$bootstrap" "$topic" "$records" "$size" 2> >(grep -v "rdkafka" >&2)
for round in 1 2; do
  for guarantee in exactly-once at-least-once; do
    "$bindir/sluice-file-bench" run "$bootstrap" "$guarantee" "$topic" "$records" "$work/$guarantee-$round" 2> >(grep -v "rdkafka" >&2)
    rm -rf "${work:?}/$guarantee-$round"
  done
done
