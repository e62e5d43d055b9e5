#!/usr/bin/env bash
# Exactly-once against at-least-once, checkpoint durations and end-to-end latency on Tansu
# (BENCHMARKS.md). Usage: scripts/bench-exactly-once.sh [RECORDS] [LATENCY_SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >/dev/null
swift build -c release --product sluice-eos-bench >/dev/null
bindir="$(swift build -c release --show-bin-path)"
# The broker lives as long as this pipe: closing it (or this script dying) stops it.
coproc BROKER { exec .venv/bin/python scripts/brokers.py tansu; }
read -r line <&"${BROKER[0]}"
bootstrap="${line#BOOTSTRAP=}"
export LD_LIBRARY_PATH="$root/.venv/librdkafka-2.16${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$bindir/sluice-eos-bench" "$bootstrap" "${1:-500000}" "${2:-20}" 2> >(grep -v "rdkafka" >&2)
