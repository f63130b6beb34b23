"""The bytes of an evidence pack: a zip that anyone can check, identical for the same view.

web/evidence.py gathers what a pack holds (the rows, the query, the release, the credits); this
module only writes it. The zip's bytes depend on nothing but its content: entries in name order,
each dated with the release's date (never "now"), the same permissions and compression, so the
same view of the same release downloads byte-identical twice, and its checksum can be quoted.

The rows go to a file as they arrive (`RowsWriter`), hashed on the way, and into the zip from
that file in chunks: memory stays bounded by one page of rows whatever the view's size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..core.bilingual import Text
from ..core.layout import DATABASE_FILE

ROWS_FILE = "baris.csv"
EVIDENCE_FILE = "bukti.json"
CITATION_FILE = "sitasi.txt"
README_FILE = "BACA-README.txt"
SUMS_FILE = "SHA256SUMS"
DATABASE_SUM_FILE = f"{DATABASE_FILE}.sha256"
CHUNK = 1 << 20
FILE_MODE = 0o644 << 16  # rw-r--r-- in the zip's external attributes
UNIX = 3  # the zip's "made by" system: fixed, so the bytes do not depend on the platform


class TooManyRows(Exception):
    """The view has more rows than one evidence pack holds (MAX_ROWS in web/evidence.py)."""


@dataclass(frozen=True)
class Rows:
    """The rows file once written: where it is, its data rows and its SHA-256."""

    path: Path
    count: int
    sha256: str


class RowsWriter:
    """CSV records to a file, hashed as they are written; at most `limit` data rows."""

    def __init__(self, path: Path, limit: int):
        self.path = path
        self.limit = limit
        self.count = 0
        self._digest = hashlib.sha256()
        self._handle = path.open("wb")

    def heading(self, record: bytes) -> None:
        self._write(record)

    def row(self, record: bytes) -> None:
        self.count += 1
        if self.count > self.limit:
            raise TooManyRows(self.limit)
        self._write(record)

    def _write(self, record: bytes) -> None:
        self._digest.update(record)
        self._handle.write(record)

    def close(self) -> Rows:
        self._handle.close()
        return Rows(self.path, self.count, self._digest.hexdigest())


README = Text(
    """PAKET BUKTI JENDELA DATA

Paket ini memuat baris data persis seperti yang diterbitkan Jendela Data pada rilis {release}
({date}) untuk halaman berikut, beserta kueri yang menghasilkannya:
{url}

Isi paket:
  {rows:<18} {count} baris data (CSV, UTF-8). Sel teks yang diawali =, +, - atau @ diberi
                     tanda kutip tunggal di depannya agar spreadsheet tidak menjalankannya
                     sebagai rumus; selain itu nilainya sama dengan basis data.
  {evidence:<18} kueri atau filter persis (SQL dan parameternya, alamat halaman), id dan
                     tanggal rilis, checksum, lisensi dan sumber setiap tabel yang dibaca.
  {citation:<18} sitasi siap pakai (Bahasa Indonesia dan Inggris).
  {sums:<18} checksum SHA-256 setiap berkas di atas dan berkas ini.
  {dbsums:<18} checksum SHA-256 basis data rilis ini.

Cara memeriksa:
  1. Di folder hasil ekstraksi paket:   sha256sum -c {sums}
     Setiap baris harus berakhir "OK".
  2. Unduh basis data rilis ini ke folder yang sama:
     {database_url}
     lalu:   sha256sum -c {dbsums}
  3. Jalankan ulang SQL dalam {evidence} pada basis data itu (misalnya dengan sqlite3) dan
     bandingkan hasilnya dengan {rows}.
""",
    """JENDELA DATA EVIDENCE PACK

This pack holds the rows exactly as Jendela Data published them in release {release} ({date})
for the page below, with the query that produced them:
{url}

Contents:
  {rows:<18} {count} data rows (CSV, UTF-8). A text cell starting with =, +, - or @ gets a
                     leading single quote so that a spreadsheet does not run it as a
                     formula; every other value is as in the database.
  {evidence:<18} the exact query or filter (SQL with its parameters, the page address), the
                     release id and date, checksums, the licence and source of every table read.
  {citation:<18} a ready citation (Bahasa Indonesia and English).
  {sums:<18} SHA-256 checksums of every file above and of this one.
  {dbsums:<18} SHA-256 checksum of this release's database.

How to check it:
  1. In the folder the pack was extracted to:   sha256sum -c {sums}
     Every line must end in "OK".
  2. Download this release's database into the same folder:
     {database_url}
     then:   sha256sum -c {dbsums}
  3. Run the SQL in {evidence} again on that database (for example with sqlite3) and compare
     the result with {rows}.
""",
)


def readme(release: str, date: str, url: str, database_url: str, count: int) -> str:
    """The pack's README: Bahasa Indonesia first, then English."""
    values = {
        "release": release,
        "date": date,
        "url": url,
        "database_url": database_url,
        "count": count,
        "rows": ROWS_FILE,
        "evidence": EVIDENCE_FILE,
        "citation": CITATION_FILE,
        "sums": SUMS_FILE,
        "dbsums": DATABASE_SUM_FILE,
    }
    text = README.format(**values)
    return f"{text.id}\n{'-' * 72}\n\n{text.en}"


def evidence_json(evidence: dict) -> str:
    return json.dumps(evidence, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_pack(target: Path, rows: Rows, texts: dict[str, str], database_sha256: str, date: str):
    """The zip at `target`: the rows file, `texts` (name -> content), the database's checksum
    line and SHA256SUMS over every other entry (`sha256sum -c` format: two spaces)."""
    entries: dict[str, bytes | Path] = {name: body.encode("utf-8") for name, body in texts.items()}
    entries[DATABASE_SUM_FILE] = f"{database_sha256}  {DATABASE_FILE}\n".encode()
    sums = {name: _sha256(body) for name, body in entries.items() if isinstance(body, bytes)}
    sums[ROWS_FILE] = rows.sha256
    entries[ROWS_FILE] = rows.path
    entries[SUMS_FILE] = "".join(f"{sums[n]}  {n}\n" for n in sorted(sums)).encode()
    stamp = dt.date.fromisoformat(date).timetuple()[:6]
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = FILE_MODE
            info.create_system = UNIX
            body = entries[name]
            if isinstance(body, bytes):
                archive.writestr(info, body)
                continue
            info.file_size = body.stat().st_size  # zip64 decided by the size, as a rule
            with body.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, CHUNK)
