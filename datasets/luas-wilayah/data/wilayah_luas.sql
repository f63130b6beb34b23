/*
Cuplikan luas wilayah Kemendagri 2025 / excerpt of the 2025 Kemendagri region areas.

Sumber / source: kode wilayah sesuai Kepmendagri No 300.2.2-2138 Tahun 2025; luas wilayah dari
Badan Informasi Geospasial (Surat Deputi Bidang Informasi Geospasial Dasar Nomor
B-16.10/DIGD-BIG/IGD.04.04/12/2024, 16 Desember 2024), as transcribed in cahyadsn/wilayah
db/wilayah_luas.sql (commit b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7), copyright (c) 2025 by
cahya dsn, MIT License.

Dua baris disalin apa adanya. Kode yang rusak di berkas lengkap ('11.1' dan lainnya) tidak
dimasukkan ke cuplikan ini; pemeriksaannya diuji pada berkas lengkap. Two rows copied as published.
*/
--
-- Table structure for table wilayah_luas
--
DROP TABLE IF EXISTS wilayah_luas;
CREATE TABLE wilayah_luas (
 kode varchar(13) NOT NULL,
 nama varchar(100) DEFAULT NULL,
 luas double NOT NULL,
 PRIMARY KEY (kode)
);
CREATE INDEX luas_nama_idx ON wilayah_luas(nama);
--
-- Dumping data for table wilayah_luas
--

INSERT INTO wilayah_luas(kode,nama,luas)
VALUES
('32','Jawa Barat',37053.331),
('32.71','Kota Bogor',111.366);
