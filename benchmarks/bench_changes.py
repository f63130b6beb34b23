"""Row-level changes of a 1M-row table with 1% changed (issue 16 item 2): how long the SQL diff
(pipelines/stages/changes.py) takes, and that it stays out of Python's memory.

Two databases are made in SQL: `before` with N rows of a tender-like table (primary key
kode_tender, eight columns), and `after`, a copy where 1% of the rows changed: a third removed, a
third added, a third with one or two cells modified. Then `write_changes` runs on `after` with
`before` attached, as the build does. Printed: seconds, rows of `perubahan` by kind, peak RSS.

    python benchmarks/bench_changes.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipelines.stages.changes import Table, write_changes  # noqa: E402

COLUMNS = (
    "kode_tender INTEGER PRIMARY KEY, nama_paket TEXT, instansi TEXT, tahun_anggaran INTEGER, "
    "jenis_pengadaan TEXT, metode TEXT, hps_rp INTEGER, nilai_kontrak_rp INTEGER"
)


def make(path: Path, rows: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE tender ({COLUMNS})")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO tender SELECT i, 'Paket ' || i, 'Dinas ' || (i % 97), 2013 + i % 8, "
        "CASE i % 4 WHEN 0 THEN 'Konstruksi' WHEN 1 THEN 'Barang' WHEN 2 THEN 'Jasa Lainnya' "
        "ELSE 'Konsultansi' END, CASE i % 3 WHEN 0 THEN 'Tender' ELSE 'Seleksi' END, "
        "i * 1000, i * 950 FROM n",
        (rows,),
    )
    conn.commit()
    conn.close()


def change(path: Path, rows: int) -> None:
    """1% of the rows: every 300th removed, every 300th (offset 100) modified, and as many new."""
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM tender WHERE kode_tender % 300 = 0")
    conn.execute(
        "UPDATE tender SET nilai_kontrak_rp = nilai_kontrak_rp + 1, "
        "metode = CASE WHEN kode_tender % 600 = 100 THEN 'Penunjukan Langsung' ELSE metode END "
        "WHERE kode_tender % 300 = 100"
    )
    conn.execute(
        "INSERT INTO tender SELECT kode_tender + ?, nama_paket, instansi, tahun_anggaran, "
        "jenis_pengadaan, metode, hps_rp, nilai_kontrak_rp FROM tender WHERE kode_tender % 300 = 1",
        (rows,),
    )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jendela-bench-changes-"))
    try:
        before, after = folder / "before.db", folder / "after.db"
        tick = time.perf_counter()
        make(before, args.rows)
        shutil.copyfile(before, after)
        change(after, args.rows)
        print(f"made {args.rows:,} rows twice in {time.perf_counter() - tick:.1f} s")
        conn = sqlite3.connect(after)
        tick = time.perf_counter()
        write_changes(conn, before, [Table("bench", "tender", ("kode_tender",))], "before")
        seconds = time.perf_counter() - tick
        counts = conn.execute("SELECT jenis, count(*) FROM perubahan GROUP BY jenis").fetchall()
        conn.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"diff: {seconds:.2f} s; perubahan rows by kind: {dict(counts)}; peak RSS {peak:.0f} MB"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
