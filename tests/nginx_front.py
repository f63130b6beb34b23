"""deploy/nginx.conf run by Debian's nginx on loopback in front of `publish.py serve` processes,
shared by tests/web/test_deploy_nginx.py (which checks what the file promises) and
benchmarks/bench_serve_workers.py `--nginx` (which measures it).

It runs the repository's file itself. Only what must differ on a test machine is substituted
(`deployed_conf`): the ports, and the system folders for the pid file, logs, cache and temporary
files, which move under a folder of its own so nginx runs without touching /var.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT, free_port, wait_for_http

NGINX = "/usr/sbin/nginx"
CONF = ROOT / "deploy" / "nginx.conf"
# System folders the production file names, each moved under nginx's own folder.
SYSTEM_FOLDERS = ("/run/", "/var/log/nginx/", "/var/cache/nginx/")
UPSTREAM = re.compile(r"server 127\.0\.0\.1:(\d+)")
LISTEN = re.compile(r"listen 127\.0\.0\.1:\d+;")


def deployed_conf(text: str, prefix: Path, listen: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with these ports and folders; anything else left as written.

    Fails when the file no longer has the two upstream lines or the listen line this expects, so
    a change of shape is noticed here rather than tested against a stale assumption."""
    found = UPSTREAM.findall(text)
    assert len(found) == len(upstreams) and len(LISTEN.findall(text)) == 1, "conf shape changed"
    ports = iter(upstreams)
    text = UPSTREAM.sub(lambda _: f"server 127.0.0.1:{next(ports)}", text)
    text = LISTEN.sub(f"listen 127.0.0.1:{listen};", text)
    for folder in SYSTEM_FOLDERS:
        text = text.replace(folder, f"{prefix}/")
    return text


@contextlib.contextmanager
def nginx_in_front(upstreams: list[int], conf_file: Path = CONF) -> Iterator[str]:
    """nginx from deploy/nginx.conf (or `conf_file`, another version of it) on a free port, in
    front of the servers on `upstreams` (as many as the file's upstream lines), with a folder of
    its own (so an empty cache); its address. Fails if nginx logged an `[emerg]`."""
    # A folder any nginx worker can enter: as root, nginx runs its workers as `nobody`, and
    # pytest's own temporary folders are private to the user.
    prefix = Path(tempfile.mkdtemp(prefix="jendela-nginx-"))
    prefix.chmod(0o755)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(deployed_conf(conf_file.read_text(), prefix, port, upstreams))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json", seconds=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.terminate()
        output = nginx.communicate(timeout=10)[0].decode()
        errors = (prefix / "jendela-error.log").read_text() if prefix.exists() else ""
        shutil.rmtree(prefix, ignore_errors=True)
        assert "[emerg]" not in output + errors, output + errors
