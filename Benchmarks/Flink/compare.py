#!/usr/bin/env python3
"""Sluice's engine against Flink 2.3 local on a keyed 1 s tumbling count (issue 9).

    python3 Benchmarks/Flink/compare.py --install      # once: Flink into Benchmarks/Flink/.venv
    python3 Benchmarks/Flink/compare.py                # the six cells, 3 repeats
    python3 Benchmarks/Flink/compare.py --quick        # smoke run: small sizes, 1 repeat
    python3 Benchmarks/Flink/compare.py --check        # Flink's window counts against the shape

For each cell (N keys x M records per key per 1 s window; by default 1 K / 100 K / 1 M keys x
1 and 1000) it prints Sluice's rate, Flink's marginal rate and their ratio (target: Sluice at
least 2x Flink), then a Markdown table for BENCHMARKS.md and the exact command. Standard library
only; run it with any Python 3.9+. Flink is never installed by the test suite or the README's
commands, only by `--install`: `apache-flink==2.3.0` from PyPI into its own virtual environment,
Benchmarks/Flink/.venv (git-ignored, ~850 MB). It needs Java 17 (JAVA_HOME if set, else
/usr/lib/jvm/java-17-openjdk-amd64 when present, else `java` on PATH).

The generator shape, the same on both sides: row i (i = 0 ..< R) has key i % N and event time
(i / (N*M)) * 1000 ms, so each 1 s window holds N*M rows and every key has M of them.
  Sluice: `sluice-engine-bench --keys N --records-per-key-per-window M --records R --runs 1`
    (release build, one thread; it checks its window results); its rate is parsed from its last
    line. `--runs 1` so that each repeat here is one run and both sides take the median of
    repeats (the bench's default is the best of 3). The rate is records / wall time of the
    whole job, start-up included, so it is not a marginal rate: that only understates Sluice.
  Flink: PyFlink Table API, one fresh process (fresh JVM, fresh job) per run: flink_job.py.
    Source: `datagen` with a `sequence` field seq = 0 .. R-1 (`number-of-rows` = R); key
    `MOD(seq, N)` and rowtime `TO_TIMESTAMP_LTZ((seq / (N*M)) * 1000, 3)` are computed columns.
    Query: `TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' SECOND)`, `COUNT(*)` grouped by key and
    window, (key, window_start, count) into a `blackhole` sink. The planner's default two-phase
    plan is kept (a local window pre-aggregate before the hash exchange, then the global one).

Watermark: `WATERMARK FOR ts AS ts - INTERVAL '0.001' SECOND`, i.e. the highest event time seen
minus 1 ms, which is what Sluice's generator gets (forMonotonousTimestamps: highest timestamp - 1;
Sources/Sluice/Time/WatermarkGenerator.swift). It is Flink's documented form for ascending
timestamps with ties (a watermark W says nothing at or below W follows, and many rows share a
millisecond here); with this shape a watermark of the highest timestamp itself would fire the
same windows at the same rows. Window [t, t+1000) fires once a row of the next window arrives (watermark t+999 = its last ms),
i.e. as soon as it is complete, on both sides; at the end of the bounded input both emit the
final watermark and fire the open windows. Flink emits watermarks every 200 ms
(pipeline.auto-watermark-interval, its default): that delays firing by up to 200 ms of
processing time, not the work. With M = 1000 a window holds N*1000 rows: at 1 M keys that is
1e9 rows, so no window fires within any feasible run (at 100 K keys, 1e8): both sides then only
update state, and fire min(R, N) windows at the end (a fixed cost, which the marginal rate
cancels for Flink and Sluice's figure includes).

Flink settings, each what a throughput-minded user would choose, none a handicap:
  - parallelism 1 (parallelism.default, table.exec.resource.default-parallelism): the issue's
    comparison. Flink still runs the source and the window aggregate as two tasks joined by the
    hash exchange, i.e. up to two threads (plus JIT and GC); Sluice runs on one thread.
  - streaming mode (execution.runtime-mode): the comparison is of the streaming engines.
  - no datagen rate limit: `rows-per-second` = 2^63-1 (its default, 10,000, would throttle).
  - object reuse on (pipeline.object-reuse): skips the defensive copies between chained operators.
  - heap state backend (state.backend.type: hashmap, Flink's default): state as Java objects on
    the heap, the fastest backend when state fits in memory, as it does here.
  - no checkpointing (no execution.checkpointing.interval): Sluice's bench does not checkpoint
    either (interval one hour).
  - memory: JVM heap fixed at --flink-heap (default 4g, -Xms = -Xmx via JVM_ARGS, so no heap
    resizing); 1 M keys of window state plus datagen's buffer of boxed sequence values (it
    fills a deque with all R values when it opens, ~20 bytes each: 0.8 GB at 40 M rows) fit
    with room to spare. Managed memory --flink-managed (default 512m,
    taskmanager.memory.managed.size), which holds the window aggregate's record buffer.
  - Flink's defaults otherwise (G1 collector, the window buffer's size, network buffers); no
    Python code runs per record (no UDFs): the job is all Java.
  - table.local-time-zone = UTC only so that window starts read back as epoch milliseconds.
  Known cost on Flink's side that is Flink's own: datagen's `sequence` kind pre-fills that deque
  of R boxed Longs at open, per row, so it is in the marginal rate (Sluice computes its rows).
  The Table API datagen is a legacy SourceFunction emitting a new row object per record under
  the checkpoint lock; with its computed columns and watermark it ran at ~2.8 M rows/s alone
  (--flink-source-only, 2 M -> 20 M, shared machine), so with 1000 records per key per window,
  where Flink's window part is cheap, Flink's figure is largely its source's.

Marginal rate: each Flink cell runs at two sizes R1 < R2, each --repeats times, every run a
fresh process; the rate is (R2 - R1) / (median t(R2) - median t(R1)). t runs from submitting the
job to its end: JVM start-up is outside it; the local cluster's start (PyFlink starts it when the
job is submitted; 5-15 s here), planning, task deployment, JIT warm-up and the final window
firing are inside and cancel in the difference. Separate processes rather than several jobs in
one JVM so that no run inherits another's JIT state or heap. Sluice's figure is the median of
--repeats runs at R2 records (the ratio uses it); it also runs at R1, and its own marginal rate,
from t = R / rate, is shown beside the ratio for reference. Per repeat the runs alternate
(Sluice R2, Flink R1, Flink R2, Sluice R1, then the reverse order) so both sides see the same
machine state. Default sizes aim at Flink runs of a few seconds to ~30 s on a quiet 2-core
machine: 3 M -> 12 M rows with M = 1 (an earlier measurement had Flink at ~0.9 M rows/s at 1 M
keys x 1; on this shared machine, a 16 M run there took 63-108 s, ~4.5 us of CPU per row), and
with M = 1000 10 M -> 40 M at 1000 keys (~4.7 M rows/s in a quick run here) and 5 M -> 20 M at
100 K and 1 M keys (~1 M rows/s at 1 M keys); --sizes sets others for every cell. Peak RSS: Sluice's from wait4; Flink's JVM's VmHWM read from /proc just before
its process exits (with -Xms = -Xmx it mostly shows how much of the fixed heap was touched).

CPU: beside the rates, each side's marginal CPU time per record over all its threads,
(median cpu(R2) - median cpu(R1)) / (R2 - R1): Sluice's from wait4, Flink's JVM's utime + stime
from /proc. On a shared machine it moves much less than wall time, and it shows what Flink's
second thread costs. --flink-set KEY=VALUE adds a Flink option to every run, to try a tuning
(e.g. table.optimizer.agg-phase-strategy=ONE_PHASE, which drops the local pre-aggregate: in
single quick runs here it used the same CPU as the default plan at 1 M keys x 1, and cut Flink's
rate from 4.75 to 1.72 M rows/s at 1000 keys x 1000); the results' header line lists them.

--flink-source-only measures Flink's datagen with its computed columns into a blackhole, no
window, the same way (marginal, two sizes): how much of Flink's per-row time is its source.

--check runs the same query with the blackhole replaced by collecting its rows, on small inputs
where windows fire (by default 1000x1, 1000x1000 and 10000x1, 2.5 windows each, at most 3 M
rows), and compares every (key, window start) count with the count computed in Python from the
generator shape: the number of (key, window) rows must be keys x windows and each count M (the
last, partial window fewer). The cells are small because PyFlink's collect costs about 1 ms per
result row here (100000x1, 250 K rows, took 5 minutes and passed).
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(HERE, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
FLINK_PACKAGE = "apache-flink==2.3.0"
JOB = os.path.join(HERE, "flink_job.py")
DEFAULT_JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"

DEFAULT_CELLS = [(1_000, 1), (100_000, 1), (1_000_000, 1),
                 (1_000, 1000), (100_000, 1000), (1_000_000, 1000)]
DEFAULT_CHECK_CELLS = [(1_000, 1), (1_000, 1000), (10_000, 1)]
TARGET_RATIO = 2.0


class Failure(Exception):
    """One line saying what went wrong; main prints it and exits non-zero."""


def default_sizes(keys, per_key_per_window, quick):
    """R1, R2 for a cell: Flink runs of a few seconds to ~30 s (see the header)."""
    if quick:
        return (200_000, 1_000_000) if per_key_per_window == 1 else (1_000_000, 5_000_000)
    if per_key_per_window == 1:
        return (3_000_000, 12_000_000)
    return (10_000_000, 40_000_000) if keys <= 1_000 else (5_000_000, 20_000_000)


def parse_cells(text):
    cells = []
    for item in text.split(","):
        match = re.fullmatch(r"\s*(\d+)x(\d+)\s*", item)
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise Failure(f"--cells: '{item}' is not KEYSxRECORDS_PER_KEY_PER_WINDOW (e.g. 1000000x1)")
        cells.append((int(match[1]), int(match[2])))
    return cells


def parse_sizes(text):
    match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", text)
    if not match or not 2 <= int(match[1]) < int(match[2]) < 2**31:
        raise Failure(f"--sizes: '{text}' is not R1,R2 with 2 <= R1 < R2 < 2^31")
    return int(match[1]), int(match[2])


def millions(records):
    return f"{records / 1e6:g}M" if records >= 1_000_000 else f"{records / 1e3:g}K"


def java_environment(heap):
    env = dict(os.environ)
    if "JAVA_HOME" not in env and os.path.isdir(DEFAULT_JAVA_HOME):
        env["JAVA_HOME"] = DEFAULT_JAVA_HOME
    env["JVM_ARGS"] = f"-Xms{heap} -Xmx{heap}"
    return env


def java_version(env):
    java = os.path.join(env["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in env else "java"
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, check=True).stderr
    except (OSError, subprocess.CalledProcessError) as error:
        raise Failure(f"java ({java}) does not run: {error}; Flink 2.3 needs Java 17 (set JAVA_HOME)")
    return out.splitlines()[0] if out else "unknown"


def install():
    if not os.path.exists(VENV_PYTHON):
        print(f"creating {VENV}", flush=True)
        if subprocess.run([sys.executable, "-m", "venv", VENV]).returncode != 0:
            raise Failure(f"{sys.executable} -m venv {VENV} failed (Debian needs python3-venv)")
    print(f"installing {FLINK_PACKAGE} into {VENV} (a few hundred MB)", flush=True)
    result = subprocess.run([VENV_PYTHON, "-m", "pip", "install", "--quiet", FLINK_PACKAGE])
    if result.returncode != 0:
        raise Failure(f"pip install {FLINK_PACKAGE} into {VENV} failed (exit {result.returncode})")
    print(f"installed: {flink_version()}")


def flink_version():
    result = subprocess.run([VENV_PYTHON, "-c", "import pyflink.version as v; print(v.__version__)"],
                            capture_output=True, text=True)
    return f"PyFlink {result.stdout.strip()}" if result.returncode == 0 else None


def require_flink():
    version = flink_version() if os.path.exists(VENV_PYTHON) else None
    install_hint = f"python3 {os.path.relpath(__file__)} --install ({FLINK_PACKAGE}, ~850 MB)"
    if version is None:
        raise Failure(f"Flink is not installed in {VENV}; install it with: {install_hint}")
    if version != "PyFlink " + FLINK_PACKAGE.split("==")[1]:
        raise Failure(f"{VENV} holds {version}, not {FLINK_PACKAGE}; reinstall with: {install_hint}")
    return version


def build_sluice():
    print("building sluice-engine-bench (release)", flush=True)
    try:
        build = subprocess.run(["swift", "build", "-c", "release", "--product", "sluice-engine-bench"], cwd=REPO)
        if build.returncode != 0:
            raise Failure(f"swift build -c release --product sluice-engine-bench failed (exit {build.returncode}) in {REPO}")
        path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO,
                              capture_output=True, text=True)
    except OSError as error:
        raise Failure(f"cannot run swift in {REPO}: {error}")
    if path.returncode != 0:
        raise Failure(f"swift build -c release --show-bin-path failed in {REPO}: {path.stderr.strip()}")
    return os.path.join(path.stdout.strip(), "sluice-engine-bench")


def run_sluice(binary, keys, per_key_per_window, records, log_dir):
    """Runs the engine bench once; returns (M rec/s, peak RSS KiB, CPU seconds)."""
    command = [binary, "--keys", str(keys), "--records-per-key-per-window", str(per_key_per_window),
               "--records", str(records), "--runs", "1"]
    out_path = os.path.join(log_dir, f"sluice-{keys}x{per_key_per_window}-{records}.out")
    err_path = out_path[:-len(".out")] + ".err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    last = lines[-1] if lines else ""
    if process.returncode != 0:
        with open(err_path) as f:
            errors = [line.strip() for line in f if line.strip()]
        raise Failure(f"{shlex.join(command)} exited with {process.returncode}: "
                      f"{errors[0] if errors else last or 'no output'} (output: {out_path}, {err_path})")
    expected = (rf"tumbling-count keys={keys} records-per-key-per-window={per_key_per_window} "
                rf"records={records}: (\d+(?:\.\d+)?) M rec/s")
    match = re.fullmatch(expected, last)
    if not match:
        raise Failure(f"sluice-engine-bench's last line is '{last}', expected 'tumbling-count keys={keys} "
                      f"records-per-key-per-window={per_key_per_window} records={records}: X.XX M rec/s' "
                      f"(output: {out_path})")
    return float(match[1]), usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def run_flink(keys, per_key_per_window, records, args, env, log_dir, mode=None):
    """Runs one Flink job in a fresh process (mode: None, "check" or "source-only"); returns
    flink_job.py's JSON result."""
    command = [VENV_PYTHON, JOB, "--keys", str(keys), "--records-per-key-per-window", str(per_key_per_window),
               "--records", str(records), "--managed-memory", args.flink_managed]
    for setting in args.flink_set:
        command += ["--set", setting]
    if mode:
        command.append(f"--{mode}")
    name = f"flink-{keys}x{per_key_per_window}-{records}{'-' + mode if mode else ''}"
    err_path = os.path.join(log_dir, f"{name}.err")
    # Each run's Flink log in a directory of its own (PyFlink writes one file and starts it anew).
    flink_log_dir = os.path.join(log_dir, name)
    os.makedirs(flink_log_dir, exist_ok=True)
    with open(err_path, "w") as err:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=HERE,
                                env=dict(env, FLINK_LOG_DIR=flink_log_dir))
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise Failure(f"Flink run keys={keys} per-key-per-window={per_key_per_window} records={records} "
                      f"failed (exit {result.returncode}): {flink_failure(err_path, flink_log_dir)} "
                      f"(logs: {err_path}, {flink_log_dir})")
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        raise Failure(f"flink_job.py's last line is not its JSON result: '{lines[-1]}' (log: {err_path})")


def flink_failure(err_path, flink_log_dir):
    """The line that says why a Flink run failed: flink_job.py's own message, else the JVM's
    first error in its log (an OutOfMemoryError, an exception), else the last line of stderr."""
    with open(err_path) as f:
        errors = [line.strip() for line in f if line.strip()]
    own = next((line for line in errors if line.startswith("flink_job:")), None)
    if own:
        return own
    error_line = re.compile(r"^(Caused by: )?([\w$]+\.)+[\w$]*(Exception|Error)\b.*")
    for log_name in sorted(os.listdir(flink_log_dir)):
        if log_name.endswith(".log"):
            with open(os.path.join(flink_log_dir, log_name), errors="replace") as f:
                found = [line.strip() for line in f if error_line.match(line.strip())]
            memory = [line for line in found if "OutOfMemoryError" in line]
            if memory or found:
                return (memory or found)[0]
    if any("Py4JNetworkError" in line for line in errors):
        return "the Flink JVM exited during the job without logging why (out of memory? try a larger --flink-heap)"
    return errors[-1] if errors else "no output"


def mib(kib):
    return f"{kib / 1024:.0f} MiB" if kib else "n/a"


def run_check(cells, args, env, log_dir):
    failures = 0
    for keys, m in cells:
        records = args.check_records or min(5 * keys * m // 2, 3_000_000)
        result = run_flink(keys, m, records, args, env, log_dir, mode="check")
        print(f"check keys={keys} per-key-per-window={m} records={records}: {result['windows']} (key, window) counts "
              f"(expected {result['expected_windows']}): {result['check']}"
              + (f" -- {result['detail']}" if 'detail' in result else ""), flush=True)
        failures += result["check"] != "ok"
    if failures:
        raise Failure(f"{failures} of {len(cells)} check cells had wrong window counts")


def run_source_only(cells, sizes_for, args, env, log_dir):
    """Flink's datagen with its computed columns into a blackhole, no window: the source's own
    marginal rate, the ceiling of the windowed job."""
    for keys, m in cells:
        r1, r2 = sizes_for(keys, m)
        times = {r1: [], r2: []}
        for repeat in range(args.repeats):
            for records in ([r1, r2] if repeat % 2 == 0 else [r2, r1]):
                times[records].append(run_flink(keys, m, records, args, env, log_dir, mode="source-only")["seconds"])
        t1, t2 = statistics.median(times[r1]), statistics.median(times[r2])
        rate = f"{(r2 - r1) / (t2 - t1) / 1e6:.2f} M rec/s" if t2 > t1 else "n/a (noise)"
        print(f"keys={keys} per-key-per-window={m}  flink datagen alone {rate} (marginal, "
              f"{millions(r1)}->{millions(r2)}; median {t1:.2f} s / {t2:.2f} s)", flush=True)


def marginal(r1, r2, t1, t2):
    """(R2 - R1) / (t2 - t1) in M rec/s, or None when noise made t2 <= t1."""
    return (r2 - r1) / (t2 - t1) / 1e6 if t2 > t1 else None


def run_cell(keys, m, sizes, args, sluice_binary, env, log_dir):
    """Alternates Sluice and Flink runs of one cell; Sluice runs at R2 (its figure) and, unless
    --sluice-records is given, also at R1 for its own marginal rate (shown, not compared)."""
    r1, r2 = sizes
    sluice_sizes = [args.sluice_records] if args.sluice_records else [r2, r1]
    sluice_rates = {size: [] for size in sluice_sizes}
    sluice_cpu = {size: [] for size in sluice_sizes}
    flink_times, flink_cpu = {r1: [], r2: []}, {r1: [], r2: []}
    sluice_rss, flink_rss = [], []
    steps = [("sluice", sluice_sizes[0]), ("flink", r1), ("flink", r2)] + \
        ([("sluice", sluice_sizes[1])] if len(sluice_sizes) > 1 else [])
    for repeat in range(args.repeats):
        notes = []
        for side, records in (steps if repeat % 2 == 0 else list(reversed(steps))):
            if side == "sluice":
                rate, rss, cpu = run_sluice(sluice_binary, keys, m, records, log_dir)
                sluice_rates[records].append(rate)
                sluice_cpu[records].append(cpu)
                sluice_rss.append(rss)
                notes.append(f"sluice {millions(records)} {rate:.2f} M rec/s (cpu {cpu:.1f} s, {mib(rss)})")
            else:
                result = run_flink(keys, m, records, args, env, log_dir)
                flink_times[records].append(result["seconds"])
                flink_cpu[records].append(result.get("jvm_cpu_seconds"))
                flink_rss.append(result.get("peak_rss_kib", 0))
                notes.append(f"flink {millions(records)} {result['seconds']:.2f} s "
                             f"(jvm cpu {result.get('jvm_cpu_seconds', 0):.1f} s, {mib(result.get('peak_rss_kib', 0))})")
        print(f"  keys={keys} per-key-per-window={m} run {repeat + 1}: " + ", ".join(notes), flush=True)
    t1, t2 = statistics.median(flink_times[r1]), statistics.median(flink_times[r2])
    cell = {"keys": keys, "m": m, "r1": r1, "r2": r2, "sluice_records": sluice_sizes[0],
            "sluice": statistics.median(sluice_rates[sluice_sizes[0]]), "flink": marginal(r1, r2, t1, t2),
            "t1": t1, "t2": t2, "sluice_rss": max(sluice_rss), "flink_rss": max(flink_rss),
            "sluice_marginal": None, "sluice_cpu_ns": None,
            "flink_cpu_ns": cpu_per_record(r1, r2, flink_cpu[r1], flink_cpu[r2])}
    if len(sluice_sizes) > 1:
        # The bench's rate is records / seconds, so its time is records / rate.
        s1 = r1 / (statistics.median(sluice_rates[r1]) * 1e6)
        s2 = r2 / (statistics.median(sluice_rates[r2]) * 1e6)
        cell["sluice_marginal"] = marginal(r1, r2, s1, s2)
        cell["sluice_cpu_ns"] = cpu_per_record(r1, r2, sluice_cpu[r1], sluice_cpu[r2])
    return cell


def cpu_per_record(r1, r2, cpu1, cpu2):
    """Marginal CPU nanoseconds per record, all threads: (median cpu(R2) - median cpu(R1)) / (R2 - R1)."""
    if None in cpu1 or None in cpu2:
        return None
    difference = statistics.median(cpu2) - statistics.median(cpu1)
    return difference / (r2 - r1) * 1e9 if difference > 0 else None


def nanoseconds(value):
    return f"{value:.0f} ns" if value is not None else "n/a"


def cell_line(cell):
    if cell["flink"] is None:
        flink = (f"flink n/a (median t({millions(cell['r2'])}) {cell['t2']:.2f} s <= "
                 f"t({millions(cell['r1'])}) {cell['t1']:.2f} s: noise, rerun with more repeats or sizes)")
        return f"keys={cell['keys']} per-key-per-window={cell['m']}  sluice {cell['sluice']:.2f} M rec/s  {flink}"
    ratio = cell["sluice"] / cell["flink"]
    verdict = "met" if ratio >= TARGET_RATIO else "not met"
    line = (f"keys={cell['keys']} per-key-per-window={cell['m']}  sluice {cell['sluice']:.2f} M rec/s  "
            f"flink {cell['flink']:.2f} M rec/s (marginal, {millions(cell['r1'])}->{millions(cell['r2'])})  "
            f"ratio {ratio:.2f}x  [>=2x: {verdict}]")
    if cell["sluice_marginal"] is not None:
        line += (f"  (sluice's own marginal rate {cell['sluice_marginal']:.2f} M rec/s: "
                 f"{cell['sluice_marginal'] / cell['flink']:.2f}x; marginal CPU per record, all threads: "
                 f"sluice {nanoseconds(cell['sluice_cpu_ns'])}, flink {nanoseconds(cell['flink_cpu_ns'])})")
    return line


def markdown(cells, repeats):
    rows = ["| keys | records per key per window | Sluice | Flink 2.3 local, marginal | Sluice / Flink | ≥ 2× "
            "| CPU per record, marginal, Sluice / Flink | peak RSS Sluice / Flink |",
            "|---|---|---|---|---|---|---|---|"]
    for c in cells:
        sluice = f"{c['sluice']:.2f} M rec/s ({millions(c['sluice_records'])} records, median of {repeats})"
        if c["flink"] is None:
            flink, ratio, verdict = "n/a (noise)", "n/a", "n/a"
        else:
            flink = f"{c['flink']:.2f} M rec/s ({millions(c['r1'])} → {millions(c['r2'])})"
            ratio = f"**{c['sluice'] / c['flink']:.2f}×**"
            verdict = "met" if c["sluice"] / c["flink"] >= TARGET_RATIO else "not met"
        rows.append(f"| {c['keys']:,} | {c['m']:,} | {sluice} | {flink} | {ratio} | {verdict} | "
                    f"{nanoseconds(c['sluice_cpu_ns'])} / {nanoseconds(c['flink_cpu_ns'])} | "
                    f"{mib(c['sluice_rss'])} / {mib(c['flink_rss'])} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(
        description="Sluice's engine vs Flink 2.3 local on a keyed 1 s tumbling count (see the header of this file)")
    parser.add_argument("--install", action="store_true", help=f"install {FLINK_PACKAGE} into {VENV} and exit")
    parser.add_argument("--check", action="store_true",
                        help="check Flink's window counts against the generator shape on small inputs, then exit")
    parser.add_argument("--check-records", type=int, help="rows per --check cell (default 2.5 windows, at most 3 M)")
    parser.add_argument("--flink-source-only", action="store_true",
                        help="Flink's datagen alone (no window) at the cells' sizes: the source's marginal rate, then exit")
    parser.add_argument("--cells", help="comma-separated KEYSxM, e.g. 1000x1,1000000x1000 (default: the six cells)")
    parser.add_argument("--sizes", help="R1,R2 for Flink's marginal rate, for every cell "
                                        "(default 3M,12M with M = 1; 10M,40M at 1000 keys and 5M,20M above with M = 1000)")
    parser.add_argument("--sluice-records", type=int, help="records per Sluice run (default R2)")
    parser.add_argument("--repeats", type=int, help="runs of each size (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200K -> 1M rows (M = 1), 1M -> 5M (M = 1000), 1 repeat")
    parser.add_argument("--sluice-bin", help="a built sluice-engine-bench to use instead of building one")
    parser.add_argument("--flink-heap", default="4g", help="the Flink JVM's heap, -Xms and -Xmx (default 4g)")
    parser.add_argument("--flink-managed", default="512m", help="Flink's managed memory (default 512m)")
    parser.add_argument("--flink-set", action="append", default=[], metavar="KEY=VALUE",
                        help="one more Flink option for every Flink run (repeatable), to try a tuning; "
                             "the line printed before the results lists them")
    args = parser.parse_args()
    command = "python3 Benchmarks/Flink/compare.py" + "".join(" " + shlex.quote(a) for a in sys.argv[1:])

    if args.install:
        install()
        return
    for setting in args.flink_set:
        if not re.fullmatch(r"[\w.-]+=.+", setting):
            raise Failure(f"--flink-set: '{setting}' is not KEY=VALUE")
    version = require_flink()
    env = java_environment(args.flink_heap)
    java = java_version(env)
    log_dir = tempfile.mkdtemp(prefix="sluice-flink-")
    if args.check:
        cells = parse_cells(args.cells) if args.cells else DEFAULT_CHECK_CELLS
        print(f"# {version}, {java}; logs in {log_dir}", flush=True)
        run_check(cells, args, env, log_dir)
        return

    cells = parse_cells(args.cells) if args.cells else DEFAULT_CELLS
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.repeats < 1:
        raise Failure(f"--repeats {args.repeats}: at least 1")
    sizes = parse_sizes(args.sizes) if args.sizes else None
    if args.flink_source_only:
        print(f"# {version}, {java}; logs in {log_dir}", flush=True)
        run_source_only(cells, lambda keys, m: sizes or default_sizes(keys, m, args.quick), args, env, log_dir)
        return
    sluice_binary = args.sluice_bin or build_sluice()
    if not os.access(sluice_binary, os.X_OK):
        raise Failure(f"{sluice_binary} is not an executable sluice-engine-bench")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, sluice {commit or '?'}, {version}, {java}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
          + (f", Flink options added: {' '.join(args.flink_set)}" if args.flink_set else "")
          + f"; logs in {log_dir}", flush=True)

    results = []
    for keys, m in cells:
        results.append(run_cell(keys, m, sizes or default_sizes(keys, m, args.quick), args, sluice_binary, env, log_dir))
        print(cell_line(results[-1]), flush=True)

    print("\n" + "\n".join(cell_line(c) for c in results))
    print(f"\n{markdown(results, args.repeats)}\n")
    print(f"Command: `{command}`")


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"compare.py: {failure}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("compare.py: interrupted", file=sys.stderr)
        sys.exit(130)
