"""A journalist's three tasks, done in real headless Chromium on the default (real) build served
by `publish.py serve`, counting every click and every box typed into:

1. the largest contract of a year, then exactly those filtered rows downloaded as CSV;
2. a region's budget realisation rate, found by typing the region's name;
3. a region's population by sex.

Each starts on the Datasette page a dataset page links to. The answers are checked against the
source snapshots read by the small parsers of test_canned_queries.py (never against the server),
screenshots of the first screen at 1280 and 390 px are kept in test-artifacts/, and axe finds
nothing serious on the whole page.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from catalog.test_site_browser import AXE, CHROMIUM, LAUNCH_ARGS, axe_violations
from conftest import ROOT
from playwright.sync_api import sync_playwright
from test_canned_queries import djpk_level_one, population, tenders

ARTIFACTS = ROOT / "test-artifacts"
WIDTHS = {"desktop": (1280, 800), "mobile": (390, 844)}
HANDFUL = 6  # clicks and boxes typed into, at most, per task


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists() and AXE.exists()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield instance
        instance.close()


class Journey:
    """A page in a fresh browser context that counts what the person does."""

    def __init__(self, browser, server, name: str):
        self.context = browser.new_context(
            viewport=dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)),
            accept_downloads=True,
            # axe is the test's instrument, injected as an inline script: the pages' own
            # Content-Security-Policy (tests/web/test_links_and_headers.py) would refuse it.
            bypass_csp=True,
        )
        self.page = self.context.new_page()
        self.server, self.name, self.actions = server, name, []
        self.outside: list[str] = []
        self.context.route("**/*", self._guard)

    def _guard(self, route):
        if route.request.url.startswith(self.server.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def select(self, selector: str, value: str) -> None:
        self.actions.append(f"select {selector}={value}")
        self.page.select_option(selector, value)

    def type(self, selector: str, text: str) -> None:
        self.actions.append(f"type {selector}={text}")
        self.page.fill(selector, text)

    def click(self, selector: str) -> None:
        self.actions.append(f"click {selector}")
        self.page.click(selector)
        self.page.wait_for_load_state("load")

    def download(self, selector: str) -> Path:
        self.actions.append(f"click {selector}")
        with self.page.expect_download() as event:
            self.page.click(selector)
        target = ARTIFACTS / f"{self.name}-{event.value.suggested_filename}"
        event.value.save_as(target)
        return target

    def at_both_widths(self) -> None:
        """The first screen at 1280 and 390 px as a screenshot, axe over the whole page at both,
        the answer still on screen on a phone. The screenshot is the screen a person sees (the
        whole page of 100 tenders as cards at 390 px is 60,587 px tall: 1.3 s to draw, and no
        one reviews it)."""
        ARTIFACTS.mkdir(exist_ok=True)
        for label, (width, height) in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{width}.png"))
            assert axe_violations(self.page) == [], (self.name, label)
            title = self.page.locator("h1").first.bounding_box()
            assert title["height"] < 4 * 32, (self.name, label, title)  # never five lines
        self.page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)))

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], self.outside
        assert len(self.actions) <= HANDFUL, self.actions


def cell_value(page, column: str) -> float:
    """The plain number our cell keeps beside its Indonesian display (cell_format.py)."""
    return float(page.locator(f"td.col-{column} [data-value]").first.get_attribute("data-value"))


def test_largest_contract_of_a_year_and_exactly_its_rows_downloaded(browser, real_server):
    year = 2019
    in_year = [t for t in tenders() if t["tahun_anggaran"] == year]
    largest = max(t["nilai_kontrak_rp"] for t in in_year if t["nilai_kontrak_rp"] is not None)
    journey = Journey(browser, real_server, "kontrak-terbesar")
    try:
        journey.open("/jendela/tender_spse")
        journey.select("select[name=_filter_column]", "tahun_anggaran")
        journey.type("input[name=_filter_value]", str(year))
        journey.select("#sort_by", "nilai_kontrak_rp")
        journey.click("input[name=_sort_by_desc]")
        journey.click(".filters input[type=submit]")
        page = journey.page
        # SPSE writes sen ("Rp 1.234,50"); the table keeps whole Rupiah (DESIGN rule 6), and
        # the source parser keeps the whole part: at most one Rupiah apart, never more.
        assert abs(cell_value(page, "nilai_kontrak_rp") - largest) <= 1
        money = page.locator("td.col-nilai_kontrak_rp .rupiah").first
        box = page.locator(".download-rows")
        assert f" {len(in_year)} " in box.inner_text()  # the count of every row, stated
        journey.at_both_widths()
        journey.page.set_viewport_size({"width": 390, "height": 844})
        money.scroll_into_view_if_needed()
        assert money.is_visible() and money.bounding_box()["x"] + 10 < 390  # on a phone too
        journey.page.set_viewport_size({"width": 1280, "height": 800})
        path = journey.download("a.download-rows-csv")
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(r["kode_tender"] for r in rows) == sorted(t["kode_tender"] for t in in_year)
        contracts = {t["kode_tender"]: t["nilai_kontrak_rp"] for t in in_year}
        for row in rows:
            expected = contracts[row["kode_tender"]]
            if expected is None:
                assert row["nilai_kontrak_rp"] == ""
            else:
                assert abs(int(row["nilai_kontrak_rp"]) - expected) <= 1
    finally:
        journey.close()


def test_budget_realisation_rate_by_typing_the_region_name(browser, real_server):
    lines = {
        akun: (budget, actual) for akun, budget, actual in djpk_level_one()[("Kota_Malang", 2021)]
    }
    budget, actual = lines["Belanja Daerah"]
    journey = Journey(browser, real_server, "realisasi-apbd")
    try:
        journey.open("/jendela/realisasi_apbd")
        journey.type("input[name=wilayah]", "Kota Malang")
        journey.type("input[name=tahun]", "2021")
        journey.type("input[name=akun]", "Belanja Daerah")
        journey.click("form.canned-query input[type=submit]")
        page = journey.page
        assert page.locator("table.rows-and-columns tbody tr").count() == 1
        assert abs(cell_value(page, "realisasi_pct") - 100 * actual / budget) <= 0.01
        assert cell_value(page, "anggaran_rp") == budget
        assert "Kota Malang" in page.locator("td.col-nama_wilayah").first.inner_text()
        journey.at_both_widths()
    finally:
        journey.close()


def test_population_of_a_region_by_sex(browser, real_server):
    table, year, _ = population()
    name, male, female, total = table["32.73"]
    journey = Journey(browser, real_server, "penduduk")
    try:
        journey.open("/jendela/penduduk_per_wilayah")
        journey.type("input[name=wilayah]", name)
        journey.click("form.canned-query input[type=submit]")
        page = journey.page
        row = page.locator("table.rows-and-columns tbody tr").filter(has_text=name).first
        shown = {
            column: int(row.locator(f"td.col-{column}").inner_text().replace(".", ""))
            for column in ("laki_laki", "perempuan", "jumlah_penduduk")
        }
        assert shown == {"laki_laki": male, "perempuan": female, "jumlah_penduduk": total}
        assert str(year) in row.inner_text()
        journey.at_both_widths()
    finally:
        journey.close()
