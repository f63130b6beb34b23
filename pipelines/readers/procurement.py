"""Readers for procurement lists as Indonesian e-procurement systems publish them.

`spse_datatables`: the tender list of an LPSE running SPSE 4, as its public page loads it
(`POST /dt/lelang`, the jQuery DataTables server-side protocol): `{"draw", "recordsTotal",
"recordsFiltered", "data": [[...], ...]}`, each row a positional array. The positions, read from
the page that renders them and from the real Kota Bandung dump:

    0 kode tender      "5709260"
    1 nama paket       "BELANJA ... <span class='label label-warning'>Tender Ulang</span>"
    2 instansi         "Pemerintah Daerah Kota Bandung"
    3 tahap            "Tender Sudah Selesai"
    4 HPS              "22,1 M", "325 Jt" (rounded by the page)
    5 metode kualifikasi, 6 metode pemilihan, 7 metode evaluasi
    8 kategori and TA  "Pengadaan Barang - TA 2020" (multi-year: "TA 2025,2026")
    9 versi SPSE       "1", "2" or "3" (SPSE version of the package, pkt_flag)
    10 nilai kontrak   "Rp 470.701.000,00" or the text "Nilai Kontrak belum dibuat"
    11-13              flags the page does not label; not read

The reader takes the labels out of the package name (they are flags, not part of the name), splits
category from fiscal year, and turns "Nilai Kontrak belum dibuat" into an empty cell. Amounts stay
as written: the `rupiah` parser reads "22,1 M" as 22,100,000,000 and says it was rounded.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import ROW_COLUMN, ReaderError, chunked, encoding_error, reader

SPSE_POSITIONS = [
    "kode_tender",
    "nama_paket",
    "instansi",
    "tahap",
    "hps",
    "metode_kualifikasi",
    "metode_pemilihan",
    "metode_evaluasi",
    "kategori",
    "versi_spse",
    "nilai_kontrak",
]
SPSE_COLUMNS = [
    "kode_tender",
    "nama_paket",
    "label_paket",
    "ulang",
    "instansi",
    "tahap",
    "hps",
    "metode_kualifikasi",
    "metode_pemilihan",
    "metode_evaluasi",
    "jenis_pengadaan",
    "tahun_anggaran",
    "tahun_anggaran_akhir",
    "versi_spse",
    "nilai_kontrak",
]
NO_CONTRACT = "Nilai Kontrak belum dibuat"
_LABEL = re.compile(
    r"<span\b[^>]*\bclass\s*=\s*['\"][^'\"]*\blabel\b[^'\"]*['\"][^>]*>(?P<text>.*?)</span>",
    re.IGNORECASE | re.DOTALL,
)
_CATEGORY = re.compile(
    r"^(?P<kind>.+?)\s*-\s*TA\s*(?P<years>[0-9]{4}(?:\s*,\s*[0-9]{4})*)\s*$", re.IGNORECASE
)


def split_labels(name: str) -> tuple[str, list[str]]:
    """Package name without its SPSE labels, and the labels, as text.

    The `nama paket` cell of a DataTables response is an HTML fragment (the labels are
    `<span>` elements), so reading it as text also decodes its entities: `&amp;` is how that
    fragment writes "&". This is the reader's declared reading of the source format; the
    normalise stage changes nothing more (docs/downloads.md).

    >>> split_labels("BELANJA &amp; BAHAN <span class='label label-warning'>Tender Ulang</span>")
    ('BELANJA & BAHAN ', ['Tender Ulang'])
    """
    labels = [html.unescape(" ".join(m["text"].split())) for m in _LABEL.finditer(name)]
    return html.unescape(_LABEL.sub(" ", name)), [label for label in labels if label]


def split_category(text: str) -> tuple[str, str, str]:
    """("Pengadaan Barang", "2020", "2020") from "Pengadaan Barang - TA 2020"; a multi-year
    package "... - TA 2025,2026,2027" gives first and last year. Unreadable text is kept whole
    as the category with empty years, so validation names the row."""
    match = _CATEGORY.match(text or "")
    if match is None:
        return (text or "").strip(), "", ""
    years = [y.strip() for y in match["years"].split(",")]
    return match["kind"].strip(), years[0], years[-1]


@reader("spse_datatables")
def read_spse_datatables(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """An SPSE 4 `dt/lelang` response. `__row__` is the 1-based position of a tender in `data`.

    Options: encoding (default utf-8). A response whose `data` holds fewer rows than
    `recordsFiltered` is one page of a longer list and is refused, so a partial list is never
    published as if whole.
    """
    encoding = options.get("encoding", "utf-8-sig")
    try:
        with open(path, encoding=encoding) as handle:
            document = json.load(handle)
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    except ValueError as exc:
        raise ReaderError(f"{path.name}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise ReaderError(
            f"{path.name}: expected an SPSE DataTables response {{draw, recordsTotal, "
            "recordsFiltered, data: [...]}}"
        )
    data = document["data"]
    expected = document.get("recordsFiltered")
    if isinstance(expected, int) and expected != len(data):
        raise ReaderError(
            f"{path.name}: recordsFiltered is {expected} but data holds {len(data)} rows: this is "
            "one page of the list; download it with length=-1 (or every page) first"
        )
    records = []
    for number, row in enumerate(data, start=1):
        if not isinstance(row, list) or len(row) < len(SPSE_POSITIONS):
            size = len(row) if isinstance(row, list) else type(row).__name__
            raise ReaderError(
                f"{path.name}: baris/row {number}: expected an array of at least "
                f"{len(SPSE_POSITIONS)} values ({', '.join(SPSE_POSITIONS)}), found {size}"
            )
        cells = {
            name: "" if value is None else str(value)
            for name, value in zip(SPSE_POSITIONS, row, strict=False)
        }
        name, labels = split_labels(cells["nama_paket"])
        kind, first, last = split_category(cells["kategori"])
        contract = cells["nilai_kontrak"].strip()
        records.append(
            {
                ROW_COLUMN: number,
                **cells,
                "nama_paket": name,
                "label_paket": "; ".join(labels),
                "ulang": "true" if any(x.lower().endswith("ulang") for x in labels) else "false",
                "jenis_pengadaan": kind,
                "tahun_anggaran": first,
                "tahun_anggaran_akhir": last if last != first else "",
                "nilai_kontrak": "" if contract.lower() == NO_CONTRACT.lower() else contract,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[ROW_COLUMN, *SPSE_COLUMNS])
    yield from chunked(frame, chunk_rows)
