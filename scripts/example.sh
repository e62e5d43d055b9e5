#!/usr/bin/env bash
# Runs an example with one command.
#   scripts/example.sh seed-window   the seed job (in-memory elements, no broker)
#   scripts/example.sh word-count    Kafka word count on a Tansu broker started here
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "${1:-}" in
  seed-window)
    bash scripts/setup.sh --system-only
    exec swift run -c release seed-window
    ;;
  word-count)
    bash scripts/setup.sh
    swift build -c release --product word-count
    bin="$(swift build -c release --show-bin-path)/word-count"
    coproc BROKER { exec .venv/bin/python scripts/brokers.py tansu --topic sentences:3 --topic word-counts:3; }
    read -r line <&"${BROKER[0]}"
    bootstrap="${line#BOOTSTRAP=}"
    echo "Tansu at $bootstrap"
    # Tansu needs librdkafka >= 2.12: run on the wheel's 2.16.
    LD_LIBRARY_PATH="$root/.venv/librdkafka-2.16" "$bin" "$bootstrap" sentences word-counts &
    job=$!
    trap 'kill -TERM "$job" 2>/dev/null || true' EXIT
    .venv/bin/python - "$bootstrap" <<'PY'
import sys, time
from confluent_kafka import Producer, Consumer
bootstrap = sys.argv[1]
sentences = [
    "the quick brown fox jumps over the lazy dog",
    "the dog sleeps and the fox runs",
    "a quick brown dog jumps over a lazy fox",
    "the end",
]
producer = Producer({"bootstrap.servers": bootstrap})
base = 1_700_000_000_000
for i, sentence in enumerate(sentences * 3):
    producer.produce("sentences", key=str(i).encode(), value=sentence.encode(), timestamp=base + i * 2_500)
# A late sentence per partition moves every partition's event time past the windows above.
for p in range(3):
    producer.produce("sentences", value=b"tick", partition=p, timestamp=base + 120_000)
producer.flush()
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "word-count-reader", "auto.offset.reset": "earliest"})
consumer.subscribe(["word-counts"])
counts, deadline, quiet = {}, time.time() + 90, None
while time.time() < deadline:
    m = consumer.poll(0.5)
    if m is None or m.error():
        if counts and quiet and time.time() - quiet > 3:
            break
        continue
    word, start, count = m.value().decode().split("\t")
    counts[(int(start), word)] = int(count)
    quiet = time.time()
consumer.close()
for (start, word), count in sorted(counts.items()):
    print(f"window [{(start - base) // 1000:>3} s, {(start - base) // 1000 + 10:>3} s)  {word:<6} {count}")
print(f"{len(counts)} window counts")
PY
    ;;
  *)
    echo "usage: scripts/example.sh seed-window|word-count" >&2
    exit 2
    ;;
esac
