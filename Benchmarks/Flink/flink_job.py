"""One Flink run of the keyed 1 s tumbling count, for compare.py (which explains every setting).

Runs inside Benchmarks/Flink/.venv (PyFlink 2.3.0), in a process of its own, so each run is a
fresh JVM and a fresh job:

    .venv/bin/python flink_job.py --keys N --records-per-key-per-window M --records R \
        [--managed-memory 512m] [--check | --source-only]

Prints one JSON line on stdout: the seconds from submitting the job to its end, the JVM's peak
RSS and CPU seconds (from /proc), and with --check whether the windows' counts were right.
Errors are one line on stderr and exit status 1.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

EPOCH = datetime(1970, 1, 1)


def table_settings(managed_memory):
    """Every Flink option the benchmark sets; compare.py's header says why."""
    return {
        "execution.runtime-mode": "streaming",
        "parallelism.default": "1",
        "table.exec.resource.default-parallelism": "1",
        "pipeline.object-reuse": "true",
        "state.backend.type": "hashmap",
        "taskmanager.memory.managed.size": managed_memory,
        "table.local-time-zone": "UTC",
    }


# The largest rate datagen accepts: its loop then never sleeps (no rate limit).
UNLIMITED_ROWS_PER_SECOND = 2**63 - 1


def source_ddl(keys, per_key_per_window, records):
    """datagen: row i has seq = i; key i % N and event time (i / (N*M)) * 1000 ms are computed
    columns; the watermark trails the highest event time by 1 ms (see compare.py)."""
    per_window = keys * per_key_per_window
    return f"""
        CREATE TEMPORARY TABLE gen (
            seq BIGINT,
            k AS MOD(seq, CAST({keys} AS BIGINT)),
            ts AS TO_TIMESTAMP_LTZ((seq / CAST({per_window} AS BIGINT)) * 1000, 3),
            WATERMARK FOR ts AS ts - INTERVAL '0.001' SECOND
        ) WITH (
            'connector' = 'datagen',
            'number-of-rows' = '{records}',
            'rows-per-second' = '{UNLIMITED_ROWS_PER_SECOND}',
            'fields.seq.kind' = 'sequence',
            'fields.seq.start' = '0',
            'fields.seq.end' = '{records - 1}'
        )"""


# The query both modes run; only where its rows go differs.
WINDOW_QUERY = """
    SELECT k, window_start, COUNT(*) AS cnt
    FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' SECOND))
    GROUP BY k, window_start, window_end"""

SINK_DDL = """
    CREATE TEMPORARY TABLE sink (k BIGINT, window_start TIMESTAMP(3), cnt BIGINT)
    WITH ('connector' = 'blackhole')"""

# --source-only: the generator and its computed columns alone, for datagen's own cost.
SOURCE_ONLY_SQL = """
    INSERT INTO source_sink SELECT k, ts FROM gen"""

SOURCE_SINK_DDL = """
    CREATE TEMPORARY TABLE source_sink (k BIGINT, ts TIMESTAMP_LTZ(3))
    WITH ('connector' = 'blackhole')"""


def expected_counts(keys, per_key_per_window, records):
    """The (key, window start in ms) -> count the generator shape implies, computed in Python."""
    counts = Counter()
    for i in range(records):
        counts[(i % keys, (i // (keys * per_key_per_window)) * 1000)] += 1
    return counts


def jvm_children():
    """The pids of this process's child JVMs (PyFlink's gateway runs the local cluster)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and comm == "java":
            pids.append(int(entry))
    return pids


def jvm_usage(pid):
    """(peak RSS in KiB, user+system CPU seconds) of a live process."""
    peak = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return peak, (int(fields[11]) + int(fields[12])) / ticks


def fail(message):
    print(f"flink_job: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="one Flink run of the keyed 1 s tumbling count")
    parser.add_argument("--keys", type=int, required=True)
    parser.add_argument("--records-per-key-per-window", type=int, required=True)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--managed-memory", default="512m")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="one more Flink option (compare.py's --flink-set)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="collect the windows' counts and compare them with the generator shape")
    mode.add_argument("--source-only", action="store_true",
                      help="datagen with its computed columns into a blackhole, no window")
    args = parser.parse_args()
    if args.keys < 1 or args.records_per_key_per_window < 1:
        fail("--keys and --records-per-key-per-window must be at least 1")
    if not 2 <= args.records < 2**31:
        fail(f"--records {args.records}: datagen's sequence takes 2 to 2^31-1 rows")

    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    configuration = Configuration()
    settings = table_settings(args.managed_memory)
    for setting in args.set:
        key, _, value = setting.partition("=")
        settings[key.strip()] = value.strip()
    for key, value in settings.items():
        configuration.set_string(key, value)
    env = TableEnvironment.create(
        EnvironmentSettings.new_instance().in_streaming_mode().with_configuration(configuration).build())
    env.execute_sql(source_ddl(args.keys, args.records_per_key_per_window, args.records))

    result = {"keys": args.keys, "per_key_per_window": args.records_per_key_per_window,
              "records": args.records}
    started = time.perf_counter()
    if args.check:
        rows = {}
        with env.execute_sql(WINDOW_QUERY).collect() as results:
            for row in results:
                start_ms = (row[1].replace(tzinfo=None) - EPOCH) // timedelta(milliseconds=1)
                key = (int(row[0]), start_ms)
                if key in rows:
                    fail(f"window of key {key[0]} at {key[1]} ms emitted twice")
                rows[key] = int(row[2])
        result["seconds"] = time.perf_counter() - started
        expected = expected_counts(args.keys, args.records_per_key_per_window, args.records)
        wrong = [(key, rows.get(key), count) for key, count in expected.items() if rows.get(key) != count]
        extra = [key for key in rows if key not in expected]
        result["windows"] = len(rows)
        result["expected_windows"] = len(expected)
        result["check"] = "ok" if not wrong and not extra else "wrong"
        if wrong or extra:
            sample = wrong[:3]
            result["detail"] = (f"{len(wrong)} windows with a wrong or missing count (key, start ms, got, "
                                f"expected): {[(k[0], k[1], got, want) for k, got, want in sample]}; "
                                f"{len(extra)} unexpected windows: {extra[:3]}")
    elif args.source_only:
        env.execute_sql(SOURCE_SINK_DDL)
        env.execute_sql(SOURCE_ONLY_SQL).wait()
        result["seconds"] = time.perf_counter() - started
    else:
        env.execute_sql(SINK_DDL)
        env.execute_sql(f"INSERT INTO sink {WINDOW_QUERY}").wait()
        result["seconds"] = time.perf_counter() - started

    peaks = [jvm_usage(pid) for pid in jvm_children()]
    if peaks:
        result["peak_rss_kib"] = max(p for p, _ in peaks)
        result["jvm_cpu_seconds"] = sum(c for _, c in peaks)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
