"""The red-flag methodology page of the real catalog in real headless Chromium: reached from the
home page, saying that a flag is not proof, switching language, stating each indicator's coverage
as the raw SPSE file gives it, and clean under axe-core.
"""

from __future__ import annotations

import gzip
import json

import pytest
from catalog.test_site_browser import axe_violations, browser, page  # noqa: F401
from conftest import REAL_CATALOG, StaticHost

SNAPSHOT = REAL_CATALOG / "tender-spse" / "source" / "spse_lpse_kota_bandung_dt_lelang.json.gz"


@pytest.fixture(scope="module")
def real_site(real):
    host = StaticHost(real.output.parent)
    yield f"{host.url}/{real.output.name}/site/"
    host.stop()


def raw_counts() -> tuple[int, int]:
    rows = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))["data"]
    return len(rows), sum(r[10].startswith("Rp") for r in rows)


def test_home_links_the_methodology_page_which_says_a_flag_is_not_proof(page, real_site):  # noqa: F811
    page.goto(real_site + "index.html")
    page.get_by_role("link", name="Tanda bahaya pengadaan").click()
    assert page.url.endswith("/tanda-bahaya.html")
    warning = page.locator("#not-proof")
    assert warning.is_visible()
    assert "bukan bukti pelanggaran" in warning.inner_text()
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/tanda-bahaya.html")
    assert "not proof of wrongdoing" in page.locator("#not-proof").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"


def test_each_indicator_states_its_coverage(page, real_site):  # noqa: F811
    tenders, contracts = raw_counts()
    page.goto(real_site + "en/tanda-bahaya.html")

    def coverage(indicator: str) -> tuple[int, int, str]:
        row = page.locator(f"tr[data-indicator='{indicator}']")
        cell = row.locator("td.coverage")
        missing = row.locator("td").last.inner_text()
        return (
            int(cell.get_attribute("data-assessed")),
            int(cell.get_attribute("data-total")),
            missing,
        )

    assert coverage("kontrak_di_atas_hps") == (contracts, tenders, "nilai_kontrak_rp")
    assert coverage("penawar_tunggal") == (0, tenders, "jumlah_peserta")
    assert coverage("tender_ulang") == (tenders, tenders, "–")
    errors = page.locator("table.excluded tbody tr").all_inner_texts()
    assert any("1033260" in e and "622,277,806,000" in e for e in errors), errors


@pytest.mark.parametrize("path", ["tanda-bahaya.html", "en/tanda-bahaya.html"])
def test_axe_finds_no_serious_or_critical_violations(page, real_site, path):  # noqa: F811
    page.goto(real_site + path)
    assert axe_violations(page) == []
