"""Readers for regional budget (APBD) tables as Indonesian portals publish them.

`djpk`: the "Data APBD" table of the DJPK Portal SIKD (Kementerian Keuangan), one file per
government and year. The table is a chart of accounts printed for people: the hierarchy is only
in the layout, and the layout changed between years, so the reader restores it:

- 2021 exports indent the account name (0, 5 or 9 spaces) and give plain English decimals in
  miliar Rupiah: `         Pajak Daerah,629.61,430.23,68.33`;
- 2022 and later exports drop the indentation and write Indonesian numbers with a unit:
  `" Pajak Daerah","606,00 M","547,45 M",90.34`, and print a group twice when it is also its
  own only item (`" Belanja Pegawai"` as group, then again as jenis).

With indentation the level is the indentation's rank; without it, the level and parent come from
the portal's fixed chart (`DJPK_CHART`). Either way every row leaves with its line name, the name
as written, its level and its parent, and amounts in a form the `rupiah` parser reads exactly
("2554.77" in miliar becomes "2554,77 M" = 2,554,770,000,000 Rupiah). Nothing is summed or fixed:
whether a parent equals its children is for the hierarchy check to say.

`title_wide`: a small titled table with one column per year, as exported by regional "Satu Data"
portals (Kota Tangerang Selatan: title line, blank line, header `Jenis Belanja;2021;2022`, rows,
`Total`). It is melted into one row per line and year, keeping the title for the transform.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import ROW_COLUMN, ReaderError, chunked, encoding_error, reader

DJPK_HEADER = ["akun", "anggaran", "realisasi", "persentase"]
DJPK_COLUMNS = [
    "urutan",
    "akun",
    "akun_sumber",
    "tingkat_akun",
    "akun_induk",
    "anggaran",
    "realisasi",
    "persentase",
]

# The DJPK portal's "Data APBD" chart: line name -> (level, parent line). Names are the portal's
# own, spelled as in its 2023-2024 exports.
_PENDAPATAN_LAINNYA = "Pendapatan Lainnya"
_PENERIMAAN = "Penerimaan Pembiayaan Daerah"
_PENGELUARAN = "Pengeluaran Pembiayaan Daerah"
DJPK_CHART: dict[str, tuple[int, str | None]] = {
    "Pendapatan Daerah": (1, None),
    "Belanja Daerah": (1, None),
    "Surplus/(Defisit)": (1, None),
    "Pembiayaan Daerah": (1, None),
    "PAD": (2, "Pendapatan Daerah"),
    "TKDD": (2, "Pendapatan Daerah"),
    _PENDAPATAN_LAINNYA: (2, "Pendapatan Daerah"),
    "Pajak Daerah": (3, "PAD"),
    "Retribusi Daerah": (3, "PAD"),
    "Hasil Pengelolaan Kekayaan Daerah yang Dipisahkan": (3, "PAD"),
    "Lain-Lain PAD yang Sah": (3, "PAD"),
    "Pendapatan Transfer Pemerintah Pusat": (3, "TKDD"),
    "Pendapatan Transfer Antar Daerah": (3, _PENDAPATAN_LAINNYA),
    "Pendapatan Hibah": (3, _PENDAPATAN_LAINNYA),
    "Dana Darurat": (3, _PENDAPATAN_LAINNYA),
    "Lain-lain Pendapatan Sesuai dengan Ketentuan Peraturan Perundang-Undangan": (
        3,
        _PENDAPATAN_LAINNYA,
    ),
    "Belanja Pegawai": (2, "Belanja Daerah"),
    "Belanja Barang dan Jasa": (2, "Belanja Daerah"),
    "Belanja Modal": (2, "Belanja Daerah"),
    "Belanja Lainnya": (2, "Belanja Daerah"),
    "Belanja Bunga": (3, "Belanja Lainnya"),
    "Belanja Subsidi": (3, "Belanja Lainnya"),
    "Belanja Hibah": (3, "Belanja Lainnya"),
    "Belanja Bantuan Sosial": (3, "Belanja Lainnya"),
    "Belanja Tidak Terduga": (3, "Belanja Lainnya"),
    "Belanja Bagi Hasil": (3, "Belanja Lainnya"),
    "Belanja Bantuan Keuangan": (3, "Belanja Lainnya"),
    _PENERIMAAN: (2, "Pembiayaan Daerah"),
    _PENGELUARAN: (2, "Pembiayaan Daerah"),
    "Sisa Lebih Perhitungan Anggaran Tahun Sebelumnya": (3, _PENERIMAAN),
    "Pencairan Dana Cadangan": (3, _PENERIMAAN),
    "Penjualan Kekayaan Daerah yang Dipisahkan": (3, _PENERIMAAN),
    "Penerimaan Pinjaman Daerah": (3, _PENERIMAAN),
    "Penerimaan Kembali Pemberian Pinjaman Daerah": (3, _PENERIMAAN),
    "Penerimaan Pembiayaan Lainnya Sesuai dengan Ketentuan Peraturan Perundang-Undangan": (
        3,
        _PENERIMAAN,
    ),
    "Penerimaan Pembiayaan Lainnya": (3, _PENERIMAAN),
    "Pembentukan Dana Cadangan": (3, _PENGELUARAN),
    "Penyertaan Modal Daerah": (3, _PENGELUARAN),
    "Penyertaan Modal": (3, _PENGELUARAN),
    "Pembayaran Cicilan Pokok Utang yang Jatuh Tempo": (3, _PENGELUARAN),
    "Pembayaran Pokok Utang": (3, _PENGELUARAN),
    "Pemberian Pinjaman Daerah": (3, _PENGELUARAN),
    "Pengeluaran Pembiayaan Lainnya Sesuai dengan Ketentuan Peraturan Perundang-Undangan": (
        3,
        _PENGELUARAN,
    ),
    "Pengeluaran Pembiayaan Lainnya": (3, _PENGELUARAN),
}
# Spellings found in the exports -> the chart's name. The 2021 scrape lost every capital "M"
# after a space ("Belanja Modal" -> "Belanjaodal"); 2021-2022 write "Barang Jasa"; 2023 has
# "Pembayaaran".
DJPK_ALIASES = {
    "Belanjaodal": "Belanja Modal",
    "Penyertaanodal Daerah": "Penyertaan Modal Daerah",
    "Penyertaanodal": "Penyertaan Modal",
    "Belanja Barang Jasa": "Belanja Barang dan Jasa",
    "Pembayaaran Pokok Utang": "Pembayaran Pokok Utang",
}
_ENGLISH_DECIMAL = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?|-?[0-9]+(?:\.[0-9]+)?")


def djpk_line_name(text: str) -> str:
    """The chart's name for a line as an export writes it (whitespace and known misspellings)."""
    name = " ".join(text.split())
    return DJPK_ALIASES.get(name, name)


def _english_to_indonesian(text: str) -> str:
    """'1,096.08' -> '1096,08': DJPK writes percentages (and 2021 amounts) in English notation."""
    return text.replace(",", "").replace(".", ",")


def _amount(text: str, unit: str) -> str:
    """A DJPK amount as text the rupiah parser reads exactly, in whole Rupiah once parsed.

    Plain decimals are in `unit` (miliar, "M"): "2554.77" -> "2554,77 M". Amounts that carry
    their own unit ("2.426,07 M") are already Indonesian notation and stay as written.
    """
    text = text.strip()
    if text and _ENGLISH_DECIMAL.fullmatch(text):
        return f"{_english_to_indonesian(text)} {unit}"
    return text


def _percentage(text: str) -> str:
    text = text.strip()
    return _english_to_indonesian(text) if _ENGLISH_DECIMAL.fullmatch(text) else text


@reader("djpk")
def read_djpk(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """One DJPK "Data APBD" export (akun, anggaran, realisasi, persentase) with its hierarchy.

    Options: encoding (default utf-8), unit (magnitude of plain numbers, default "M" = miliar).

    >>> # 2021/Kota_Malang.csv:  "Belanja Daerah,2554.77,..." then "     Belanja Pegawai,1007.34"
    >>> # -> akun "Belanja Daerah", tingkat 1; "Belanja Pegawai", tingkat 2, induk "Belanja Daerah";
    >>> #    anggaran "2554,77 M" (the rupiah parser makes it 2554770000000)
    """
    unit = str(options.get("unit", "M"))
    encoding = options.get("encoding", "utf-8-sig")
    try:
        with open(path, encoding=encoding, newline="") as handle:
            lines = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    if not lines or [c.strip().lower() for c in lines[0]] != DJPK_HEADER:
        found = ",".join(lines[0]) if lines else "(empty file)"
        raise ReaderError(
            f"{path.name}: baris/row 1: expected the DJPK header {','.join(DJPK_HEADER)}, "
            f"found {found!r}"
        )
    body = [(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(cells)]
    for number, cells in body:
        if len(cells) != len(DJPK_HEADER):
            raise ReaderError(
                f"{path.name}: baris/row {number}: {len(cells)} cells, expected "
                f"{len(DJPK_HEADER)} ({','.join(DJPK_HEADER)})"
            )
    indents = [len(cells[0]) - len(cells[0].lstrip(" ")) for _, cells in body]
    placed = (
        _place_by_indentation(path, body, indents)
        if len(set(indents)) > 1
        else _place_by_chart(path, body)
    )
    records = []
    for position, ((number, cells), (level, parent)) in enumerate(
        zip(body, placed, strict=True), start=1
    ):
        records.append(
            {
                ROW_COLUMN: number,
                "urutan": str(position),
                "akun": djpk_line_name(cells[0]),
                "akun_sumber": cells[0].strip(),
                "tingkat_akun": str(level),
                "akun_induk": parent or "",
                "anggaran": _amount(cells[1], unit),
                "realisasi": _amount(cells[2], unit),
                "persentase": _percentage(cells[3]),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[ROW_COLUMN, *DJPK_COLUMNS])
    yield from chunked(frame, chunk_rows)


def _place_by_indentation(
    path: Path, body: list[tuple[int, list[str]]], indents: list[int]
) -> list[tuple[int, str | None]]:
    """(level, parent) from indentation: 0, 5 and 9 spaces are levels 1, 2 and 3 (the rank of
    each distinct width), and a line's parent is the nearest line above it one level up."""
    rank = {width: level for level, width in enumerate(sorted(set(indents)), start=1)}
    placed: list[tuple[int, str | None]] = []
    above: dict[int, str] = {}
    for (number, cells), width in zip(body, indents, strict=True):
        level = rank[width]
        if level > 1 and level - 1 not in above:
            raise ReaderError(
                f"{path.name}: baris/row {number}: kolom/column akun: {cells[0].strip()!r} is "
                f"indented to level {level} but no line of level {level - 1} comes before it"
            )
        above = {k: v for k, v in above.items() if k < level}
        above[level] = djpk_line_name(cells[0])
        placed.append((level, above.get(level - 1)))
    return placed


def _place_by_chart(path: Path, body: list[tuple[int, list[str]]]) -> list[tuple[int, str | None]]:
    """(level, parent) of an export without indentation, from DJPK_CHART.

    A level-2 spending group printed twice in a row is the group and then its only item, so the
    second is level 3 under the first (" Belanja Pegawai" twice in 2023 exports). A line whose
    parent has not appeared above it is refused: the export is then not the chart we know.
    """
    placed: list[tuple[int, str | None]] = []
    seen: set[tuple[int, str]] = set()
    previous = None
    for number, cells in body:
        name = djpk_line_name(cells[0])
        if name not in DJPK_CHART:
            raise ReaderError(
                f"{path.name}: baris/row {number}: kolom/column akun: {cells[0].strip()!r} is "
                "not a line of the DJPK Data APBD chart and the file has no indentation to "
                "place it; add it to DJPK_CHART (pipelines/readers/budget.py) with its parent"
            )
        level, parent = DJPK_CHART[name]
        if name == previous and level == 2 and name.startswith("Belanja"):
            level, parent = 3, name
        if parent is not None and (level - 1, parent) not in seen:
            raise ReaderError(
                f"{path.name}: baris/row {number}: kolom/column akun: {cells[0].strip()!r} "
                f"belongs under {parent!r}, which does not come before it"
            )
        seen.add((level, name))
        placed.append((level, parent))
        previous = name
    return placed


@reader("title_wide")
def read_title_wide(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A titled table with one column per year, melted to one row per line and year.

    Options: delimiter (default ";"), encoding, title_rows (lines before the header, default 2:
    the title and a blank line). Output columns: judul (the title line), uraian (the first
    column), tahun (from the header), nilai (the cell as written). Rows after the first empty
    row are ignored (exports end with ";;").
    """
    delimiter = options.get("delimiter", ";")
    title_rows = int(options.get("title_rows", 2))
    encoding = options.get("encoding", "utf-8-sig")
    try:
        with open(path, encoding=encoding, newline="") as handle:
            lines = list(csv.reader(handle, delimiter=delimiter))
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    if len(lines) <= title_rows:
        raise ReaderError(f"{path.name}: expected a title and a header, found {len(lines)} lines")
    title = " ".join(cell.strip() for cell in lines[0] if cell.strip())
    header = [cell.strip() for cell in lines[title_rows]]
    years = header[1:]
    for index, year in enumerate(years, start=2):
        if not re.fullmatch(r"[0-9]{4}", year):
            raise ReaderError(
                f"{path.name}: baris/row {title_rows + 1}, kolom/column {index}: expected a year "
                f"in the header, found {year!r}"
            )
    records = []
    for number, cells in enumerate(lines[title_rows + 1 :], start=title_rows + 2):
        if not any(cell.strip() for cell in cells):
            break
        for year, cell in zip(years, cells[1:], strict=False):
            record = {"judul": title, "uraian": cells[0], "tahun": year, "nilai": cell}
            records.append({ROW_COLUMN: number, **record})
    frame = pd.DataFrame.from_records(
        records, columns=[ROW_COLUMN, "judul", "uraian", "tahun", "nilai"]
    )
    yield from chunked(frame, chunk_rows)
