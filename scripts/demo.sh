#!/usr/bin/env bash
# README command 1: install what the demo needs (librdkafka, kcat, and in .venv the Tansu
# broker and librdkafka 2.16), then run it: `sluice demo`, on a Tansu broker it starts itself.
set -euo pipefail
cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash scripts/setup.sh
exec swift run -c release sluice demo "$@"
