#!/usr/bin/env python3
"""Start a throw-away PostgreSQL server for Sluice's tests and examples, and keep it running
until told to stop; then stop it and delete its files.

    python3 scripts/postgres.py [--port P] [--max-prepared-transactions N] [--password PW]

It uses Debian's `postgresql` (scripts/setup.sh installs it): initdb into a new temporary
directory, then `postgres` on 127.0.0.1 and a free port (or --port), with
max_prepared_transactions = N (64 by default; 0 for a server without prepared transactions)
and fsync off (a test server: a crash of the process loses nothing, only one of the machine
would). PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user
(created by Debian's package), or `nobody`.

Protocol with the parent (the same as scripts/brokers.py):
  * When the server accepts connections, exactly one line
    `POSTGRES=postgresql://sluice@127.0.0.1:PORT/sluice` is printed on stdout (the user
    `sluice` owns the database `sluice`; without --password it needs none, with --password
    TCP logins need that password, which is never printed). Logs go to stderr; the server's
    own log to broker-logs/postgres-<port>-<pid>.log.
  * stdin stays open while the server should run. EOF on stdin, SIGTERM, SIGINT, SIGHUP or a
    change of the parent pid stop the server and delete its directory. The server also gets
    PR_SET_PDEATHSIG(SIGKILL), so it dies with us even if we are killed with SIGKILL; a
    directory left behind that way is deleted by the next start.
  * Each line written to stdin is a command; each gets exactly one reply line on stdout,
    `OK ...` or `ERR <message>`:
        ping
        query SQL            run SQL with psql as the superuser in database sluice; the reply is
                             `OK ` and a JSON list of rows, each a list of strings or nulls
        stop-server          fast shutdown (connections end, the port is closed; data kept)
        start-server         start the stopped server again on the same port and data
        kill-server          SIGKILL the server (crash recovery at the next start-server)
        stop                 same as closing stdin
Use --ignore-stdin to run by hand in the background (then only signals and the parent pid
stop it).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_DIR = os.path.join(ROOT, "broker-logs")
PR_SET_PDEATHSIG = 1
DIR_PREFIX = "sluice-postgres-"
USER = "sluice"
DATABASE = "sluice"

_stdout_lock = threading.Lock()
_stop = threading.Event()
_stop_reason = ["running"]


def log(msg: str) -> None:
    # The parent may be gone with the read end of stderr: cleaning up matters more than the line.
    try:
        sys.stderr.write(f"postgres.py[{os.getpid()}]: {msg}\n")
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass


def say(line: str) -> None:
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


def bin_dir() -> str:
    """The newest installed PostgreSQL's bin directory (Debian keeps initdb and postgres there)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("postgres.py: PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb); "
                         "run scripts/setup.sh first")
    return os.path.dirname(found[-1])


def server_user() -> pwd.struct_passwd | None:
    """Whom the server runs as: None (ourselves) unless we are root, who may not run it."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise SystemExit("postgres.py: running as root, and neither a postgres nor a nobody user exists to run the server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remove_stale_directories() -> None:
    """Deletes directories of earlier runs whose launcher died without cleaning up."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), DIR_PREFIX + "*")):
        try:
            with open(os.path.join(path, "launcher.pid")) as f:
                pid = int(f.read().strip())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, ValueError):
            continue


def tail(path: str, limit: int = 2000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            return f.read().decode(errors="replace").strip()
    except OSError:
        return ""


class Postgres:
    def __init__(self, port: int | None, max_prepared: int, password: str | None, start_timeout: float) -> None:
        self.bin = bin_dir()
        self.user = server_user()
        self.max_prepared = max_prepared
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        remove_stale_directories()
        self.directory = tempfile.mkdtemp(prefix=DIR_PREFIX)
        with open(os.path.join(self.directory, "launcher.pid"), "w") as f:
            f.write(str(os.getpid()))
        self.data = os.path.join(self.directory, "data")
        if self.user:
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        os.makedirs(LOG_DIR, exist_ok=True)
        self.initdb(password)
        attempts = 1 if port else 3
        last_error = ""
        for _ in range(attempts):
            self.port = port or free_port()
            self.log_path = os.path.join(LOG_DIR, f"postgres-{self.port}-{os.getpid()}.log")
            last_error = self.start()
            if not last_error:
                self.psql_superuser(f"CREATE DATABASE {DATABASE} OWNER {USER}", database="postgres")
                self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"
                return
            if _stop.is_set():
                break
            log(last_error)
        self.remove()
        raise SystemExit(f"postgres.py: {last_error}")

    def run_as_server_user(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        if self.user:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return subprocess.run(args, cwd=self.directory, capture_output=True, text=True, **kwargs)

    def initdb(self, password: str | None) -> None:
        args = [os.path.join(self.bin, "initdb"), "-D", self.data, "-U", USER, "-E", "UTF8", "--locale=C", "--no-sync"]
        if password is None:
            args += ["--auth=trust"]
        else:
            pwfile = os.path.join(self.directory, "pwfile")
            with open(pwfile, "w") as f:
                f.write(password + "\n")
            if self.user:
                os.chown(pwfile, self.user.pw_uid, self.user.pw_gid)
            args += ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        done = self.run_as_server_user(args)
        if password is not None:
            os.remove(os.path.join(self.directory, "pwfile"))
        if done.returncode != 0:
            self.remove()
            raise SystemExit(f"postgres.py: initdb failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def _child_setup(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:
            os._exit(1)

    def start(self) -> str:
        """Starts the server on self.port; returns '' once it accepts connections, else why not."""
        args = [os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port), "-k", self.directory,
                "-c", "listen_addresses=127.0.0.1", "-c", f"max_prepared_transactions={self.max_prepared}",
                "-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"]
        kwargs = {}
        if self.user:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, cwd=self.directory,
                                         preexec_fn=self._child_setup, close_fds=True, **kwargs)
        log(f"postgres pid {self.proc.pid} on port {self.port}, log {self.log_path}")
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline and not _stop.is_set():
            if self.proc.poll() is not None:
                return f"postgres exited with {self.proc.returncode}: {tail(self.log_path)}"
            ready = self.run_as_server_user([os.path.join(self.bin, "pg_isready"), "-q", "-h", self.directory,
                                             "-p", str(self.port), "-U", USER, "-d", "postgres"])
            if ready.returncode == 0:
                return ""
            time.sleep(0.1)
        self.kill_server()
        return f"postgres did not accept connections on port {self.port}: {tail(self.log_path)}"

    def psql_superuser(self, sql: str, database: str = DATABASE) -> list[list[str | None]]:
        """Runs sql through the Unix socket (trusted) and returns the rows."""
        args = [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-P", "null=\x02NULL\x03",
                "-v", "ON_ERROR_STOP=1", "-h", self.directory, "-p", str(self.port), "-U", USER, "-d", database, "-c", sql]
        done = self.run_as_server_user(args)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().replace("\n", " ") or f"psql exited with {done.returncode}")
        rows = []
        for record in done.stdout.rstrip("\n").split("\x1e"):
            record = record.lstrip("\n")
            if record == "":
                continue
            rows.append([None if field == "\x02NULL\x03" else field for field in record.split("\x1f")])
        return rows

    def stop_server(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill_server()

    def kill_server(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self) -> bool:
        return True

    def command(self, words: list[str], raw: str) -> str:
        cmd = words[0]
        if cmd == "query":
            sql = raw.strip()[len("query"):].strip()
            try:
                return "OK " + json.dumps(self.psql_superuser(sql))
            except RuntimeError as e:
                return f"ERR {e}"
        if cmd == "stop-server":
            self.stop_server()
            return "OK"
        if cmd == "kill-server":
            self.kill_server()
            return "OK"
        if cmd == "start-server":
            if self.proc and self.proc.poll() is None:
                return "ERR the server is running"
            error = self.start()
            return f"ERR {error}" if error else "OK"
        return f"ERR unknown command {cmd!r}"

    def remove(self) -> None:
        self.stop_server()
        shutil.rmtree(self.directory, ignore_errors=True)


def serve_stdin(server: Postgres) -> None:
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        if words[0] == "stop":
            say("OK")
            break
        if words[0] == "ping":
            say("OK pong")
            continue
        say(server.command(words, raw))
    request_stop("stdin closed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, help="a fixed port instead of a free one")
    parser.add_argument("--max-prepared-transactions", type=int, default=64)
    parser.add_argument("--password", help="require this password of TCP logins (never printed)")
    parser.add_argument("--start-timeout", type=float, default=30.0)
    parser.add_argument("--ignore-stdin", action="store_true", help="do not stop on stdin EOF, ignore commands")
    args = parser.parse_args()

    parent = os.getppid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: request_stop(signal.Signals(signum).name))
    # A write to a parent that died raises instead of killing us before the server is removed.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    started = time.monotonic()
    server = Postgres(args.port, args.max_prepared_transactions, args.password, args.start_timeout)
    try:
        log(f"postgres ready in {time.monotonic() - started:.2f} s, max_prepared_transactions={args.max_prepared_transactions}")
        say(f"POSTGRES={server.url}")
        if not args.ignore_stdin:
            threading.Thread(target=serve_stdin, args=(server,), daemon=True).start()
        while not _stop.wait(0.25):
            if os.getppid() != parent:
                request_stop(f"parent {parent} is gone")
    finally:
        server.remove()
        log(f"stopped and removed ({_stop_reason[0]})")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)
