#!/usr/bin/env bash
# README command 2: install what is missing, then build and run every test, unit and
# broker-backed. Broker-backed tests start their own brokers through scripts/brokers.py.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
swift build --build-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# XCTest only: every test here is an XCTestCase. Child test processes (re-runs on
# librdkafka 2.16) print their lines prefixed with "    |", so they are not counted twice.
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" || status=$?
passed=$(grep -cE "^Test Case '.*' passed" "$log" || true)
failed=$(grep -cE "^Test Case '.*' failed" "$log" || true)
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: no test ran (swift test exited $status)"
  exit 1
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
echo "$passed passed, $failed failed"
exit "$status"
