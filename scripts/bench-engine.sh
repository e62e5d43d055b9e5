#!/usr/bin/env bash
# Engine-only benchmarks (BENCHMARKS.md): release build, one thread. Usage: scripts/bench-engine.sh [RECORDS]
set -euo pipefail
cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash scripts/setup.sh --system-only
exec swift run -c release sluice-engine-bench "$@"
