#!/usr/bin/env bash
# Restart benchmark: the word-count example on Tansu, fed continuously, killed with SIGKILL and
# started again at once with the same --worker-id; prints the seconds from the restart (the
# new process spawned) to its first committed checkpoint, read from the job's metrics endpoint
# (sluice_checkpoints_total), for static and dynamic group membership, with librdkafka's
# default timeouts and with the examples' (session 6 s, max poll 10 s, heartbeat 500 ms,
# checkpoints every 500 ms).
#
#   scripts/bench-restart.sh [--runs N] [--debug]
#
# --runs: runs per case (3 by default); --debug: use the debug build instead of building a
# release one. Every run gets a fresh Tansu broker: Tansu keeps a group's session timeout from
# its first member, and the job's checkpoint topics from run to run. Needs scripts/setup.sh
# (Tansu, librdkafka 2.16).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=3
configuration=release
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --debug) configuration=debug; shift ;;
    *) echo "usage: scripts/bench-restart.sh [--runs N] [--debug]" >&2; exit 64 ;;
  esac
done
bash scripts/setup.sh >/dev/null
if [ "$configuration" = release ]; then swift build -c release --product word-count >&2; fi
bin="$(swift build -c "$configuration" --show-bin-path)/word-count"
[ -x "$bin" ] || { echo "missing $bin: build it first (swift build --product word-count)" >&2; exit 1; }

exec .venv/bin/python - "$bin" "$runs" <<'PY'
import os, signal, socket, subprocess, sys, threading, time, urllib.request
from confluent_kafka import Producer

binary, runs = sys.argv[1], int(sys.argv[2])
root = os.getcwd()
env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(root, ".venv/librdkafka-2.16"))
TIMEOUTS = {
    "default": [],
    "examples": ["--checkpoint-interval", "500ms", "--property", "session.timeout.ms=6000",
                 "--property", "max.poll.interval.ms=10000", "--property", "heartbeat.interval.ms=500"],
}

def start_tansu():
    broker = subprocess.Popen([".venv/bin/python", "scripts/brokers.py", "tansu", "--topic", "sentences:3",
                               "--topic", "word-counts:3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = broker.stdout.readline().strip()
    if not line.startswith("BOOTSTRAP="):
        raise SystemExit(f"Tansu did not start: {line!r}")
    return broker, line.split("=", 1)[1]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def feed(bootstrap, stop):
    """Sentences at about 200 a second, event time advancing with the wall clock."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    words = "the quick brown fox jumps over the lazy dog".split()
    i = 0
    while not stop.is_set():
        for _ in range(20):
            producer.produce("sentences", value=" ".join(words[(i + k) % 9] for k in range(4)).encode(),
                             partition=i % 3, timestamp=int(time.time() * 1000))
            i += 1
        producer.poll(0)
        time.sleep(0.1)
    producer.flush(10)

def checkpoints(port):
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1).read().decode()
    except OSError:
        return 0
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith("sluice_checkpoints_total"))

def first_checkpoint(process, port, started, limit=600):
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"word-count exited with {process.returncode} before its first checkpoint")
        if checkpoints(port) > 0:
            return time.monotonic() - started
        time.sleep(0.1)
    raise SystemExit(f"no committed checkpoint within {limit} s")

def job(bootstrap, membership, timeouts, port):
    arguments = [binary, "run", "--bootstrap", bootstrap, "--worker-id", "bench", "--consumer-membership", membership,
                 "--metrics-port", str(port)] + TIMEOUTS[timeouts]
    return subprocess.Popen(arguments, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def run_once(membership, timeouts):
    broker, bootstrap = start_tansu()
    stop = threading.Event()
    feeder = threading.Thread(target=feed, args=(bootstrap, stop))
    feeder.start()
    try:
        port = free_port()
        first = job(bootstrap, membership, timeouts, port)
        first_checkpoint(first, port, time.monotonic())
        time.sleep(5)
        first.send_signal(signal.SIGKILL)
        first.wait()
        port = free_port()
        restarted = time.monotonic()
        second = job(bootstrap, membership, timeouts, port)
        seconds = first_checkpoint(second, port, restarted)
        second.send_signal(signal.SIGTERM)
        second.wait(60)
        return seconds
    finally:
        stop.set()
        feeder.join()
        broker.stdin.close()
        broker.wait(30)

results = {}
print(f"word-count on Tansu, SIGKILL then a restart with the same --worker-id: seconds from the restart to its first committed checkpoint ({os.path.basename(os.path.dirname(binary))} build)", flush=True)
for timeouts in ["default", "examples"]:
    for membership in ["static", "dynamic"]:
        for run in range(runs):
            seconds = run_once(membership, timeouts)
            results.setdefault((timeouts, membership), []).append(seconds)
            print(f"  {timeouts} timeouts, {membership} membership, run {run + 1}: {seconds:.1f} s", flush=True)
print()
print(f"{'timeouts':<10} {'membership':<11} seconds")
for (timeouts, membership), values in results.items():
    print(f"{timeouts:<10} {membership:<11} " + ", ".join(f"{v:.1f}" for v in values))
PY
