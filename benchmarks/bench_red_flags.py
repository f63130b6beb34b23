"""Speed and memory of the red-flag indicators (not a test: prints figures).

    .venv/bin/python benchmarks/bench_red_flags.py [--db build/jendela.db] [--tenders N]

1. On a built database (the real catalog by default): the time to compute every indicator and
   roll-up over the published procurement tables, and the peak traced Python memory.
2. On a synthetic `tender_spse` of N rows (default 1,000,000; amounts and names drawn with a fixed
   seed, HPS rounded like SPSE's "1,2 M"), the same, to see how the engine scales.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.checks.indicators.tables import compute  # noqa: E402
from pipelines.core.indicators import load_indicators  # noqa: E402


def measure(conn: sqlite3.Connection, label: str) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    frames = compute(conn, load_indicators())
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = {name: len(frame) for name, frame in frames.items()}
    print(f"{label}: {seconds:.2f} s, peak traced memory {peak / 1e6:.0f} MB, rows {rows}")


def synthetic(path: Path, rows: int, seed: int = 20261205) -> None:
    random = np.random.default_rng(seed)
    hps = random.integers(100, 50_000, rows) * 100_000_000 // 1000  # 10 Jt .. 5 M
    contract = (hps * random.uniform(0.6, 1.05, rows)).astype("int64")
    contract = np.where(random.random(rows) < 0.3, contract, -1)  # 30% have a contract
    methods = np.array(["Tender", "Tender Cepat", "Seleksi", "Penunjukan Langsung"])
    words = np.array(["Belanja", "Modal", "Pembangunan", "Jalan", "Gedung", "Jasa", "Kebersihan"])
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE tender_spse (kode_wilayah TEXT, kode_tender TEXT, nama_paket TEXT, "
        "label_paket TEXT, ulang INTEGER, instansi TEXT, metode_pengadaan TEXT, "
        "tahun_anggaran INTEGER, hps_rp INTEGER, hps_presisi_rp INTEGER, nilai_kontrak_rp "
        "INTEGER, PRIMARY KEY (kode_wilayah, kode_tender))"
    )
    names = [" ".join(random.choice(words, size=n)) for n in random.integers(1, 6, rows).tolist()]
    conn.executemany(
        "INSERT INTO tender_spse VALUES ('32.73', ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                str(i),
                names[i],
                int(random.random() < 0.2),
                f"Instansi {i % 40}",
                str(methods[i % 4]),
                2013 + i % 8,
                int(hps[i]),
                100_000_000 if hps[i] >= 1_000_000_000 else 100_000,
                None if contract[i] < 0 else int(contract[i]),
            )
            for i in range(rows)
        ),
    )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "jendela.db")
    parser.add_argument("--tenders", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.db.is_file():
            copy = Path(folder) / "copy.db"
            shutil.copyfile(args.db, copy)
            with sqlite3.connect(copy) as conn:
                measure(conn, f"{args.db}")
        path = Path(folder) / "synthetic.db"
        synthetic(path, args.tenders)
        with sqlite3.connect(path) as conn:
            measure(conn, f"synthetic tender_spse, {args.tenders:,} rows")


if __name__ == "__main__":
    main()
