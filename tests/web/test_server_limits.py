"""A server that bad traffic cannot sink (issue 12 item 6), on a real `publish.py serve`.

User mistakes are 4xx with a bilingual message and never a traceback; a query cannot build a value
or an answer past the limits; facet arguments are de-duplicated and capped. Times are measured in
benchmarks/bench_load.py, not asserted here.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import ENDLESS_QUERY, Server

from pipelines.web.limits import MAX_FACETS, MAX_RESPONSE_BYTES, MAX_VALUE_BYTES


@pytest.fixture(scope="module")
def server(built_catalog):
    """A server of its own: the tests read its log."""
    running = Server(built_catalog)
    yield running
    running.stop()


def log_of(server) -> str:
    server.log.flush()
    server.log.seek(0)
    return server.log.read().decode("utf-8", errors="replace")


def get(server, path: str, **kwargs) -> httpx.Response:
    return httpx.get(server.url + path, timeout=60, **kwargs)


def test_not_found_answers_without_rendering_a_traceback(server):
    paths = [f"/nope-{n}" for n in range(4)] + [f"/jendela/nope-{n}.json" for n in range(4)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: get(server, p), paths))
    assert [a.status_code for a in answers] == [404] * 8
    assert answers[4].json()["error"] == (
        "Halaman, tabel, atau baris ini tidak ada. / This page, table or row does not exist. "
        "(Table not found)"
    )
    assert "Halaman, tabel, atau baris ini tidak ada." in answers[0].text
    log = log_of(server)
    assert "Traceback" not in log and "╭" not in log  # rich's traceback box never drawn


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_a_facet_on_a_missing_column_is_a_400_naming_it(server, suffix):
    answer = get(server, f"/jendela/penduduk{suffix}?_facet=nope")
    assert answer.status_code == 400
    text = answer.json()["error"] if suffix else answer.text
    assert "Faset" in text and "nope" in text
    if not suffix:  # an HTML page is in the reader's language; JSON says both
        cookies = {"jendela_lang": "en"}
        text = httpx.get(server.url + "/jendela/penduduk?_facet=nope", cookies=cookies).text
    assert "this table has no such column" in text


def test_posting_to_the_read_only_server_is_a_405(server):
    answer = httpx.post(server.url + "/jendela/-/query", data={"sql": "select 1"}, timeout=60)
    assert answer.status_code == 405
    assert "Metode POST tidak diizinkan: server ini hanya-baca." in answer.text
    assert "Method POST is not allowed: this server is read-only." in answer.text


def test_a_path_that_looks_like_another_host_is_not_a_500(server):
    answer = get(server, "/-//evil.example.com", follow_redirects=False)
    assert 400 <= answer.status_code < 500
    assert "evil.example.com" not in answer.headers.get("location", "")


def test_a_huge_value_fails_at_once_with_the_limit_named(server):
    sql = f"select length(randomblob({MAX_VALUE_BYTES + 1})) as n"
    answer = get(server, "/jendela/-/query.json", params={"sql": sql})
    assert answer.status_code == 400
    assert answer.json()["error"] == (
        f"Satu nilai dalam kueri melebihi batas {MAX_VALUE_BYTES // 1_000_000} MB. / "
        f"A value in the query is over the {MAX_VALUE_BYTES // 1_000_000} MB limit."
    )
    # Just under the limit still works: the limit is on size, not on the function.
    sql = f"select length(randomblob({MAX_VALUE_BYTES})) as n"
    answer = get(server, "/jendela/-/query.json", params={"sql": sql, "_shape": "array"})
    assert answer.json() == [{"n": MAX_VALUE_BYTES}]


def test_an_answer_over_the_size_cap_is_refused_whole(server):
    parts = -(-MAX_RESPONSE_BYTES // MAX_VALUE_BYTES) + 1  # enough values to pass the cap
    sql = " union all ".join(
        f"select {n} as n, randomblob({MAX_VALUE_BYTES - 10}) as b" for n in range(parts)
    )
    answer = get(server, "/jendela/-/query.json", params={"sql": sql})
    assert answer.status_code == 400
    assert len(answer.content) < 1000
    assert answer.json()["error"].startswith(
        f"Jawaban melebihi batas {MAX_RESPONSE_BYTES // 1_000_000} MB."
    )


def test_repeated_facets_count_once_and_too_many_are_refused(server):
    repeated = [("_facet", "jenis_kelamin")] * 400 + [("_size", "0")]
    once = [("_facet", "jenis_kelamin"), ("_size", "0")]
    many = get(server, "/jendela/penduduk.json", params=repeated)
    single = get(server, "/jendela/penduduk.json", params=once)
    assert many.status_code == 200
    assert many.json()["facet_results"] == single.json()["facet_results"]
    for facet in many.json()["facet_results"]["results"].values():
        for row in facet["results"]:
            assert row["toggle_url"].count("_facet=jenis_kelamin") <= 1

    columns = [f"c{n}" for n in range(MAX_FACETS + 1)]
    answer = get(server, "/jendela/penduduk.json", params=[("_facet", c) for c in columns])
    assert answer.status_code == 400
    assert answer.json()["error"] == (
        f"Terlalu banyak faset ({MAX_FACETS + 1}); paling banyak {MAX_FACETS} sekaligus. / "
        f"Too many facets ({MAX_FACETS + 1}); at most {MAX_FACETS} at once."
    )
    page = get(server, "/jendela/penduduk", params=[("_facet", c) for c in columns])
    assert page.status_code == 400 and "Terlalu banyak faset" in page.text


def test_an_error_page_shows_no_internals(server):
    answer = get(server, "/jendela/penduduk?_facet=nope")
    for internal in ("Traceback", "sqlite3", "OperationalError", "site-packages"):
        assert internal not in answer.text


def test_a_slow_query_does_not_hold_the_other_requests(server):
    """A server on its own (datasette.yaml: a pool of threads runs the queries) answers other
    requests while one query runs until its 3 s limit stops it. Run with num_sql_threads 0, as
    servers behind nginx are, the same server would hold them all until then."""
    with httpx.Client(base_url=server.url, timeout=30) as client, ThreadPoolExecutor(1) as pool:
        running = pool.submit(client.get, "/jendela/-/query.json", params={"sql": ENDLESS_QUERY})
        time.sleep(0.5)  # the query has started; it runs for 3 s
        quick = [client.get("/jendela/penduduk.json", params={"_size": 1}) for _ in range(3)]
        assert [answer.status_code for answer in quick] == [200] * 3
        assert not running.done()  # all three answered while it ran
        assert running.result().status_code == 400  # then stopped by the time limit
