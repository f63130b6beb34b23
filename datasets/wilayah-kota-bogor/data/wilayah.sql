/*
Cuplikan Kota Bogor dari daftar kode wilayah Kemendagri 2025 / Kota Bogor excerpt of the 2025
Kemendagri region code list.

Sumber / source: Keputusan Menteri Dalam Negeri Nomor 300.2.2-2138 Tahun 2025 tentang Pemberian
dan Pemutakhiran Kode, Data Wilayah Administrasi Pemerintahan, dan Pulau, as transcribed in
cahyadsn/wilayah db/wilayah.sql (commit b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7),
copyright (c) 2025 by cahya dsn, MIT License.

76 baris disalin apa adanya (termasuk ejaan "Marga jaya"): provinsi Jawa Barat (32), Kota Bogor
(32.71), 6 kecamatan dan 68 kelurahan. Bentuk berkas sama dengan berkas lengkap (91.599 baris), yang
dibaca dengan `publish.py build --source wilayah=PATH/wilayah.sql`.
76 rows copied as published: province 32, Kota Bogor, its 6 districts and 68 urban villages. The
file has the same form as the full 91,599-row list, which `--source wilayah=...` reads instead.
*/
--
-- Table structure for table wilayah
--

DROP TABLE IF EXISTS wilayah;
CREATE TABLE IF NOT EXISTS wilayah (
    kode varchar(13) NOT NULL,
    nama varchar(100) NOT NULL,
    PRIMARY KEY (kode)
) ENGINE=MyISAM;
CREATE INDEX wilayah_name_idx ON wilayah (nama);

--
-- Dumping data for table wilayah
--

-- Provinsi JAWA BARAT (cuplikan / excerpt)
INSERT INTO wilayah (kode, nama)
VALUES
('32','Jawa Barat'),
('32.71','Kota Bogor'),
('32.71.01','Bogor Selatan'),
('32.71.01.1001','Batu Tulis'),
('32.71.01.1002','Bondongan'),
('32.71.01.1003','Empang'),
('32.71.01.1004','Lawanggintung'),
('32.71.01.1005','Pamoyanan'),
('32.71.01.1006','Rangga Mekar'),
('32.71.01.1007','Mulya Harja'),
('32.71.01.1008','Cikaret'),
('32.71.01.1009','Bojong Kerta'),
('32.71.01.1010','Rancamaya'),
('32.71.01.1011','Kertamaya'),
('32.71.01.1012','Harjasari'),
('32.71.01.1013','Muara Sari'),
('32.71.01.1014','Genteng'),
('32.71.01.1015','Pakuan'),
('32.71.01.1016','Cipaku'),
('32.71.02','Bogor Timur'),
('32.71.02.1001','Sukasari'),
('32.71.02.1002','Baranangsiang'),
('32.71.02.1003','Katulampa'),
('32.71.02.1004','Sindangsari'),
('32.71.02.1005','Sindangrasa'),
('32.71.02.1006','Tajur'),
('32.71.03','Bogor Tengah'),
('32.71.03.1001','Gudang'),
('32.71.03.1002','Paledang'),
('32.71.03.1003','Pabaton'),
('32.71.03.1004','Cibogor'),
('32.71.03.1005','Babakan'),
('32.71.03.1006','Sempur'),
('32.71.03.1007','Tegallega'),
('32.71.03.1008','Babakan Pasar'),
('32.71.03.1009','Panaragan'),
('32.71.03.1010','Ciwaringin'),
('32.71.03.1011','Kebon Kalapa'),
('32.71.04','Bogor Barat'),
('32.71.04.1001','Menteng'),
('32.71.04.1002','Sindang Barang'),
('32.71.04.1003','Bubulak'),
('32.71.04.1004','Marga jaya'),
('32.71.04.1005','Balumbang Jaya'),
('32.71.04.1006','Situ Gede'),
('32.71.04.1007','Semplak'),
('32.71.04.1008','Cilendek Barat'),
('32.71.04.1009','Cilendek Timur'),
('32.71.04.1010','Curug Mekar'),
('32.71.04.1011','Curug'),
('32.71.04.1012','Pasir Jaya'),
('32.71.04.1013','Pasir Kuda'),
('32.71.04.1014','Pasir Mulya'),
('32.71.04.1015','Gunung Batu'),
('32.71.04.1016','Loji'),
('32.71.05','Bogor Utara'),
('32.71.05.1001','Bantarjati'),
('32.71.05.1002','Tegal Gundil'),
('32.71.05.1003','Kedung Halang'),
('32.71.05.1004','Ciparigi'),
('32.71.05.1005','Cibuluh'),
('32.71.05.1006','Ciluar'),
('32.71.05.1007','Tanah Baru'),
('32.71.05.1008','Cimahpar'),
('32.71.06','Tanah Sareal'),
('32.71.06.1001','Tanah Sareal'),
('32.71.06.1002','Kebon Pedes'),
('32.71.06.1003','Kedung Badak'),
('32.71.06.1004','Sukaresmi'),
('32.71.06.1005','Kedung Waringin'),
('32.71.06.1006','Kedung Jaya'),
('32.71.06.1007','Sukadamai'),
('32.71.06.1008','Mekar Wangi'),
('32.71.06.1009','Kencana'),
('32.71.06.1010','Kayu Manis'),
('32.71.06.1011','Cibadak');
