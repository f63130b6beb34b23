"""Cache lifetimes through a real `publish.py serve`: addresses that name their bytes (a release's
archive, assets linked with their digest) are kept a year; addresses that move to each new release
(pages, JSON, downloads) are kept a minute and carry a validator that a cache revalidates with."""

from __future__ import annotations

import hashlib
import json
import re
from email.utils import formatdate, parsedate_to_datetime

import httpx
from conftest import ROOT, Server, publish_in
from test_release_concurrency import set_count

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60"
CSV = "downloads/penduduk-kota-bogor/penduduk.csv"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_release_archive_is_kept_for_a_year_and_its_index_is_not(built_catalog, datasette_server):
    site = built_catalog / "site"
    newest = json.loads((site / "rilis" / "index.json").read_text())["releases"][0]["id"]
    archived = httpx.get(f"{datasette_server.url}/rilis/{newest}/manifest.json")
    assert archived.status_code == 200
    assert archived.content == (site / "rilis" / newest / "manifest.json").read_bytes()
    assert archived.headers["cache-control"] == IMMUTABLE
    index = httpx.get(f"{datasette_server.url}/rilis/index.json")
    assert index.headers["cache-control"] == SHORT


def test_a_download_revalidates_with_the_digest_of_its_bytes(built_catalog, datasette_server):
    expected = f'W/"{sha256((built_catalog / "site" / CSV).read_bytes())}"'
    with httpx.Client(base_url=datasette_server.url) as client:
        first = client.get(f"/{CSV}")
        assert first.headers["cache-control"] == SHORT
        assert first.headers["etag"] == expected
        again = client.get(f"/{CSV}", headers={"If-None-Match": expected})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == expected
        other = client.get(f"/{CSV}", headers={"If-None-Match": 'W/"0000"'})
        assert other.status_code == 200 and other.content == first.content


def test_assets_are_linked_with_their_digest_and_kept_for_a_year(built_catalog, datasette_server):
    page = (built_catalog / "site" / "index.html").read_text()
    digest = sha256((ROOT / "site" / "static" / "style.css").read_bytes())[:12]
    assert f'href="assets/style.css?v={digest}"' in page
    with httpx.Client(base_url=datasette_server.url) as client:
        assert client.get(f"/assets/style.css?v={digest}").headers["cache-control"] == IMMUTABLE
        assert client.get("/assets/style.css?v=0").headers["cache-control"] == SHORT
        assert client.get("/assets/style.css").headers["cache-control"] == SHORT
        # Datasette's pages link our stylesheet the same way.
        table = client.get("/jendela/penduduk").text
        ours = sha256((ROOT / "site" / "datasette" / "static" / "jendela.css").read_bytes())
        link = f"/jendela-static/jendela.css?v={ours[:12]}"
        assert f'href="{link}"' in table
        assert client.get(link).headers["cache-control"] == IMMUTABLE
        assert "immutable" not in client.get("/jendela-static/jendela.css?v=0").headers.get(
            "cache-control", ""
        )


def test_pages_revalidate_until_a_new_release_is_published(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    set_count(small_project, 104201)
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    server = Server(output)
    try:
        with httpx.Client(base_url=server.url) as client:
            for path in ("/jendela/penduduk", "/jendela/penduduk.json?_shape=array"):
                first = client.get(path)
                assert first.headers["cache-control"] == "max-age=60", path
                held = first.headers["last-modified"]
                same = client.get(path, headers={"If-Modified-Since": held})
                assert same.status_code == 304 and same.content == b"", path
                older = formatdate(parsedate_to_datetime(held).timestamp() - 1, usegmt=True)
                assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200

            set_count(small_project, 104202)
            result = publish_in(
                small_project, "build", "-q", "penduduk-kota-bogor", "--output", str(output)
            )
            assert result.returncode == 0, result.stdout + result.stderr
            path = "/jendela/penduduk.json?_shape=array&_size=1"
            fresh = client.get(path, headers={"If-Modified-Since": held})
            assert fresh.status_code == 200 and fresh.json()[0]["jumlah_penduduk"] == 104202
            assert parsedate_to_datetime(fresh.headers["last-modified"]) > parsedate_to_datetime(
                held
            )
    finally:
        server.stop()


def test_a_date_that_cannot_be_read_asks_for_the_whole_page(datasette_server):
    answer = httpx.get(
        f"{datasette_server.url}/jendela/penduduk",
        headers={"If-Modified-Since": "kemarin / yesterday"},
    )
    assert answer.status_code == 200 and re.search(r"<table", answer.text)
