"""Datasette pages for people, on a real `publish.py serve` of the sample catalog: one language
per page with a switch, table pages with the schema's column titles and the rows on screen as the
primary download, canned queries that answer first, the downloads index, snippets that read codes
as text.

Expected values come from the sample descriptors, source CSVs, datasette.yaml and the built files,
read here; never from the server's own answers.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re

import httpx
import openpyxl
import pytest
import yaml
from conftest import ROOT, SAMPLE_CATALOG

from pipelines.web.query_parameters import parameter_help

ENGLISH = {"jendela_lang": "en"}


@pytest.fixture(scope="module")
def client(datasette_server):
    with httpx.Client(base_url=datasette_server.url, timeout=60) as http:
        yield http


def descriptor(dataset: str) -> dict:
    path = SAMPLE_CATALOG / dataset / "datapackage.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def raw_tenders() -> list[dict]:
    path = SAMPLE_CATALOG / "tender-kota-bogor" / "data" / "tender.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def link(page: str, css_class: str) -> str:
    found = re.search(rf'<a href="([^"]+)" class="{css_class}"', page)
    assert found, css_class
    return html.unescape(found.group(1))


def datasette_config() -> dict:
    return yaml.safe_load((ROOT / "datasette.yaml").read_text(encoding="utf-8"))


# --- one language per page ---------------------------------------------------------------------


def test_the_switch_sets_a_cookie_and_comes_back_to_the_same_page(datasette_server):
    params = {"tahun_anggaran": "2024", "_lang": "en"}
    with httpx.Client(base_url=datasette_server.url, timeout=60) as browser:
        answer = browser.get("/jendela/tender", params=params)
        english = browser.get(answer.headers["location"])  # the cookie it set comes back
    assert '<html lang="en">' in english.text
    assert answer.status_code == 302
    assert answer.headers["location"] == "/jendela/tender?tahun_anggaran=2024"
    assert answer.headers["set-cookie"].startswith("jendela_lang=en; Path=/;")
    assert answer.headers["cache-control"] == "no-store"  # a shared cache never keeps it


def test_pages_are_indonesian_by_default_english_after_the_switch_and_caches_keep_them_apart(
    client,
):
    indonesian = client.get("/jendela/tender")
    english = client.get("/jendela/tender", cookies=ENGLISH)
    assert '<html lang="id">' in indonesian.text and '<html lang="en">' in english.text
    assert indonesian.headers["content-language"] == "id"
    assert english.headers["content-language"] == "en"
    for answer in (indonesian, english):
        assert "cookie" in answer.headers["vary"].lower()
        assert answer.headers["vary"].lower().count("cookie") == 1
    # One click away: the other language's link, on the same page with the same filters.
    assert 'href="/jendela/tender?_lang=en" hreflang="en"' in indonesian.text
    assert 'href="/jendela/tender?_lang=id" hreflang="id"' in english.text
    assert ">Terapkan filter<" not in english.text and "Apply filters" in english.text
    # JSON is the same in both languages and does not vary by it.
    data = client.get("/jendela/tender.json", cookies=ENGLISH)
    assert "content-language" not in data.headers


# --- table pages -------------------------------------------------------------------------------


def test_column_headers_are_the_schema_titles_with_the_name_beside(client):
    tender = descriptor("tender-kota-bogor")["resources"][0]
    titled = [f for f in tender["schema"]["fields"] if f.get("title")]
    assert titled
    indonesian = client.get("/jendela/tender").text
    english = client.get("/jendela/tender", cookies=ENGLISH).text
    for field in titled:
        name, title = field["name"], field["title"]
        en = field["jendela"]["en"]["title"]
        for page, shown in ((indonesian, title), (english, en)):
            heading = f'<span class="column-title">{html.escape(shown)}</span> '
            assert f'{heading}<code class="column-name">{name}</code>' in page, (name, shown)
            assert f'title="{name}"' in page


def test_one_click_back_to_the_dataset_page(client):
    title = descriptor("tender-kota-bogor")["title"]
    page = client.get("/jendela/tender").text
    back = re.search(r'<p class="back-to-dataset"><a href="([^"]+)">', page).group(1)
    assert back == "/dataset/tender-kota-bogor/"
    assert html.escape(title) in client.get(back).text
    english = client.get("/jendela/tender", cookies=ENGLISH).text
    assert '<p class="back-to-dataset"><a href="/en/dataset/tender-kota-bogor/">' in english


def test_the_primary_download_is_exactly_the_filtered_rows_as_csv_and_xlsx(client):
    expected = sorted(r["Kode Tender"] for r in raw_tenders() if r["Tahun Anggaran"] == "2024")
    assert 0 < len(expected) < len(raw_tenders())
    page = client.get("/jendela/tender", params={"tahun_anggaran": "2024", "_size": "2"}).text
    box = page.split('<p class="download-rows">', 1)[1].split("</p>", 1)[0]
    assert f"Unduh {len(expected)} baris ini" in box  # the count, though the page shows 2
    csv_answer = client.get(link(page, "download-rows-csv"), follow_redirects=True)
    assert csv_answer.status_code == 200
    assert "attachment" in csv_answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_answer.text)))
    assert sorted(r["kode_tender"] for r in rows) == expected
    xlsx_answer = client.get(link(page, "download-rows-xlsx"))
    assert xlsx_answer.status_code == 200
    assert xlsx_answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_answer.content)).active
    values = list(sheet.values)
    header, body = list(values[0]), values[1:]
    assert sorted(str(r[header.index("kode_tender")]) for r in body) == expected
    region = {r[header.index("kode_wilayah")] for r in body}
    assert region == {r["Kode Wilayah"] for r in raw_tenders()} and all(
        isinstance(code, str) for code in region
    )  # a code stays text: "32.71", never the number 32.71
    # the filtered year, as a number cell (text "2024" would fail)
    assert all(r[header.index("tahun_anggaran")] == 2024 for r in body)


def test_without_a_filter_the_xlsx_is_the_prebuilt_file(client, built_catalog):
    page = client.get("/jendela/tender").text
    answer = client.get(link(page, "download-rows-xlsx"))
    assert answer.status_code == 302
    assert answer.headers["location"] == "/downloads/tender-kota-bogor/tender.xlsx"


# --- canned queries ----------------------------------------------------------------------------


def test_a_canned_query_answers_first_and_folds_its_sql(client):
    config = datasette_config()
    query = config["databases"]["jendela"]["queries"]["realisasi_apbd"]
    page = client.get("/jendela/realisasi_apbd").text
    answer = page.index('<h2 class="query-answer">')
    folded = page.index('<details class="query-sql">')
    assert page.index('class="sql-parameters-section"') < answer < folded
    assert page.index("<pre", folded) < page.index("</details>", folded)
    assert "<textarea" not in page  # no SQL editor before the answer
    assert page.index('<table class="rows-and-columns">') < folded
    title = " ".join(query["title"].split()).split(" / ")
    assert f">{title[0]}</h1>" in page
    assert f">{title[1]}</h1>" in client.get("/jendela/realisasi_apbd", cookies=ENGLISH).text


def test_parameters_show_their_help_and_what_an_empty_box_does(client):
    plugin = datasette_config()["plugins"]["jendela"]
    page = client.get("/jendela/tanda_bahaya_terbanyak").text
    for param in ("tahun", "sumber", "batas"):
        shared = plugin["parameters"][param]
        empty = (plugin.get("queries", {}).get("tanda_bahaya_terbanyak", {}).get(param) or shared)[
            "kosong"
        ]
        row = re.search(
            rf'<p class="sql-parameter-row"><label for="qp\d">{param}</label>.*?</p>', page
        )  # noqa: E501
        assert row, param
        assert f'placeholder="{html.escape(empty["id"])}"' in row.group(0)
        assert html.escape(shared["id"]) in row.group(0)
    assert 'placeholder="50 baris"' in page  # this query's own default, not the shared 20


def test_every_canned_query_parameter_has_help_and_openapi_states_the_sql_default(client):
    config = datasette_config()
    plugin = config["plugins"]["jendela"]
    document = client.get("/-/openapi.json").json()
    for name, query in config["databases"]["jendela"]["queries"].items():
        described = {
            p["name"]: p["description"]
            for p in document["paths"][f"/jendela/{name}.json"]["get"]["parameters"]
        }
        for param in query.get("params") or []:
            parameter_help(plugin, name, param)  # raises for a parameter without help
            default = re.search(rf"coalesce\(nullif\(:{param}, ''\), '?(\w+)'?\)", query["sql"])
            if default:  # the SQL's default is what the document says an empty box does
                assert f"kosong = {default.group(1)}" in described[param], (name, param)
                assert f"empty = {default.group(1)}" in described[param], (name, param)


# --- downloads index and snippets --------------------------------------------------------------


def test_downloads_index_lists_every_file_with_its_size_and_sha256(client, built_catalog):
    folder = built_catalog / "site" / "downloads" / "tender-kota-bogor"
    assert client.get("/downloads/tender-kota-bogor").headers["location"] == (
        "/downloads/tender-kota-bogor/"
    )
    page = client.get("/downloads/tender-kota-bogor/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    rows = re.findall(
        r'<tr><td><a href="([^"]+)">[^<]+</a></td><td class="type-int" data-bytes="(\d+)">'
        r"[^<]+</td><td><code>([0-9a-f]{64})</code></td></tr>",
        page.text,
    )
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert [(name, int(size), digest) for name, size, digest in rows] == [
        (p.name, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files
    ]
    for name, _, _ in rows[:2]:  # the links are relative to the folder and work
        assert client.get(f"/downloads/tender-kota-bogor/{name}").status_code == 200
    assert client.get("/downloads/no-such-dataset/").status_code == 404
    assert "/downloads/<dataset>/" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_snippets_read_codes_as_text_and_say_so_first(client):
    page = html.unescape(client.get("/-/api").text)
    section = page.split('id="api-tender"', 1)[1].split("</section>", 1)[0]
    note, examples = section.split("<details>", 1)
    assert "kode_wilayah" in note and "kode_tender" in note  # said before any snippet
    assert 'dtype={"kode_tender": str, "kode_wilayah": str}' in examples or (
        'dtype={"kode_wilayah": str, "kode_tender": str}' in examples
    )
    assert 'kode_wilayah = "character"' in examples
