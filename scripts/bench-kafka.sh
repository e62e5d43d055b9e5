#!/usr/bin/env bash
# RdKafka vs kcat, and a Sluice Kafka -> Kafka map job (at-least-once and exactly-once) vs a kcat
# pipe with the job consumer's fetch settings, on Tansu (BENCHMARKS.md).
# Usage: scripts/bench-kafka.sh [RECORDS] [ROUNDS] [all|job]     job: only the map job part
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >/dev/null
swift build -c release --product sluice-kafka-bench >/dev/null
bindir="$(swift build -c release --show-bin-path)"
# The broker lives as long as this pipe: closing it (or this script dying) stops it.
coproc BROKER { exec .venv/bin/python scripts/brokers.py tansu; }
read -r line <&"${BROKER[0]}"
bootstrap="${line#BOOTSTRAP=}"
export LD_LIBRARY_PATH="$root/.venv/librdkafka-2.16${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$bindir/sluice-kafka-bench" "$bootstrap" "${1:-500000}" "${2:-3}" "${3:-all}"
