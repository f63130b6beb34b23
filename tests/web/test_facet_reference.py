"""Our column facet against Datasette's own, page by page.

pipelines/web/facets.py copies Datasette's `ColumnFacet.facet_results` and changes only where the
counts come from (the release's cube and arrays instead of one GROUP BY per column). A copy can
drift: a Datasette upgrade that changes what its facets say (a key, a toggle address, an order, a
label) would leave ours saying the old thing. So the same requests go to the session's server and
to one started with JENDELA_FACETS=datasette, which keeps Datasette's class, and every facet must
come back the same: values, labels, counts, order, toggle addresses, selections, truncation,
what timed out.
"""

from __future__ import annotations

import httpx
import pytest
from conftest import Server

from pipelines.web.facets import REFERENCE, REFERENCE_ENV

# Both servers are asked under one host name, so the absolute toggle addresses can be compared
# whole (each server would otherwise write its own port into them).
HOST = {"host": "jendela.test"}
# Every way ours gets its counts (facets.py), and the parts of the answer each page exercises.
PAGES = [
    {},  # the descriptor's facets, from the cube
    {"tahun_anggaran": "2024", "jenis_pengadaan": "Jasa Lainnya"},  # equalities: the cube
    {"satker__exact": "Dinas Kesehatan"},  # the __exact form of a selection
    {"_facet": "pemenang"},  # a reader's own facet: hideable
    {"_facet": "pemenang", "pemenang": "CV Contoh Bangun Persada"},  # ... and selected
    {"_facet": "kode_wilayah"},  # labels from the foreign key to wilayah
    {"_facet_size": "2"},  # truncated
    {"_search": "jalan"},  # the arrays, under a search
    {"pagu_rp__gte": "1000000000", "tahap": "Selesai"},  # the arrays, under a range
    {"nama_paket__contains": "Jalan"},  # SQLite's rowids, counted by the arrays
    {"_where": "hps_rp * 100 >= 99 * pagu_rp"},
    {"tahun_anggaran": "1990"},  # no row: every facet empty
]


@pytest.fixture(scope="module")
def reference(built_catalog):
    server = Server(
        built_catalog, ("--setting", "trace_debug", "1"), env={REFERENCE_ENV: REFERENCE}
    )
    yield server
    server.stop()


def facets(server: Server, params: dict, **extra: str) -> dict:
    response = httpx.get(
        f"{server.url}/jendela/tender.json",
        params={**params, "_extra": "facet_results", "_size": "0", **extra},
        headers=HOST,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("params", PAGES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_our_facets_say_what_datasettes_own_say(datasette_server, reference, params):
    ours = facets(datasette_server, params)["facet_results"]
    theirs = facets(reference, params)["facet_results"]
    assert ours == theirs
    assert ours["timed_out"] == []


def test_the_reference_server_counts_with_datasettes_own_queries(reference):
    """The comparison means something only if the reference really is Datasette's class: its
    trace holds one GROUP BY per facet column, which ours never runs (test_datasette.py)."""
    payload = facets(reference, {}, _trace="1")
    grouped = [t for t in payload["_trace"]["traces"] if "group by" in t.get("sql", "")]
    assert len(grouped) == len(payload["facet_results"]["results"]) > 1


def test_the_pages_compared_hold_every_part_of_a_facet(datasette_server):
    """The pages above exercise what a facet can say: labels that differ from values, a
    selected value, a truncated list, a hideable facet, and an empty one."""
    answers = [facets(datasette_server, params)["facet_results"]["results"] for params in PAGES]
    values = [v for page in answers for facet in page.values() for v in facet["results"]]
    assert any(v["label"] != v["value"] for v in values)
    assert any(v["selected"] for v in values)
    assert any(f["truncated"] for page in answers for f in page.values())
    assert any(f["hideable"] for page in answers for f in page.values())
    assert any(not f["results"] for page in answers for f in page.values())
    assert all(v["toggle_url"].startswith("http://jendela.test/jendela/tender") for v in values)
