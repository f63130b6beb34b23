"""The `frictionless` command line, run many times without paying its start-up each time.

Starting `frictionless` costs about half a CPU second, most of it importing frictionless and its
dependencies; validating a small package costs a fraction of that. The suite validates about
ninety packages, so it starts one Python process that imports frictionless's command-line
module once (`python tests/frictionless_cli.py`), then forks a child per run. The child is the
command a user types, started from a warm interpreter: it changes to the asked folder, sets
`sys.argv`, points its stdout and stderr at files and calls the same `console` entry point that
the installed `frictionless` script calls. The parent never validates anything, so every child
starts from the state of a freshly imported frictionless, exactly as a new process would.

The protocol is one JSON line per run on the server's stdin ({"cwd", "args", "out", "err"}),
answered by one line with the child's exit code.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path


class Runner:
    """The client side, one per test process: `run(cwd, args)` -> (exit code, stdout, stderr)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._scratch = Path(tempfile.mkdtemp(prefix="frictionless-"))  # the child's output

    def run(self, cwd: Path, args: list[str], timeout: float = 600) -> tuple[int, str, str]:
        """Like `subprocess.run` with a timeout: a run that outlasts it stops the server and
        its child (one process group) and raises TimeoutError."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = subprocess.Popen(
                    [sys.executable, __file__],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            out, err = self._scratch / "frictionless.out", self._scratch / "frictionless.err"
            request = {"cwd": str(cwd), "args": args, "out": str(out), "err": str(err)}
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            # One answer line per request, read whole: nothing waits in Python's buffer here.
            if not select.select([self._process.stdout], [], [], timeout)[0]:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
                self._process = None
                raise TimeoutError(f"frictionless {' '.join(args)} in {cwd}: over {timeout} s")
            answer = self._process.stdout.readline()
            if not answer:
                raise RuntimeError("the frictionless runner stopped; see the test's stderr")
            code = json.loads(answer)["code"]
            texts = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
            out.unlink()
            err.unlink()
            return code, *texts

    def close(self) -> None:
        """Stop the server (it ends when its stdin closes) and remove the scratch folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
        shutil.rmtree(self._scratch, ignore_errors=True)


def _child(request: dict) -> int:
    """The `frictionless` console script's body, in the forked child."""
    from frictionless.__main__ import console

    os.chdir(request["cwd"])
    for fd, name in ((1, "out"), (2, "err")):
        target = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["frictionless", *request["args"]]
    try:
        console()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def _serve() -> None:
    import frictionless.__main__  # noqa: F401  (the start-up every child then shares)

    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(request)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    _serve()
