"""End to end: the embedded catalog built into a temporary folder, served by a real Datasette on a
free loopback port, read back through its JSON API, its CSV export and the mounted catalog."""

from __future__ import annotations

import csv
import io
import json
import socket

import httpx
import pytest


def test_table_through_the_json_api_matches_the_published_csv(datasette_server, built_catalog):
    published = built_catalog / "site" / "downloads" / "penduduk-kota-bogor" / "penduduk.csv"
    expected = list(csv.DictReader(io.StringIO(published.read_text())))
    response = httpx.get(f"{datasette_server.url}/jendela/penduduk.json?_shape=array&_size=max")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == len(expected) == 12
    by_key = {(r["kode_wilayah"], r["jenis_kelamin"]): r for r in rows}
    for row in expected:
        served = by_key[(row["kode_wilayah"], row["jenis_kelamin"])]
        assert served["jumlah_penduduk"] == int(row["jumlah_penduduk"])  # typed, not text
        assert served["tahun"] == int(row["tahun"])
    # Region codes stay dotted strings (never 32.7101 or 3271.0).
    assert all(
        isinstance(r["kode_wilayah"], str) and r["kode_wilayah"].startswith("32.71.") for r in rows
    )
    laki = sum(r["jumlah_penduduk"] for r in rows if r["jenis_kelamin"] == "laki-laki")
    assert laki == 578_674  # Kepmendagri 2025 Kota Bogor total, which the sample split keeps


def test_csv_export_of_a_table(datasette_server):
    response = httpx.get(f"{datasette_server.url}/jendela/wilayah.csv?_size=max")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 76
    bogor_tengah = next(r for r in rows if r["kode_wilayah"] == "32.71.03")
    assert bogor_tengah["nama_wilayah"] == "Bogor Tengah"
    assert bogor_tengah["kode_wilayah_induk"] == "32.71"


def test_filter_and_full_text_search(datasette_server):
    url = f"{datasette_server.url}/jendela/wilayah.json?_shape=array&tingkat=kecamatan"
    kecamatan = httpx.get(url).json()
    assert sorted(r["kode_wilayah"] for r in kecamatan) == [f"32.71.0{i}" for i in range(1, 7)]
    found = httpx.get(
        f"{datasette_server.url}/jendela/wilayah.json?_shape=array&_search=Empang"
    ).json()
    assert [r["nama_wilayah"] for r in found] == ["Empang"]


def test_generated_metadata_reaches_the_table_page(datasette_server, built_catalog):
    metadata = json.loads((built_catalog / "metadata.json").read_text())
    table = metadata["databases"]["jendela"]["tables"]["tender"]
    page = httpx.get(f"{datasette_server.url}/jendela/tender").text
    assert table["title"].split(" / ")[0] in page
    assert table["license"] in page


def test_catalog_is_mounted_on_the_same_server(datasette_server, built_catalog):
    home = httpx.get(f"{datasette_server.url}/")
    assert home.status_code == 200
    assert home.text == (built_catalog / "site" / "index.html").read_text()
    page = httpx.get(f"{datasette_server.url}/dataset/tender-kota-bogor/")
    assert page.status_code == 200
    assert "contoh, bukan data resmi" in page.text.lower()
    download = httpx.get(f"{datasette_server.url}/downloads/tender-kota-bogor/tender.csv")
    assert (
        download.content
        == (built_catalog / "site" / "downloads" / "tender-kota-bogor" / "tender.csv").read_bytes()
    )


def raw_get(url: str, path: str) -> tuple[str, bytes]:
    """GET `path` byte for byte over a plain socket (httpx and browsers remove `..` before they
    send a request, so they cannot test what a hostile client sends); status line and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


TRAVERSALS = [
    "/dataset/" + "../" * 30 + "etc/passwd",
    "/downloads/tender-kota-bogor/" + "../" * 30 + "etc/passwd",
    "/dataset/" + "%2e%2e/" * 30 + "etc/passwd",
    "/downloads/" + "..%2f" * 30 + "etc/passwd",
    "/reports/" + "..%2F" * 30 + "etc%2Fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_out_of_the_site_are_not_served(datasette_server, path):
    """A request that climbs out of the site folder, sent as written, gets a 404 and no file of the
    machine; the same socket helper reads a real page, so it does reach the site."""
    status, body = raw_get(datasette_server.url, path)
    assert status == "HTTP/1.1 404 Not Found", (status, body[:200])
    assert b"root:" not in body
    ok, page = raw_get(datasette_server.url, "/dataset/tender-kota-bogor/")
    assert ok == "HTTP/1.1 200 OK" and b"tender" in page
