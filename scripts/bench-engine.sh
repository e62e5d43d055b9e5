#!/usr/bin/env bash
# Engine-only benchmarks (BENCHMARKS.md): release build, one thread.
# Usage: scripts/bench-engine.sh [RECORDS]
#        scripts/bench-engine.sh --keys N --records-per-key-per-window M [--records R] [--runs K]
# The second form runs only the keyed 1 s tumbling count (record i: key i % N, event time
# (i / (N*M)) * 1000 ms) and ends with "tumbling-count keys=N records-per-key-per-window=M records=R: X.XX M rec/s".
set -euo pipefail
cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash scripts/setup.sh --system-only
exec swift run -c release sluice-engine-bench "$@"
