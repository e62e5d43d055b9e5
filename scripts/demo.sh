#!/usr/bin/env bash
# README command 1: install what the demo needs, then run it on an embedded broker.
set -euo pipefail
cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash scripts/setup.sh --system-only
exec swift run -c release sluice "$@"
