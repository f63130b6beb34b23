"""Commands started as children forked from a warm interpreter instead of as new processes.

Most of what starting `frictionless` or `publish.py serve` costs is importing: about half a CPU
second for frictionless, 1.2-1.6 s for the server (Datasette, pandas through sqlite-utils, our
plugin), against 0.5 s for the server's own start once that is done. The suite validates about
ninety packages and starts about twenty-five servers. So a launcher per test process,
`python tests/forked.py [--path DIR] MODULE...`, imports the command's modules once and forks a
child per request. The child is the command a user types, started from a warm interpreter: it
changes to the asked folder, takes the asked environment, sets `sys.argv`, reads its stdin from
/dev/null, writes its stdout and stderr to the asked files, and calls the same entry point the
installed script calls (`frictionless.__main__:console`, `publish:main`). The launcher never runs
a command itself, so every child starts from the state of freshly imported modules, as a new
process would. A child is a real process: a server listens on its own port, is stopped with
SIGTERM and ends as the command does.

The protocol is one JSON line per request on the launcher's stdin, answered by one line:
- {"op": "run", ...} -> {"code": exit code}, once the child has ended (a command);
- {"op": "start", ...} -> {"pid": process id}, at once (a server, which runs until stopped);
- {"op": "poll", "pid": ...} -> {"code": exit code, or null while it runs}.
When its stdin closes (the test process ended), the launcher stops the children it started.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path


class Launcher:
    """The client side, one per test process and set of modules."""

    def __init__(self, *modules: str, path: Path | None = None) -> None:
        self._command = [sys.executable, __file__]
        if path is not None:
            self._command += ["--path", str(path)]
        self._command += list(modules)
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._scratch = Path(tempfile.mkdtemp(prefix="forked-"))  # a command's output files

    def _ask(self, request: dict, timeout: float) -> dict:
        """One request and its answer. An answer that takes over `timeout` stops the launcher
        and its children (one process group) and raises TimeoutError."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = subprocess.Popen(
                    self._command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            # One answer line per request, read whole: nothing waits in Python's buffer here.
            if not select.select([self._process.stdout], [], [], timeout)[0]:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
                self._process = None
                asked = (
                    f"{' '.join(request['argv'])} in {request['cwd']}"
                    if "argv" in request
                    else f"{request['op']} {request.get('pid')}"
                )
                raise TimeoutError(f"{asked}: no answer from the launcher within {timeout} s")
            answer = self._process.stdout.readline()
            if not answer:
                raise RuntimeError("the launcher stopped; see the test's stderr")
            return json.loads(answer)

    def run(
        self, cwd: Path, entry: str, argv: list[str], timeout: float = 600
    ) -> tuple[int, str, str]:
        """Like `subprocess.run` with a timeout: (exit code, stdout, stderr)."""
        out, err = self._scratch / "command.out", self._scratch / "command.err"
        request = {"op": "run", "cwd": str(cwd), "entry": entry, "argv": argv,
                   "out": str(out), "err": str(err)}  # fmt: skip
        code = self._ask(request, timeout)["code"]
        texts = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
        out.unlink()
        err.unlink()
        return code, *texts

    def start(
        self, cwd: Path, entry: str, argv: list[str], log: Path, env: dict[str, str]
    ) -> ForkedProcess:
        """A long-running child (a server) writing stdout and stderr to `log`."""
        request = {"op": "start", "cwd": str(cwd), "entry": entry, "argv": argv,
                   "out": str(log), "err": None, "env": env}  # fmt: skip
        return ForkedProcess(self, self._ask(request, 60)["pid"], argv)

    def poll(self, pid: int) -> int | None:
        return self._ask({"op": "poll", "pid": pid}, 60)["code"]

    def close(self) -> None:
        """Stop the launcher (it ends when its stdin closes) and remove the scratch folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=60)
        shutil.rmtree(self._scratch, ignore_errors=True)


class ForkedProcess:
    """A started child, with the part of `subprocess.Popen` the tests use."""

    def __init__(self, launcher: Launcher, pid: int, argv: list[str]) -> None:
        self._launcher = launcher
        self.pid = pid
        self.args = argv
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._launcher.poll(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:  # never signal a process id that may have been reused
            os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _child(request: dict) -> int:
    """The command's body, in the forked child."""
    os.chdir(request["cwd"])
    if request.get("env") is not None:
        os.environ.clear()
        os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    out = os.open(request["out"], flags, 0o644)
    err = out if request["err"] is None else os.open(request["err"], flags, 0o644)
    for fd, target in ((1, out), (2, err)):
        os.dup2(target, fd)
    for target in {out, err}:
        os.close(target)
    module, function = request["entry"].split(":")
    sys.argv = list(request["argv"])
    try:
        result = getattr(importlib.import_module(module), function)()
        code = result if isinstance(result, int) else 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def _fork(request: dict) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(request)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def _exit_code(pid: int, block: bool) -> int | None:
    done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    return os.waitstatus_to_exitcode(status) if done else None


def _stop(started: dict[int, int | None]) -> None:
    """SIGTERM to every started child still running, then SIGKILL to any left after 10 s."""
    running = [pid for pid, code in started.items() if code is None]
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while running and time.monotonic() < deadline:
        running = [pid for pid in running if _exit_code(pid, block=False) is None]
        time.sleep(0.05)
    for pid in running:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _serve(modules: list[str]) -> None:
    for module in modules:
        importlib.import_module(module)  # the start-up every child then shares
    answers = sys.stdout
    started: dict[int, int | None] = {}  # pid -> exit code once reaped
    try:
        for line in sys.stdin:
            request = json.loads(line)
            if request["op"] == "run":
                answer = {"code": _exit_code(_fork(request), block=True)}
            elif request["op"] == "start":
                pid = _fork(request)
                started[pid] = None
                answer = {"pid": pid}
            else:  # poll
                pid = request["pid"]
                if started.get(pid) is None:
                    started[pid] = _exit_code(pid, block=False)
                answer = {"code": started[pid]}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
    finally:
        _stop(started)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--path"]:
        sys.path.insert(0, arguments[1])
        arguments = arguments[2:]
    _serve(arguments)
