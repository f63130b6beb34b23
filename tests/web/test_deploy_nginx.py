"""The repository's deploy/nginx.conf, started with Debian's nginx on loopback in front of two real
`publish.py serve` processes over the same release: it balances, survives a dead server,
compresses and caches downloads, as docs/deploy.md says.

The test runs the file itself (tests/nginx_front.py). Only what must differ on a test machine is
substituted (`deployed_conf`): the three ports, and the system folders for the pid file, logs,
cache and temporary files, which move under the test's own folder so nginx runs without
touching /var.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import ENDLESS_QUERY, Server
from nginx_front import CONF, LISTEN, SYSTEM_FOLDERS, UPSTREAM, deployed_conf, nginx_in_front

CSV = "/downloads/penduduk-kota-bogor/penduduk.csv"
# The one part of a table page that differs between two requests: how long its queries took.
# The footer's query time ("Kueri memakan waktu 1.2 ms" on an Indonesian page) differs per request.
QUERY_TIME = re.compile(rb"(Kueri memakan waktu|Queries took) [\d.]+ ms")
DEPLOYED = ("--setting", "num_sql_threads", "0")  # as docs/deploy.md runs servers behind nginx


def requests_seen(server: Server, marker: str) -> int:
    """How many requests carrying `marker` this server's own access log shows (the log is the
    server's evidence: nothing is added to the answers for the test)."""
    server.log.flush()
    server.log.seek(0)
    return server.log.read().decode("utf-8", "replace").count(marker)


@pytest.fixture(scope="module")
def server_pair(built_catalog) -> Iterator[list[Server]]:
    """Two servers of the sample build, shared by the module's tests (a start costs a second
    or two); a test that stops one gets it started again by the next `deployment`."""
    servers = [Server(built_catalog, DEPLOYED), Server(built_catalog, DEPLOYED)]
    yield servers
    for server in servers:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
def deployment(built_catalog, server_pair) -> Iterator[tuple[str, list[Server]]]:
    """nginx from deploy/nginx.conf on a free port (its own prefix, so an empty cache), the two
    servers behind it."""
    for number, server in enumerate(server_pair):
        if server.process.poll() is not None:
            server_pair[number] = Server(built_catalog, DEPLOYED)
    servers = list(server_pair)
    with nginx_in_front([s.port for s in servers]) as url:
        yield url, servers


def test_nginx_answers_what_the_servers_answer(deployment):
    url, servers = deployment
    direct = servers[0].url
    for path in (
        "/",
        "/dataset/penduduk-kota-bogor/",
        "/jendela/penduduk",
        "/jendela/penduduk.json?_shape=array",
        CSV,
    ):
        through = httpx.get(url + path)
        plain = httpx.get(direct + path)
        assert through.status_code == plain.status_code == 200, path
        # Pages name the host they were asked on: nginx passes its own on (Host).
        expected = plain.content.replace(direct.encode(), url.encode())
        assert QUERY_TIME.sub(b"", through.content) == QUERY_TIME.sub(b"", expected), path


def test_requests_reach_both_servers_and_survive_one_stopping(deployment):
    url, (first, second) = deployment
    with httpx.Client(base_url=url) as client:
        for number in range(12):
            assert client.get(f"/-/versions.json?balanced={number}").status_code == 200
        assert requests_seen(first, "balanced=") > 0 and requests_seen(second, "balanced=") > 0

        first.stop()
        answers = [client.get(f"/-/versions.json?after={n}").status_code for n in range(20)]
        assert answers == [200] * 20
        assert requests_seen(second, "after=") == 20


def test_a_server_busy_with_a_slow_query_gets_no_other_request(deployment):
    """`least_conn`: while one server runs a query until its 3 s time limit stops it (its event
    loop held: num_sql_threads is 0 there, as deployed), every other request goes to the idle
    server. Round robin would send every second one to the busy server, to wait there."""
    url, servers = deployment
    with httpx.Client(base_url=url, timeout=30) as client, ThreadPoolExecutor(1) as pool:
        endless = {"sql": ENDLESS_QUERY, "slow": 1}
        running = pool.submit(client.get, "/jendela/-/query.json", params=endless)
        time.sleep(0.5)  # nginx has passed it on; it runs for 3 s
        quick = [client.get(f"/-/versions.json?quick={n}").status_code for n in range(6)]
        assert quick == [200] * 6
        assert not running.done()  # the quick requests were all answered while it ran
        assert running.result().status_code == 400  # stopped by the time limit
    (busy,) = [server for server in servers if requests_seen(server, "slow=1")]
    (idle,) = [server for server in servers if server is not busy]
    assert requests_seen(busy, "quick=") == 0
    assert requests_seen(idle, "quick=") == 6


def test_json_is_compressed_by_nginx(deployment):
    url, servers = deployment
    path = "/jendela/penduduk.json?_shape=array"
    with httpx.stream("GET", url + path, headers={"Accept-Encoding": "gzip"}) as answer:
        body = b"".join(answer.iter_raw())
        assert answer.headers["content-encoding"] == "gzip"
    plain = httpx.get(servers[1].url + path, headers={"Accept-Encoding": "identity"}).content
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2


def test_a_download_is_cached_after_its_first_request(deployment, built_catalog):
    url, _ = deployment
    expected = (built_catalog / "site" / CSV.lstrip("/")).read_bytes()
    statuses = []
    for _ in range(2):
        answer = httpx.get(url + CSV, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200 and answer.content == expected
        statuses.append(answer.headers.get("x-cache"))
    assert statuses == ["MISS", "HIT"]


def test_the_substitution_changes_only_ports_and_folders():
    """What the tests run is the repository's file: line for line the same, except the lines
    naming a port or one of the system folders."""
    original = CONF.read_text().splitlines()
    deployed = deployed_conf(CONF.read_text(), Path("/t"), 9, [7, 8]).splitlines()
    assert len(deployed) == len(original)
    changed = [was for was, now in zip(original, deployed, strict=True) if was != now]
    assert changed and all(
        UPSTREAM.search(line) or LISTEN.search(line) or any(f in line for f in SYSTEM_FOLDERS)
        for line in changed
    ), changed
