#!/usr/bin/env python3
"""Read a topic exactly as a read_committed consumer would, and print what it sees.

    .venv/bin/python scripts/verify.py --broker mock216 --bootstrap HOST:PORT --topic T [--expect N] [--timeout S]
    .venv/bin/python scripts/verify.py --broker tansu   --bootstrap HOST:PORT --topic T [--view now|eventual]
                                       [--expect N] [--timeout S] [--raw]

Views (--view):
  now       (default) exactly what a read_committed consumer sees now: records of committed
            transactions and non-transactional records strictly below each partition's last
            stable offset (LSO, the first offset of the partition's earliest open transaction).
            Such a consumer reads nothing at or beyond the LSO, committed or not, until that
            transaction ends.
  eventual  (audit only; --ignore-lso is an alias) what a read_committed consumer sees once
            every open transaction has ended as ABORTED: all records of committed transactions
            and all non-transactional records, wherever the LSO is; records of aborted and open
            transactions excluded. An open transaction that later COMMITS adds its records to
            what a consumer eventually sees; this view cannot know that, so it leaves them out.

Output (stdout): one JSON object per record of the view, sorted by (partition, offset),
    {"partition":p,"offset":o,"key":<str|null>,"value":<str|null>,"key_b64":<str|null>,"value_b64":<str|null>}
then a last line {"count":N,"view":"now"|"eventual","stats":{...}}. "key"/"value" are the
UTF-8 text when the bytes decode, otherwise null; the *_b64 fields always carry the exact
bytes (null only for a null key or a null value). Readers that want only the records and the
count can ignore the other fields of the last line. Diagnostics go to stderr. Exit status 0
on success, 2 on errors.

Statistics ("stats" in the last line) do not depend on the view:
    {"topic":T, "method":"audit",
     "transactions":{"committed":n,"aborted":n,"open":n},
     "records":{"committed":n,"aborted":n,"open":n,"plain":n,"hidden_behind_lso":n},
     "partitions":[{"partition":p,"last_stable_offset":o,"log_end_offset":o,
                    "high_watermark":o,"broker_last_stable_offset":o,
                    "transactions":{...},"records":{...}}, ...]}
  transactions  counted per partition: a transaction is a run of transactional data batches
                of one producer id in one partition, ended by that producer's next COMMIT or
                ABORT control batch there, or still open (no such control batch yet). A
                transaction that wrote to k partitions of the topic therefore counts k times,
                and the topic totals are the sums over partitions. A control batch that ends
                no data batch is not a transaction (Tansu writes a transaction's markers into
                partitions of the topic that the transaction never wrote to).
  records       committed, aborted, open: records of transactions so classified; plain:
                non-transactional records; hidden_behind_lso: committed and plain records
                at or beyond their partition's LSO, i.e. the eventual view minus the now view
                (now = committed + plain - hidden_behind_lso, eventual = committed + plain).
  partitions    per partition the same counts and: last_stable_offset as the audit finds it
                (the log end offset when nothing is open), log_end_offset (one past the last
                record read), and what the broker's last Fetch answer said, high_watermark and
                broker_last_stable_offset. The audit does not use the broker's LSO: Tansu 0.6's
                is not KIP-98's (seen: a partition that an open transaction never wrote to
                held at the first offset written there after that transaction began).
  With the share method nothing but the records themselves can be seen: "transactions",
  "records" and "partitions" are null there.

Methods (see /work/shared/design/test-brokers.md):
  share  (default for mock216) a confluent_kafka.ShareConsumer in a fresh share group. The
         mock started by scripts/brokers.py serves share groups read_committed from the
         earliest offset, so only records of committed transactions (and non-transactional
         records) arrive: what a read_committed consumer sees now. It has no eventual view,
         so --view eventual is refused there (use --method audit). Reads until --expect
         records arrived and then --quiet seconds pass with nothing new (so extras would
         show), or until --timeout. Without --expect it stops after --quiet seconds with
         nothing new once records arrived, or after --empty-wait seconds if none arrive.
  audit  (default for tansu) raw-batch audit with kafka-python-ng, KIP-98's read_committed
         rule without the broker's aborted index: fetch every partition from its earliest
         offset with read_uncommitted until a fetch at or beyond the high watermark brings
         nothing new, and classify each transactional data batch by the next COMMIT or ABORT
         control batch of the same producer id in the partition (COMMIT = committed, ABORT =
         aborted, none yet = open). Markers are matched by producer id alone, as a KIP-98
         consumer does, because the marker that ends a fenced producer's transaction may
         carry a newer epoch. With --expect, re-audits until the view holds that many records
         or --timeout passes. --raw prints each batch's classification to stderr.
"""

from __future__ import annotations

import argparse
import base64
import json
import struct
import sys
import time
import uuid


Record = tuple[int, int, bytes | None, bytes | None]  # partition, offset, key, value


def emit(records: list[Record], view: str, stats: dict) -> None:
    out = sys.stdout
    for partition, offset, key, value in sorted(records, key=lambda r: (r[0], r[1])):
        out.write(json.dumps({
            "partition": partition,
            "offset": offset,
            "key": _text(key),
            "value": _text(value),
            "key_b64": None if key is None else base64.b64encode(key).decode(),
            "value_b64": None if value is None else base64.b64encode(value).decode(),
        }, separators=(",", ":")) + "\n")
    out.write(json.dumps({"count": len(records), "view": view, "stats": stats}, separators=(",", ":")) + "\n")
    out.flush()


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def log(msg: str) -> None:
    sys.stderr.write(f"verify.py: {msg}\n")
    sys.stderr.flush()


# ----------------------------------------------------------------------------- share groups

def read_share(args) -> tuple[list[Record], dict]:
    from confluent_kafka import ShareConsumer
    consumer = ShareConsumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"sluice-verify-{uuid.uuid4()}",
        "client.id": "sluice-verify",
    })
    seen: dict[tuple[int, int], Record] = {}
    duplicates = 0
    try:
        consumer.subscribe([args.topic])
        start = time.monotonic()
        deadline = start + args.timeout
        last_new = None
        while True:
            now = time.monotonic()
            if now >= deadline:
                log(f"timeout after {args.timeout:.1f} s with {len(seen)} record(s)")
                break
            if args.expect is not None:
                if len(seen) >= args.expect and last_new is not None and now - last_new >= args.quiet:
                    break
            elif last_new is not None and now - last_new >= args.quiet:
                break
            elif last_new is None and now - start >= args.empty_wait:
                break
            for msg in consumer.poll(0.2):
                if msg.error():
                    log(f"consumer error: {msg.error()}")
                    continue
                if msg.topic() != args.topic:
                    continue
                k = (msg.partition(), msg.offset())
                if k in seen:
                    duplicates += 1
                    continue
                seen[k] = (msg.partition(), msg.offset(), msg.key(), msg.value())
                last_new = time.monotonic()
    finally:
        try:
            consumer.close()
        except Exception as e:  # noqa: BLE001  (closing must not hide the result)
            log(f"close: {e}")
    if duplicates:
        log(f"{duplicates} redelivered record(s) ignored")
    # A share consumer is handed records only: it cannot tell committed from plain records,
    # nor see aborted or open ones, nor where the LSO is.
    stats = {"topic": args.topic, "method": "share", "transactions": None, "records": None, "partitions": None}
    return list(seen.values()), stats


# ----------------------------------------------------------------------------- raw-batch audit

CONTROL_TYPES = {0: "ABORT", 1: "COMMIT"}
OUTCOMES = {"COMMIT": "committed", "ABORT": "aborted"}


class Batch:
    """A v2 record batch as fetched, with the fields the audit needs."""

    def __init__(self, raw) -> None:
        # kafka-python-ng's DefaultRecordBatch header tuple: 0 base offset, 5 attributes,
        # 6 last offset delta, 9 producer id, 10 producer epoch, 12 record count.
        header = raw._header_data
        self.base_offset: int = header[0]
        self.last_offset: int = header[0] + header[6]
        self.producer_id: int = header[9]
        self.producer_epoch: int = header[10]
        self.transactional: bool = raw.is_transactional
        self.control: bool = bool(raw.is_control_batch)
        self.records = [(r.offset, r.key, r.value) for r in raw]
        self.control_type: str | None = None
        if self.control:
            key = self.records[0][1] if self.records else None
            if key is None or len(key) < 4:
                raise ValueError(f"control batch at {self.base_offset} has no control key")
            _version, kind = struct.unpack(">hh", key[:4])
            self.control_type = CONTROL_TYPES.get(kind, f"TYPE{kind}")
        # Data batches only: plain | committed | aborted | open.
        self.state = "plain" if not self.transactional else "open"


class PartitionAudit:
    """One partition's batches classified by KIP-98's read_committed rule, with its LSO and
    counts (see "Statistics" in the module docstring)."""

    def __init__(self, partition: int, batches: list[Batch], high: int, broker_lso: int) -> None:
        self.partition = partition
        self.batches = batches
        self.high = high
        self.broker_lso = broker_lso
        self.log_end = max([high] + [b.last_offset + 1 for b in batches])
        self.transactions = {"committed": 0, "aborted": 0, "open": 0}
        pending: dict[int, list[Batch]] = {}
        for batch in batches:
            if batch.control:
                outcome = OUTCOMES.get(batch.control_type)
                run = pending.pop(batch.producer_id, []) if outcome else []
                if run:
                    self.transactions[outcome] += 1
                    for data in run:
                        data.state = outcome
            elif batch.transactional:
                pending.setdefault(batch.producer_id, []).append(batch)
        self.transactions["open"] = len(pending)
        self.lso = min((run[0].base_offset for run in pending.values()), default=self.log_end)
        self.records = {"committed": 0, "aborted": 0, "open": 0, "plain": 0, "hidden_behind_lso": 0}
        for batch in self.data_batches():
            self.records[batch.state] += len(batch.records)
            if batch.state in ("committed", "plain"):
                self.records["hidden_behind_lso"] += sum(1 for o, _k, _v in batch.records if o >= self.lso)

    def data_batches(self) -> list[Batch]:
        return [b for b in self.batches if not b.control]

    def visible(self, view: str) -> list[Record]:
        return [(self.partition, o, k, v)
                for b in self.data_batches() if b.state in ("committed", "plain")
                for o, k, v in b.records if view == "eventual" or o < self.lso]

    def stats(self) -> dict:
        return {"partition": self.partition, "last_stable_offset": self.lso, "log_end_offset": self.log_end,
                "high_watermark": self.high, "broker_last_stable_offset": self.broker_lso,
                "transactions": dict(self.transactions), "records": dict(self.records)}

    def describe(self) -> None:
        log(f"p{self.partition}: last stable offset {self.lso}, log end offset {self.log_end} "
            f"(broker says high watermark {self.high}, last stable offset {self.broker_lso})")
        for b in self.batches:
            if b.control:
                what = f"control {b.control_type}"
            else:
                what = b.state if b.transactional else "non-transactional"
                if b.state in ("committed", "plain") and b.base_offset >= self.lso:
                    what += ", behind the LSO"
            log(f"p{self.partition} offsets {b.base_offset}-{b.last_offset} pid {b.producer_id} "
                f"epoch {b.producer_epoch} records {len(b.records)}: {what}")


def topic_stats(topic: str, audits: list[PartitionAudit]) -> dict:
    def total(field: str) -> dict:
        keys = getattr(audits[0], field).keys() if audits else ()
        return {k: sum(getattr(a, field)[k] for a in audits) for k in keys}
    return {"topic": topic, "method": "audit", "transactions": total("transactions"),
            "records": total("records"), "partitions": [a.stats() for a in audits]}


class Auditor:
    def __init__(self, bootstrap: str, timeout: float) -> None:
        from kafka import KafkaClient
        self.timeout = timeout
        self.client = KafkaClient(bootstrap_servers=bootstrap, client_id="sluice-verify",
                                  api_version=(2, 5, 0), request_timeout_ms=int(max(timeout, 5) * 1000))

    def close(self) -> None:
        self.client.close()

    def _wait(self, future, what: str):
        deadline = time.monotonic() + self.timeout
        while not future.is_done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: no answer within {self.timeout} s")
            self.client.poll(timeout_ms=100, future=future)
        if future.failed():
            raise future.exception
        return future.value

    def _send(self, node, request, what: str):
        deadline = time.monotonic() + self.timeout
        while not self.client.ready(node):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: broker {node} not ready")
            self.client.poll(timeout_ms=100)
        return self._wait(self.client.send(node, request), what)

    def partitions(self, topic: str) -> dict[int, int]:
        """Partition -> leader node id, from fresh metadata."""
        from kafka.structs import TopicPartition
        deadline = time.monotonic() + self.timeout
        while True:
            self._wait(self.client.set_topics([topic]), "metadata")
            self._wait(self.client.cluster.request_update(), "metadata")
            parts = self.client.cluster.partitions_for_topic(topic)
            if parts:
                leaders = {p: self.client.cluster.leader_for_partition(TopicPartition(topic, p)) for p in parts}
                if all(v is not None and v >= 0 for v in leaders.values()):
                    return leaders
            if time.monotonic() > deadline:
                raise RuntimeError(f"topic {topic!r} has no partitions with leaders (does it exist?)")
            time.sleep(0.2)

    def earliest(self, node: int, topic: str, partition: int) -> int:
        from kafka.protocol.offset import OffsetRequest
        req = OffsetRequest[1](replica_id=-1, topics=[(topic, [(partition, -2)])])
        resp = self._send(node, req, "list offsets")
        _p, err, _ts, offset = resp.topics[0][1][0]
        if err:
            raise RuntimeError(f"ListOffsets {topic}/{partition}: error {err}")
        return offset

    def fetch_partition(self, node: int, topic: str, partition: int) -> tuple[list[Batch], int, int]:
        """The partition's batches, and the high watermark and last stable offset of the
        broker's last Fetch answer.

        Reads on until a fetch at or beyond the high watermark brings nothing new, rather
        than trusting the high watermark as the end: Tansu's ListOffsets reports the last
        batch's base offset + 1 as a partition's end, and one more empty fetch is cheap
        insurance that its Fetch answer never cuts the last batch the same way."""
        from kafka.protocol.fetch import FetchRequest
        from kafka.record import MemoryRecords
        offset = 0
        batches: list[Batch] = []
        stalls = 0
        while True:
            req = FetchRequest[4](replica_id=-1, max_wait_time=50, min_bytes=0, max_bytes=32 << 20,
                                  isolation_level=0, topics=[(topic, [(partition, offset, 8 << 20)])])
            resp = self._send(node, req, "fetch")
            _p, err, high, lso, _aborted, data = resp.topics[0][1][0]
            if err == 1 and offset == 0:  # OFFSET_OUT_OF_RANGE: older records were deleted
                offset = self.earliest(node, topic, partition)
                log(f"{topic}/{partition}: earliest offset is {offset}; earlier records are gone")
                continue
            if err:
                raise RuntimeError(f"Fetch {topic}/{partition}@{offset}: error {err}")
            before = offset
            records = MemoryRecords(data)
            while True:
                raw = records.next_batch()
                if raw is None:
                    break
                batch = Batch(raw)
                if batch.last_offset < offset:
                    continue
                batches.append(batch)
                offset = batch.last_offset + 1
            if offset == before:
                if offset >= high:
                    return batches, high, lso
                stalls += 1
                if stalls > 20:
                    raise RuntimeError(f"Fetch {topic}/{partition}: no progress at {offset} < high watermark {high}")
                time.sleep(0.05)


def read_audit(args) -> tuple[list[Record], dict]:
    auditor = Auditor(args.bootstrap, args.timeout)
    deadline = time.monotonic() + args.timeout
    try:
        while True:
            audits = []
            for partition, leader in sorted(auditor.partitions(args.topic).items()):
                batches, high, broker_lso = auditor.fetch_partition(leader, args.topic, partition)
                audits.append(PartitionAudit(partition, batches, high, broker_lso))
            visible = [r for a in audits for r in a.visible(args.view)]
            if args.expect is None or len(visible) >= args.expect or time.monotonic() >= deadline:
                if args.raw:
                    for a in audits:
                        a.describe()
                if args.expect is not None and len(visible) < args.expect:
                    log(f"timeout after {args.timeout:.1f} s with {len(visible)} record(s)")
                return visible, topic_stats(args.topic, audits)
            time.sleep(0.3)
    finally:
        auditor.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", required=True, choices=["mock216", "tansu"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--view", choices=["now", "eventual"], default="now",
                        help="now: what a read_committed consumer sees now (default); "
                             "eventual: once every open transaction has ended as aborted (audit only)")
    parser.add_argument("--ignore-lso", dest="view", action="store_const", const="eventual",
                        help="the same as --view eventual")
    parser.add_argument("--expect", type=int)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--quiet", type=float, default=1.5, help="share: seconds with nothing new before stopping")
    parser.add_argument("--empty-wait", type=float, default=8.0, help="share without --expect: give up after this if nothing arrives")
    parser.add_argument("--method", choices=["share", "audit"], help="default: share on mock216, audit on tansu")
    parser.add_argument("--raw", action="store_true", help="audit: print each batch's classification to stderr")
    args = parser.parse_args()
    method = args.method or ("share" if args.broker == "mock216" else "audit")
    if method == "share" and args.view != "now":
        log("the share method sees only what a read_committed consumer sees now; use --method audit for --view eventual")
        return 2
    try:
        records, stats = read_share(args) if method == "share" else read_audit(args)
    except Exception as e:  # noqa: BLE001  (reported, exit status says it failed)
        log(f"error: {type(e).__name__}: {e}")
        return 2
    emit(records, args.view, stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
