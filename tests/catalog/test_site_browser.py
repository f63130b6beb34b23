"""The static catalog driven in real headless Chromium (Debian's /usr/bin/chromium via Playwright).

The site is served by a plain static file server under a path prefix (`/build/site/`), as any
static host would, and once through `publish.py serve`. Every request that leaves the loopback
server is blocked and recorded: the pages must need nothing from outside. axe-core comes from
tests/browser/node_modules (`npm ci --prefix tests/browser`). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import ROOT, StaticHost
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
TRANSLATIONS = {
    lang: yaml.safe_load((ROOT / "metadata" / "translations" / f"{lang}.yaml").read_text())
    for lang in ("id", "en")
}


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def site_url(built_catalog):
    host = StaticHost(built_catalog.parent)
    yield f"{host.url}/{built_catalog.name}/site/"
    host.stop()


@contextlib.contextmanager
def guarded_page(browser, width: int = 1200, height: int = 900, **options):
    """A page that blocks (and records) every request leaving the loopback server; on exit, no
    request may have left and no JavaScript error may have been thrown."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"requests left the site: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser):
    with guarded_page(browser, accept_downloads=True) as page:
        yield page


def fold(text: str) -> str:
    """The same folding as site/static/catalog.js."""
    plain = unicodedata.normalize("NFD", f" {text} ")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^0-9a-z]+", " ", plain)


def column_only_word(site: Path) -> tuple[str, str]:
    """A word found in one dataset's column descriptions and nowhere else that search reads."""
    index = json.loads((site / "search-index.json").read_text())["datasets"]
    other = " ".join(
        fold(d["text"]) + " ".join(fold(c["name"]) for c in d["columns"]) for d in index
    )
    described: dict[str, set[str]] = {}
    for d in index:
        for column in d["columns"]:
            for word in fold(column["text"]).split():
                described.setdefault(word, set()).add(d["id"])
    candidates = sorted(
        (word, next(iter(owners)))
        for word, owners in described.items()
        if len(owners) == 1 and len(word) >= 7 and word.isalpha() and f" {word}" not in other
    )
    # Search matches word starts, so no other dataset may hold a word starting with it either.
    candidates = [
        (word, owner)
        for word, owner in candidates
        if sum(f" {word}" in fold(" ".join(c["text"] for c in d["columns"])) for d in index) == 1
    ]
    assert candidates, "the catalog has no word that only a column description holds"
    return candidates[0]


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(
        ".dataset-card:not([hidden])", "cards => cards.map(c => c.dataset.id)"
    )


def test_search_finds_a_dataset_by_a_word_only_in_a_column_description(
    page, site_url, built_catalog
):
    word, owner = column_only_word(built_catalog / "site")
    page.goto(site_url + "index.html")
    page.fill("#q", word)
    page.wait_for_function("document.querySelectorAll('.dataset-card:not([hidden])').length === 1")
    assert visible_cards(page) == [owner]
    note = page.locator(f"#card-{owner} .match")
    assert note.is_visible() and TRANSLATIONS["id"]["matched_columns"] in note.inner_text()
    page.fill("#q", "zzzzqqqq")
    page.wait_for_function("document.querySelectorAll('.dataset-card:not([hidden])').length === 0")
    assert page.inner_text("#result-count") == TRANSLATIONS["id"]["no_results"]


def test_a_facet_narrows_the_list(page, site_url):
    page.goto(site_url + "index.html")
    total = len(visible_cards(page))
    box = page.locator("fieldset[data-facet=theme] input[value=anggaran]")
    box.check()
    shown = visible_cards(page)
    assert 0 < len(shown) < total
    themes = page.eval_on_selector_all(
        ".dataset-card:not([hidden])", "cards => cards.map(c => c.dataset.theme)"
    )
    assert all("anggaran" in t.split() for t in themes)
    assert page.inner_text("#result-count").startswith(str(len(shown)))
    page.select_option("#year-from", "2025")
    page.select_option("#year-to", "2025")
    assert visible_cards(page) == []  # facets of different groups combine with AND
    page.click("button[type=reset]")
    page.wait_for_function(
        f"document.querySelectorAll('.dataset-card:not([hidden])').length === {total}"
    )


def test_sort_by_title_and_by_update(page, site_url):
    page.goto(site_url + "index.html")
    by_update = page.eval_on_selector_all(".dataset-card", "c => c.map(x => x.dataset.updated)")
    assert by_update == sorted(by_update, reverse=True)
    page.select_option("#sort", "title")
    titles = page.eval_on_selector_all(".dataset-card", "c => c.map(x => x.dataset.title)")
    assert titles == sorted(titles, key=str.lower) and titles != []


def test_downloads_return_the_files_with_the_advertised_checksums(page, site_url, tmp_path):
    page.goto(site_url + "dataset/tender-kota-bogor/index.html")
    rows = page.locator("table.downloads tbody tr")
    formats = set()
    for i in range(rows.count()):
        row = rows.nth(i)
        advertised = row.locator("code.sha").inner_text()
        with page.expect_download() as info:
            row.locator("a[download]").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == advertised, saved.name
        formats.add(row.locator("a[download]").get_attribute("data-format"))
    assert formats >= {"csv", "json", "xlsx", "parquet", "zip", "datapackage"}


def test_language_switch(page, site_url):
    page.goto(site_url + "index.html")
    assert page.get_attribute("html", "lang") == "id"
    page.click("a.lang-switch")
    page.wait_for_url("**/en/index.html")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == TRANSLATIONS["en"]["datasets_heading"]
    page.click(".dataset-card h2 a >> nth=0")
    page.wait_for_url("**/en/dataset/**")
    english_url = page.url
    page.click("a.lang-switch")
    page.wait_for_url(english_url.replace("/en/dataset/", "/dataset/"))
    assert page.get_attribute("html", "lang") == "id"
    assert TRANSLATIONS["id"]["data_dictionary"] in page.inner_text("main")


def test_chart_renders_as_a_non_empty_svg(page, site_url):
    page.goto(site_url + "dataset/penduduk-kota-bogor/index.html")
    chart = page.locator("svg.chart").first
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    widths = page.eval_on_selector_all(
        "svg.chart rect.bar", "bars => bars.map(b => b.getBBox().width)"
    )
    assert len(widths) == 12 and min(widths) > 0
    assert page.locator(".map-note").is_visible()


def test_pages_read_and_download_without_javascript(browser, site_url, built_catalog):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "index.html")
        datasets = json.loads((built_catalog / "manifest.json").read_text())["datasets"]
        cards = page.locator(".dataset-card")
        assert cards.count() == len(datasets) and all(
            cards.nth(i).is_visible() for i in range(cards.count())
        )
        assert not page.locator("#finder").is_visible()
        page.click(".dataset-card h2 a >> nth=0")
        page.wait_for_url("**/dataset/**")
        assert page.locator("table.dictionary").first.is_visible()
        href = page.locator("a[download][data-format=csv]").first.get_attribute("href")
        response = context.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
        assert response.ok and response.body()
    finally:
        context.close()


def axe_violations(page) -> list[dict]:
    assert AXE.exists(), "axe-core is missing: run `npm ci --prefix tests/browser`"
    page.add_script_tag(path=str(AXE))
    # Only the violations cross over to Python: axe's whole result (every passing node of every
    # rule, with its HTML) took three quarters of a run on a dataset page to serialise, and
    # `resultTypes` spares it the selectors of the passing nodes. Violations keep every node.
    violations = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, "
        "resultTypes: ['violations']}).then(result => result.violations)"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "en/index.html",
        "dataset/penduduk-kota-bogor/index.html",
        "en/dataset/apbd-kota-bogor/index.html",
        "dataset/tender-kota-bogor/index.html",
        "reports/wilayah-kota-bogor/wilayah.html",
    ],
)
def test_axe_finds_no_serious_or_critical_violations(page, site_url, path):
    page.goto(site_url + path)
    if path.endswith("index.html") and "dataset" not in path:
        page.wait_for_selector("#finder:not([hidden])")
    assert axe_violations(page) == []


def test_screenshots_of_home_and_dataset_pages(page, site_url, built_catalog):
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {
        "site-home.png": "index.html",
        "site-home-en.png": "en/index.html",
        "site-dataset-penduduk.png": "dataset/penduduk-kota-bogor/index.html",
        "site-dataset-apbd-en.png": "en/dataset/apbd-kota-bogor/index.html",
    }
    for name, path in shots.items():
        page.goto(site_url + path)
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        width, height, pixels = png_pixels((ARTIFACTS / name).read_bytes())
        # The whole page, as laid out: the image is the document's full size.
        size = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert [width, height] == size, name
        # Not a blank or one-colour page: text and the header's colour are drawn.
        assert len(set(pixels)) > 50, name
        # And the page shown is the one asked for: its title is on screen.
        title = re.search(r"<h1[^>]*>(.*?)</h1>", (built_catalog / "site" / path).read_text(), re.S)
        heading = page.locator("h1").first
        assert heading.is_visible() and heading.bounding_box()["height"] > 10
        assert " ".join(heading.inner_text().split()) == " ".join(
            re.sub(r"<[^>]+>", "", title.group(1)).split()
        ).replace("&amp;", "&"), name


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, a sample of pixels) of an 8-bit RGB or RGBA PNG, read with zlib."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (2, 6)
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    step = 3 if colour == 2 else 4
    stride = 1 + width * step
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(0, height, max(1, height // 200))]
    # Filtered bytes, not colours, but a blank image filters to a handful of values.
    return width, height, [row[j : j + step] for row in rows for j in range(0, len(row), step * 7)]


def test_map_renders_from_real_boundaries(browser, boundaries_build):
    host = StaticHost(boundaries_build.parent)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{host.url}/build/site/dataset/penduduk-kota-bogor/index.html")
        sizes = page.eval_on_selector_all(
            "svg.map path.region", "paths => paths.map(p => p.getBBox().width * p.getBBox().height)"
        )
        assert len(sizes) == 6 and min(sizes) > 100
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("figure.map").screenshot(path=str(ARTIFACTS / "site-map-penduduk.png"))
    finally:
        context.close()
        host.stop()


def test_site_works_when_mounted_by_publish_serve(page, datasette_server):
    page.goto(datasette_server.url + "/")
    page.wait_for_selector("#finder:not([hidden])")
    page.fill("#q", "kecamatan")
    page.wait_for_function("document.querySelectorAll('.dataset-card:not([hidden])').length >= 1")
    page.click(".dataset-card:not([hidden]) h2 a >> nth=0")
    page.wait_for_url("**/dataset/**")
    snippet = page.locator("pre.snippet code").first.inner_text()
    assert snippet.startswith(datasette_server.url + "/jendela/")  # rewritten to where it runs
    page.click("a.lang-switch")
    page.wait_for_url("**/en/dataset/**")
    assert page.get_attribute("html", "lang") == "en"


# --- Datasette's own JavaScript menus ------------------------------------------------------------


def open_column_menu(page, url: str) -> str:
    page.goto(url + "/jendela/tender?pagu_rp__gte=1000")
    page.wait_for_selector('th[data-column="satker"] svg')
    page.click('th[data-column="satker"] svg')
    return page.inner_text(".dropdown-menu")


def test_datasette_menus_and_dialogs_are_in_the_page_language(page, datasette_server):
    """table.js and column-chooser.js write English; our script writes the page's language:
    Bahasa Indonesia unless the reader chose English (the switch's cookie)."""
    menu = open_column_menu(page, datasette_server.url)
    assert "Urutkan naik" in menu and "Sembunyikan kolom ini" in menu
    assert "Tipe: TEXT NOT NULL" in menu
    assert "Sort ascending" not in menu and "Hide this column" not in menu
    labels = page.eval_on_selector_all(
        ".filter-row-icon", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert "Hapus filter ini" in labels and "Tambah filter" in labels
    assert not any("Remove" in label or "Add another" in label for label in labels)
    page.locator(".dropdown-menu a", has_text="Pilih kolom").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    text = dialog.inner_text()
    columns = len(page.eval_on_selector_all("th[data-column]", "els => els")) - 1  # not the key
    assert f"{columns} dari {columns} dipilih" in text and "selected" not in text
    assert "Batal" in text and "Terapkan" in text and "Apply" not in text
    page.screenshot(path=str(ARTIFACTS / "datasette-column-chooser.png"))

    host = urlsplit(datasette_server.url).hostname
    page.context.add_cookies([{"name": "jendela_lang", "value": "en", "domain": host, "path": "/"}])
    menu = open_column_menu(page, datasette_server.url)
    assert "Sort ascending" in menu and "Urutkan naik" not in menu


def test_datasette_menu_translation_leaves_data_cells_alone(page, datasette_server):
    """A cell that happens to read "Apply" is data: only Datasette's menus are rewritten."""
    page.goto(datasette_server.url + "/jendela/tender")
    page.wait_for_selector("table.rows-and-columns td")
    page.evaluate(
        """() => {
            document.querySelector("table.rows-and-columns td").textContent = "Apply";
            const menu = document.createElement("div");
            menu.className = "dropdown-menu";
            menu.id = "test-menu";
            menu.textContent = "Apply";
            document.body.append(menu);
        }"""
    )
    page.wait_for_function("document.querySelector('#test-menu').textContent !== 'Apply'")
    assert page.inner_text("#test-menu") == "Terapkan"
    assert page.inner_text("table.rows-and-columns td >> nth=0") == "Apply"


# --- the real catalog: find a region's data by its name -------------------------------------


@pytest.fixture(scope="module")
def real_site_url(real):
    host = StaticHost(real.output.parent)
    yield f"{host.url}/{real.output.name}/site/"
    host.stop()


def _datasets_holding(real, prefix: str) -> set[str]:
    """Datasets with a table row whose kode_wilayah is `prefix` or lies under it (plain SQL)."""
    held = set()
    for dataset_id, entry in real.manifest["datasets"].items():
        for table in entry["resources"]:
            columns = {row[1] for row in real.query(f"PRAGMA table_info([{table}])")}
            if "kode_wilayah" in columns and real.query(
                f"SELECT 1 FROM [{table}] WHERE kode_wilayah = ? OR kode_wilayah LIKE ? LIMIT 1",
                prefix,
                prefix + ".%",
            ):
                held.add(dataset_id)
    return held


def test_typing_a_city_name_finds_the_datasets_that_hold_it(page, real_site_url, real):
    """A journalist types "Surabaya": every dataset whose tables hold Kota Surabaya (35.78) is
    listed, and the Kota Bandung tenders are not."""
    holding = _datasets_holding(real, "35.78")
    assert {"apbd-djpk", "penduduk-kemendagri"} <= holding and "tender-spse" not in holding
    page.goto(real_site_url + "index.html")
    page.fill("#q", "Surabaya")
    total = len(real.manifest["datasets"])
    page.wait_for_function(
        f"document.querySelectorAll('.dataset-card:not([hidden])').length < {total}"
    )
    shown = set(visible_cards(page))
    assert holding <= shown and "tender-spse" not in shown


def test_the_province_facet_lists_the_datasets_of_that_province(page, real_site_url, real):
    page.goto(real_site_url + "index.html")
    page.locator("fieldset[data-facet=region] input[value='35']").check()
    assert set(visible_cards(page)) == _datasets_holding(real, "35")
