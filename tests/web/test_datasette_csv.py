"""No silent truncation: a large CSV export has every row, even with max_csv_mb set low.

A 20,000-row tender table (benchmarks/generate_tenders.py) is built and served with
`max_csv_mb` = 1, a limit at which Datasette's own streamed export would stop after a few
thousand rows and still answer HTTP 200. The whole-table export must be complete (it is the
prebuilt file), and a filtered export larger than the limit must be complete too.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter

import httpx
import pytest
from conftest import ROOT, Server, run_publish

ROWS = 20_000
FROM_YEAR = 2021  # the filter: tenders of 2021 and later, five of the generator's seven years


@pytest.fixture(scope="module")
def large_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large-csv")
    source = folder / "tender.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_tenders.py"), "--rows", str(ROWS),
         "--out", str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    output = folder / "build"
    result = run_publish(
        "build", "tender-kota-bogor", "--quiet", "--output", str(output), "--source",
        f"tender={source}",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    with open(source, encoding="utf-8", newline="") as handle:
        years = Counter(row["Tahun Anggaran"] for row in csv.DictReader(handle))
    server = Server(output, ("--setting", "max_csv_mb", "1"))
    try:
        yield server, years
    finally:
        server.stop()


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_whole_table_export_has_every_row(large_server):
    server, _ = large_server
    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=True) as client:
        assert client.get("/-/settings.json").json()["max_csv_mb"] == 1
        response = client.get("/jendela/tender.csv", params={"_stream": "on", "_dl": "on"})
    assert response.status_code == 200
    assert len(response.content) > 3 * 1024 * 1024  # three times the configured limit
    rows = rows_of(response.text)
    assert len(rows) == ROWS
    assert len({row["kode_tender"] for row in rows}) == ROWS


def test_filtered_export_larger_than_max_csv_mb_has_every_row(large_server):
    server, years = large_server
    expected = sum(count for year, count in years.items() if int(year) >= FROM_YEAR)
    with httpx.Client(base_url=server.url, timeout=120) as client:
        response = client.get(
            "/jendela/tender.csv", params={"_stream": "on", "tahun_anggaran__gte": FROM_YEAR}
        )
    assert response.status_code == 200
    assert len(response.content) > 1024 * 1024  # larger than max_csv_mb
    rows = rows_of(response.text)
    assert len(rows) == expected
    assert {row["tahun_anggaran"] for row in rows} == {y for y in years if int(y) >= FROM_YEAR}
    assert "GALAT / ERROR" not in response.text
