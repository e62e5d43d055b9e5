#!/usr/bin/env bash
# Runs an example with one command.
#   scripts/example.sh seed-window    the seed job (in-memory elements, no broker)
#   scripts/example.sh word-count     Kafka word count on a Tansu broker started here
#   scripts/example.sh order-totals   per-customer order totals, then a replay from a time
#   scripts/example.sh dead-letters   malformed readings go to a dead-letter topic
#   scripts/example.sh kafka-to-postgres  the word count into a PostgreSQL table, exactly once
#   scripts/example.sh kafka-to-files word counts from Kafka into part files under a directory
# The Kafka examples run on the job command (`<example> run --bootstrap …`), on librdkafka
# 2.16 (Tansu needs >= 2.12), and read their output as a read_committed consumer would
# (scripts/verify.py).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
example="${1:-}"

# Starts Tansu with the given --topic NAME:PARTITIONS arguments; sets $bootstrap.
start_tansu() {
  coproc BROKER { exec .venv/bin/python scripts/brokers.py tansu "$@"; }
  local line
  read -r line <&"${BROKER[0]}"
  bootstrap="${line#BOOTSTRAP=}"
  echo "Tansu at $bootstrap"
}

# Builds the example; sets $bin.
build() {
  swift build -c release --product "$example"
  bin="$(swift build -c release --show-bin-path)/$example"
}

# Runs `$example run` against Tansu with the given extra arguments.
run_job() {
  echo "\$ $example run --bootstrap $bootstrap $*"
  LD_LIBRARY_PATH="$root/.venv/librdkafka-2.16" "$bin" run --bootstrap "$bootstrap" --checkpoint-interval 500ms \
    --property session.timeout.ms=6000 --property max.poll.interval.ms=10000 --property heartbeat.interval.ms=500 "$@"
}

# Starts a throw-away PostgreSQL server (scripts/postgres.py); sets $postgres to its URL. Its
# stdin is a descriptor of this script (bash runs one coproc at a time: Tansu's), so it stops,
# and its files go, when this script exits.
start_postgres() {
  local fifo
  fifo="$(mktemp -u)"
  mkfifo "$fifo"
  exec {postgres_input}> >(exec python3 scripts/postgres.py >"$fifo")
  local line
  read -r line <"$fifo"
  rm -f "$fifo"
  postgres="${line#POSTGRES=}"
  echo "PostgreSQL at $postgres"
}

# Prints the read_committed records of topic $1 as JSON lines (partition, offset, key, value).
committed() {
  .venv/bin/python scripts/verify.py --broker tansu --bootstrap "$bootstrap" --topic "$1" --timeout 10 ${2:+--expect "$2"} \
    | grep -v '"count"'
}

# Tansu 0.6 reports as high watermark the start of a partition's last record batch, and
# `--until end` stops there: the producers below write every record as a batch of its own.
case "$example" in
  seed-window)
    bash scripts/setup.sh --system-only
    exec swift run -c release seed-window
    ;;
  word-count)
    bash scripts/setup.sh
    build
    start_tansu --topic sentences:3 --topic word-counts:3
    .venv/bin/python - "$bootstrap" <<'PY'
import sys
from confluent_kafka import Producer
producer = Producer({"bootstrap.servers": sys.argv[1], "batch.num.messages": 1})
sentences = ["the quick brown fox jumps over the lazy dog", "the dog sleeps and the fox runs",
             "a quick brown dog jumps over a lazy fox", "the end"]
base = 1_700_000_000_000
for i, sentence in enumerate(sentences * 3):
    producer.produce("sentences", key=str(i).encode(), value=sentence.encode(), timestamp=base + i * 2_500)
producer.flush()
print(f"wrote {len(sentences) * 3} sentences, 2.5 s of event time apart")
PY
    run_job --until end
    committed word-counts | .venv/bin/python -c '
import json, sys
base = 1_700_000_000_000
rows = sorted((int(s), w, int(c)) for w, s, c in (json.loads(l)["value"].split("\t") for l in sys.stdin))
for start, word, count in rows:
    print(f"window [{(start - base) // 1000:>3} s, {(start - base) // 1000 + 10:>3} s)  {word:<6} {count}")
print(f"{len(rows)} window counts")'
    ;;
  order-totals)
    bash scripts/setup.sh
    build
    start_tansu --topic orders:3 --topic order-totals:3
    .venv/bin/python - "$bootstrap" <<'PY'
import json, sys
from confluent_kafka import Producer
producer = Producer({"bootstrap.servers": sys.argv[1], "batch.num.messages": 1})
base = 1_700_000_000_000
for i in range(40):
    order = {"order": f"o-{i}", "customer": f"c{i * 7 % 4}", "amount": (i % 5) * 2.5 + 1.25, "ts": base + i * 1_000}
    producer.produce("orders", partition=i % 3, key=order["order"].encode(), value=json.dumps(order).encode(),
                     timestamp=order["ts"])
producer.flush()
print("wrote 40 orders of 4 customers, one a second from 2023-11-14T22:13:20Z")
PY
    show_totals='
import json, sys
seen = set(sys.argv[1].split()) if len(sys.argv) > 1 else set()
rows = []
for line in sys.stdin:
    r = json.loads(line)
    if "%d@%d" % (r["partition"], r["offset"]) in seen: continue
    t = json.loads(r["value"])
    rows.append((t["windowStart"], t["customer"], t["total"], t["count"]))
base = 1_700_000_000_000
for start, customer, total, count in sorted(rows):
    print(f"window [{(start - base) // 1000:>2} s, {(start - base) // 1000 + 10:>2} s)  {customer}  {count} orders  {total:7.2f}")
print(f"{len(rows)} totals")'
    run_job --until end
    first="$(committed order-totals)"
    echo "$first" | .venv/bin/python -c "$show_totals"
    seen="$(echo "$first" | .venv/bin/python -c 'import json,sys; print(" ".join("%d@%d" % (r["partition"], r["offset"]) for r in map(json.loads, sys.stdin)))')"
    echo
    echo "Replay from 20 s on: the group's offsets move to the first order at or after that time, state starts empty."
    if ! run_job --from 2023-11-14T22:13:40Z --until end; then
      echo "the replay did not run (see the line above)" >&2
      exit 1
    fi
    echo "Totals the replay wrote (the windows from 20 s on, again):"
    committed order-totals | .venv/bin/python -c "$show_totals" "$seen"
    ;;
  dead-letters)
    bash scripts/setup.sh
    build
    start_tansu --topic readings:2 --topic fahrenheit:2 --topic readings-dlq:1
    .venv/bin/python - "$bootstrap" <<'PY'
import sys
from confluent_kafka import Producer
producer = Producer({"bootstrap.servers": sys.argv[1], "batch.num.messages": 1})
good = [f'{{"sensor":"s{i % 3}","celsius":{i * 2.5}}}' for i in range(12)]
bad = ["{not json", '{"sensor":"s7"}', '{"sensor":"s1","celsius":"warm"}']
for i, value in enumerate(good[:4] + [bad[0]] + good[4:8] + [bad[1]] + good[8:] + [bad[2]]):
    producer.produce("readings", partition=i % 2, key=f"r{i}".encode(), value=value.encode(), headers=[("origin", b"example")])
producer.flush()
print("wrote 12 readings and 3 records that are not readings")
PY
    run_job --until end
    echo "Converted readings:"
    committed fahrenheit | .venv/bin/python -c '
import json, sys
for r in sorted(map(json.loads, sys.stdin), key=lambda r: r["value"]): print("  " + r["value"].replace("\t", "  "))'
    echo "Dead letters, with their headers:"
    .venv/bin/python - "$bootstrap" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
consumer = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "dead-letter-reader", "isolation.level": "read_committed",
                     "enable.auto.commit": False})
consumer.assign([TopicPartition("readings-dlq", 0, 0)])
for message in consumer.consume(num_messages=100, timeout=5):
    if message.error(): continue
    print(f"  offset {message.offset()}: key {message.key().decode()}, value {message.value().decode()!r}")
    for key, value in message.headers() or []:
        print(f"      {key} = {value.decode()}")
consumer.close()
PY
    ;;
  kafka-to-postgres)
    bash scripts/setup.sh
    build
    start_tansu --topic sentences:3
    start_postgres
    .venv/bin/python - "$bootstrap" <<'PY'
import sys
from confluent_kafka import Producer
producer = Producer({"bootstrap.servers": sys.argv[1], "batch.num.messages": 1})
sentences = ["the quick brown fox jumps over the lazy dog", "the dog sleeps and the fox runs",
             "a quick brown dog jumps over a lazy fox", "the end"]
base = 1_700_000_000_000
for i, sentence in enumerate(sentences * 3):
    producer.produce("sentences", key=str(i).encode(), value=sentence.encode(), timestamp=base + i * 2_500)
producer.flush()
print(f"wrote {len(sentences) * 3} sentences, 2.5 s of event time apart")
PY
    run_job --input sentences --postgres "$postgres" --table word_counts --until end
    echo "\$ psql $postgres -c 'SELECT … FROM word_counts'"
    psql -X "$postgres" -c "SELECT (window_start - 1700000000000) / 1000 AS window_s, word, count
                            FROM word_counts ORDER BY window_start, word"
    ;;
  kafka-to-files)
    bash scripts/setup.sh
    build
    start_tansu --topic sentences:3
    .venv/bin/python - "$bootstrap" <<'PY'
import sys
from confluent_kafka import Producer
producer = Producer({"bootstrap.servers": sys.argv[1], "batch.num.messages": 1})
sentences = ["the quick brown fox jumps over the lazy dog", "the dog sleeps and the fox runs",
             "a quick brown dog jumps over a lazy fox", "the end"]
base = 1_700_000_000_000
for i, sentence in enumerate(sentences * 3):
    producer.produce("sentences", key=str(i).encode(), value=sentence.encode(), timestamp=base + i * 2_500)
producer.flush()
print(f"wrote {len(sentences) * 3} sentences, 2.5 s of event time apart")
PY
    directory="$(mktemp -d)/word-counts"
    run_job --input sentences --directory "$directory" --until end
    echo "Part files under $directory (hidden ones, in progress, would start with a dot):"
    ls -A "$directory"
    cat "$directory"/part-* | .venv/bin/python -c '
import sys
base = 1_700_000_000_000
rows = sorted((int(s), w, int(c)) for w, s, c in (line.rstrip("\n").split("\t") for line in sys.stdin))
for start, word, count in rows:
    print(f"window [{(start - base) // 1000:>3} s, {(start - base) // 1000 + 10:>3} s)  {word:<6} {count}")
print(f"{len(rows)} window counts")'
    ;;
  *)
    echo "usage: scripts/example.sh seed-window|word-count|order-totals|dead-letters|kafka-to-postgres|kafka-to-files" >&2
    exit 2
    ;;
esac
