"""Generate an N-row tender list in the raw SPSE-like format of datasets/tender-kota-bogor.

The file is made on demand (never committed): benchmarks and load tests need a realistic
procurement table of a million rows, with Indonesian amounts ("Rp 338.240.000,00") and dates
("26 Mei 2023") so every parser does its real work. Same --rows and --seed give the same bytes.

    python benchmarks/generate_tenders.py --rows 1000000 --out /tmp/tenders.csv
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

HEADER = [
    "Kode Tender", "Nama Paket", "Satuan Kerja", "Jenis Pengadaan", "Metode Pengadaan",
    "Tahun Anggaran", "Nilai Pagu Paket", "Nilai HPS Paket", "Nilai Kontrak", "Pemenang",
    "Jumlah Peserta", "Tahap", "Tanggal Pengumuman", "Kode Wilayah",
]  # fmt: skip
SATKER = [
    "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Kesehatan", "Dinas Pendidikan",
    "Dinas Perhubungan", "Dinas Lingkungan Hidup", "Sekretariat Daerah",
    "Dinas Perumahan dan Permukiman", "Badan Penanggulangan Bencana Daerah",
    "Dinas Sosial", "RSUD Kota Bogor", "Satuan Polisi Pamong Praja",
    "Dinas Kebudayaan, Kepemudaan dan Olahraga",
]  # fmt: skip
JENIS = ["Pekerjaan Konstruksi", "Pengadaan Barang", "Jasa Konsultansi Badan Usaha", "Jasa Lainnya"]
METODE = ["Tender", "Seleksi", "Tender Cepat", "Pengadaan Langsung"]
TAHAP = ["Selesai", "Pengumuman Pascakualifikasi", "Evaluasi Administrasi", "Tender Batal"]
PEKERJAAN = [
    "Rehabilitasi Jalan", "Pembangunan Drainase", "Pengadaan Alat Kesehatan",
    "Belanja Modal Komputer",
    "Pemeliharaan Gedung", "Konsultansi Perencanaan", "Pengawasan Konstruksi", "Pengadaan Seragam",
    "Pembangunan Trotoar", "Penataan Taman", "Pengadaan Kendaraan Operasional", "Jasa Kebersihan",
]  # fmt: skip
TEMPAT = [
    "Jalan Pajajaran", "Kelurahan Tegallega", "Kecamatan Bogor Barat", "Jalan Sholeh Iskandar",
    "Kebun Raya", "Kelurahan Empang", "Jalan Suryakencana", "Kelurahan Cibuluh", "Jalan Dadali",
]  # fmt: skip
PERUSAHAAN = [
    "Karya",
    "Mandiri",
    "Pakuan",
    "Tirta",
    "Sejahtera",
    "Utama",
    "Abadi",
    "Bangun",
    "Jaya",
]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]  # fmt: skip
KECAMATAN = ["32.71", "32.71.01", "32.71.02", "32.71.03", "32.71.04", "32.71.05", "32.71.06"]


def rupiah(value: int) -> str:
    return f"Rp {value:,}".replace(",", ".") + ",00"


def generate(path: Path, rows: int, seed: int = 20261129, chunk: int = 100_000) -> None:
    rng = np.random.default_rng(seed)
    winners = [
        f"{'PT' if i % 3 else 'CV'} Contoh {PERUSAHAAN[i % 9]} {PERUSAHAAN[(i // 9) % 9]} {i}"
        for i in range(5000)
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            pagu = (rng.lognormal(20.5, 1.3, n).astype(np.int64) // 1000) * 1000 + 50_000_000
            hps = (pagu * rng.uniform(0.9, 1.0, n)).astype(np.int64) // 1000 * 1000
            kontrak = (hps * rng.uniform(0.8, 1.0, n)).astype(np.int64)
            tahun = rng.integers(2019, 2026, n)
            peserta = rng.integers(1, 60, n)
            tahap = rng.integers(0, len(TAHAP), n)
            day = rng.integers(1, 29, n)
            month = rng.integers(0, 12, n)
            picks = rng.integers(0, 10_000, (n, 7))
            for i in range(n):
                done = tahap[i] == 0
                writer.writerow([
                    str(10_000_000 + start + i),
                    f"{PEKERJAAN[picks[i, 0] % 12]} {TEMPAT[picks[i, 1] % 9]} Paket {start + i}",
                    SATKER[picks[i, 2] % 12],
                    JENIS[picks[i, 3] % 4],
                    METODE[picks[i, 4] % 4],
                    str(tahun[i]),
                    rupiah(int(pagu[i])),
                    rupiah(int(hps[i])),
                    rupiah(int(kontrak[i])) if done else "",
                    winners[picks[i, 5] % 5000] if done else "",
                    str(peserta[i]),
                    TAHAP[tahap[i]],
                    f"{day[i]} {BULAN[month[i]]} {tahun[i]}",
                    KECAMATAN[picks[i, 6] % 7],
                ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    generate(args.out, args.rows, args.seed)
    print(f"{args.rows:,} rows -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
