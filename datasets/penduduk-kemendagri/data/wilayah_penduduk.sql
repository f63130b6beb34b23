/*
Cuplikan data jumlah penduduk Kemendagri 2025 / excerpt of the 2025 Kemendagri population data.

Sumber / source: data jumlah penduduk dan kode wilayah sesuai Keputusan Menteri Dalam Negeri Nomor
300.2.2-2138 Tahun 2025, as transcribed in cahyadsn/wilayah db/wilayah_penduduk.sql (commit
b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7), copyright (c) 2025 by cahya dsn, MIT License.

Tiga baris disalin apa adanya: Indonesia (kode 0), Provinsi Jawa Barat (32) dan Kota Bogor (32.71).
Bentuk berkas sama dengan berkas lengkap (553 baris), yang dibaca dengan
`publish.py build --source penduduk_kemendagri=PATH/kemendagri_2025_wilayah_penduduk.sql`.
Three rows copied as published, in the form of the full 553-row file.
*/
--
-- Table structure for table penduduk
--

DROP TABLE IF EXISTS wilayah_penduduk;
CREATE TABLE IF NOT EXISTS wilayah_penduduk (
    kode varchar(13) NOT NULL,
    nama varchar(100) NOT NULL,
    pria integer NOT NULL,
    wanita integer NOT NULL,
    total integer NOT NULL,
    PRIMARY KEY (kode)
);
CREATE INDEX penduduk_nama_idx ON wilayah_penduduk(nama);
--
-- Dumping data for table penduduk
--

-- 
INSERT INTO wilayah_penduduk(kode, nama, pria, wanita, total)
VALUES
('0','INDONESIA','143863392','141110251','284973643'),
('32','Jawa Barat','25997794','25318584','51316378'),
('32.71','Kota Bogor','578674','565434','1144108');
