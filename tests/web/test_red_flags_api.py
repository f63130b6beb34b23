"""The red-flag tables through the served API of the real build: JSON with the declared facets
and the flags of the raw file's implausible contract, the prebuilt CSV and Parquet downloads
holding every row the table holds."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest
from web.test_canned_queries import client  # noqa: F401 (the served real build)


def test_flag_tables_are_in_the_json_api_with_facets(client):  # noqa: F811
    page = client.get(
        "/jendela/tanda_bahaya.json",
        params={"kode_paket": "1033260", "_shape": "objects", "_extra": "facet_results"},
    )
    assert page.status_code == 200, page.text
    body = page.json()
    results = {r["indikator"]: r["hasil"] for r in body["rows"]}
    # Rp 622.277.806.000 against "694,4 Jt" in the raw SPSE list.
    assert results["kontrak_di_atas_hps"] == "ditandai"
    assert results["nilai_kontrak_tidak_wajar"] == "ditandai"
    assert results["penawar_tunggal"] == "tidak_dapat_dinilai"
    assert {"indikator", "hasil"} <= set(body["facet_results"]["results"])


@pytest.mark.parametrize("table", ["tanda_bahaya", "tanda_bahaya_paket", "jejak_rencana_tender"])
def test_downloads_hold_every_row(client, real, table):  # noqa: F811
    (rows,) = real.query(f"SELECT count(*) FROM [{table}]")[0]
    text = client.get(f"/downloads/tanda-bahaya/{table}.csv").text
    assert sum(1 for _ in csv.reader(io.StringIO(text))) == rows + 1
    parquet = client.get(f"/downloads/tanda-bahaya/{table}.parquet").content
    assert pq.read_table(io.BytesIO(parquet)).num_rows == rows
