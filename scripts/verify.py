#!/usr/bin/env python3
"""Read a topic exactly as a read_committed consumer would, and print what it sees.

    .venv/bin/python scripts/verify.py --broker mock216 --bootstrap HOST:PORT --topic T [--expect N] [--timeout S]
    .venv/bin/python scripts/verify.py --broker tansu   --bootstrap HOST:PORT --topic T [--expect N] [--timeout S] [--raw]

Output (stdout): one JSON object per committed record, sorted by (partition, offset),
    {"partition":p,"offset":o,"key":<str|null>,"value":<str|null>,"key_b64":<str|null>,"value_b64":<str|null>}
then a last line {"count":N}. "key"/"value" are the UTF-8 text when the bytes decode,
otherwise null; the *_b64 fields always carry the exact bytes (null only for a null key or
a null value). Diagnostics go to stderr. Exit status 0 on success, 2 on errors.

Methods (see /work/shared/design/test-brokers.md):
  share  (default for mock216) a confluent_kafka.ShareConsumer in a fresh share group. The
         mock started by scripts/brokers.py serves share groups read_committed from the
         earliest offset, so only records of committed transactions (and non-transactional
         records) arrive. Reads until --expect records arrived and then --quiet seconds pass
         with nothing new (so extras would show), or until --timeout. Without --expect it
         stops after --quiet seconds with nothing new once records arrived, or after
         --empty-wait seconds if none arrive.
  audit  (default for tansu) raw-batch audit with kafka-python-ng, KIP-98's read_committed
         rule without the broker's aborted index: fetch every partition from its earliest
         offset up to the high watermark with read_uncommitted and classify each
         transactional data batch by the next control batch of the same producer id in the
         partition (COMMIT = visible, ABORT = hidden, none yet = open = hidden).
         Non-transactional batches are visible, except at or beyond the last stable offset
         (the start of the earliest open transaction), where a read_committed consumer
         sees nothing yet; --ignore-lso counts them anyway. With --expect, re-audits until that many
         records are visible or --timeout passes. --raw prints each batch's classification
         to stderr.
"""

from __future__ import annotations

import argparse
import base64
import json
import struct
import sys
import time
import uuid


def emit(records: list[tuple[int, int, bytes | None, bytes | None]]) -> None:
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
    out.write(json.dumps({"count": len(records)}) + "\n")
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

def read_share(args) -> list[tuple[int, int, bytes | None, bytes | None]]:
    from confluent_kafka import ShareConsumer
    consumer = ShareConsumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"sluice-verify-{uuid.uuid4()}",
        "client.id": "sluice-verify",
    })
    seen: dict[tuple[int, int], tuple[int, int, bytes | None, bytes | None]] = {}
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
    return list(seen.values())


# ----------------------------------------------------------------------------- raw-batch audit

CONTROL_TYPES = {0: "ABORT", 1: "COMMIT"}


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
        self.state = "visible"  # for data batches: visible | committed | aborted | open


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
        """The partition's batches up to the high watermark, the high watermark and the
        broker's last stable offset (from the last fetch)."""
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
            if offset >= high:
                return batches, high, lso
            if offset == before:
                stalls += 1
                if stalls > 20:
                    raise RuntimeError(f"Fetch {topic}/{partition}: no progress at {offset} < high watermark {high}")
                time.sleep(0.05)


def classify(batches: list[Batch], high: int, ignore_lso: bool) -> int:
    """Sets each data batch's state and returns the last stable offset: the first offset of
    the earliest open transaction, or the high watermark. A read_committed consumer reads
    nothing at or beyond it, not even non-transactional records, until that transaction
    ends; with ignore_lso those non-transactional records count as visible."""
    pending: dict[int, list[Batch]] = {}
    for batch in batches:
        if batch.control:
            outcome = "committed" if batch.control_type == "COMMIT" else "aborted"
            for data in pending.pop(batch.producer_id, []):
                data.state = outcome
        elif batch.transactional:
            batch.state = "open"
            pending.setdefault(batch.producer_id, []).append(batch)
    open_starts = [b.base_offset for b in batches if b.state == "open"]
    lso = min(open_starts) if open_starts else high
    if not ignore_lso:
        for batch in batches:
            if batch.state == "visible" and not batch.control and batch.base_offset >= lso:
                batch.state = "after-lso"
    return lso


def read_audit(args) -> list[tuple[int, int, bytes | None, bytes | None]]:
    auditor = Auditor(args.bootstrap, args.timeout)
    deadline = time.monotonic() + args.timeout
    try:
        while True:
            visible = []
            for partition, leader in sorted(auditor.partitions(args.topic).items()):
                batches, high, broker_lso = auditor.fetch_partition(leader, args.topic, partition)
                lso = classify(batches, high, args.ignore_lso)
                if args.raw:
                    log(f"p{partition}: high watermark {high}, last stable offset {lso} "
                        f"(broker says {broker_lso})")
                for b in batches:
                    if args.raw:
                        what = f"control {b.control_type}" if b.control else \
                            (b.state if b.transactional else f"non-transactional {b.state}")
                        log(f"p{partition} offsets {b.base_offset}-{b.last_offset} pid {b.producer_id} "
                            f"epoch {b.producer_epoch} records {len(b.records)}: {what}")
                    if not b.control and b.state in ("visible", "committed"):
                        visible.extend((partition, o, k, v) for o, k, v in b.records)
            if args.expect is None or len(visible) >= args.expect or time.monotonic() >= deadline:
                if args.expect is not None and len(visible) < args.expect:
                    log(f"timeout after {args.timeout:.1f} s with {len(visible)} record(s)")
                return visible
            time.sleep(0.3)
    finally:
        auditor.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", required=True, choices=["mock216", "tansu"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--expect", type=int)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--quiet", type=float, default=1.5, help="share: seconds with nothing new before stopping")
    parser.add_argument("--empty-wait", type=float, default=8.0, help="share without --expect: give up after this if nothing arrives")
    parser.add_argument("--method", choices=["share", "audit"], help="default: share on mock216, audit on tansu")
    parser.add_argument("--ignore-lso", action="store_true",
                        help="audit: also count non-transactional records behind an open transaction")
    parser.add_argument("--raw", action="store_true", help="audit: print each batch's classification to stderr")
    args = parser.parse_args()
    method = args.method or ("share" if args.broker == "mock216" else "audit")
    try:
        records = read_share(args) if method == "share" else read_audit(args)
    except Exception as e:  # noqa: BLE001  (reported, exit status says it failed)
        log(f"error: {type(e).__name__}: {e}")
        return 2
    emit(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
