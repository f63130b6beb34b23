"""The money trail's plan-to-tender links on tiny inline tables, against links worked out by hand:
same region, fiscal year and normalised name, unique on both sides; every plan and tender gets a
row and the unlinked are counted by kind."""

from __future__ import annotations

import pandas as pd

from pipelines.checks.indicators.money_trail import normalised_name, plan_tender_links

PLANS = pd.DataFrame(
    [
        ("99.01", 2015, "p1", "Pembangunan Trotoar Jl. Banceuy", 500),
        ("99.01", 2015, "p2", "Belanja ATK", 100),  # two plans of this name: not unique
        ("99.01", 2015, "p3", "belanja atk", 120),
        ("99.01", 2015, "p4", "Rehab Gedung", 300),  # no tender of that name
        ("99.02", 2015, "p5", "Pembangunan Trotoar Jl. Banceuy", 700),  # another region
    ],
    columns=["kode_wilayah", "tahun_anggaran", "kode_rup", "nama_paket", "pagu_rp"],
)
TENDERS = pd.DataFrame(
    [
        ("99.01", 2015, "t1", "PEMBANGUNAN TROTOAR JL BANCEUY", 490, 480),
        ("99.01", 2015, "t2", "Belanja ATK", 100, None),
        ("99.01", 2016, "t3", "Rehab Gedung", 290, None),  # a year without plans
        ("99.01", 2015, "t4", "Pengadaan Server", 90, None),  # a year with plans, none matching
    ],
    columns=[*PLANS.columns[:2], "kode_tender", "nama_paket", "hps_rp", "nilai_kontrak_rp"],
)


def test_names_are_compared_lower_case_without_punctuation():
    names = pd.Series(["Pembangunan Trotoar Jl. Banceuy", "PEMBANGUNAN  TROTOAR JL BANCEUY!"])
    assert normalised_name(names).tolist() == ["pembangunan trotoar jl banceuy"] * 2


def test_each_plan_and_tender_has_one_row_with_its_link_status():
    links = plan_tender_links(PLANS, TENDERS)
    got = {
        (
            r.kode_rup if isinstance(r.kode_rup, str) else None,
            r.kode_tender if isinstance(r.kode_tender, str) else None,
        ): r.status
        for r in links.itertuples()
    }
    assert got == {
        ("p1", "t1"): "terhubung",
        ("p2", None): "rencana_tanpa_tender",
        ("p3", None): "rencana_tanpa_tender",
        ("p4", None): "rencana_tanpa_tender",
        ("p5", None): "rencana_tanpa_tender",
        (None, "t2"): "tender_tanpa_rencana",
        (None, "t4"): "tender_tanpa_rencana",
        (None, "t3"): "tahun_tanpa_data_rencana",
    }
    linked = links[links["status"] == "terhubung"].iloc[0]
    assert (linked["pagu_rp"], linked["hps_rp"], linked["nilai_kontrak_rp"]) == (500, 490, 480)
    assert links["aturan"].str.contains("normalised package name").all()
