# ************************************************************
# Contoh buatan sendiri dalam bentuk dump Sequel Pro tabel planning_sirup (BIRMS), bukan data
# resmi: paket, kode dan angka karangan. Hand-made sample in the form of a Sequel Pro dump of the
# BIRMS planning_sirup table, not official data: packages, codes and amounts are invented.
# ************************************************************

/*!40101 SET NAMES utf8 */;

# Dump of table planning_sirup
# ------------------------------------------------------------

CREATE TABLE `planning_sirup` (
  `id` int(11) DEFAULT NULL,
  `nama` varchar(255) DEFAULT NULL,
  `pagu` bigint(11) DEFAULT NULL,
  `sumber_dana_string` varchar(255) DEFAULT NULL,
  `jenis_belanja` int(11) DEFAULT NULL,
  `jenis_pengadaan` int(11) DEFAULT NULL,
  `metode_pengadaan` int(11) DEFAULT NULL,
  `jenis` varchar(255) DEFAULT NULL,
  `tanggal_awal_pengadaan` varchar(255) DEFAULT NULL,
  `tanggal_akhir_pengadaan` varchar(255) DEFAULT NULL,
  `tanggal_awal_pekerjaan` varchar(255) DEFAULT NULL,
  `tanggal_akhir_pekerjaan` varchar(255) DEFAULT NULL,
  `kldi` varchar(255) DEFAULT NULL,
  `satuan_kerja` varchar(255) DEFAULT NULL,
  `lokasi` varchar(255) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

LOCK TABLES `planning_sirup` WRITE;
/*!40000 ALTER TABLE `planning_sirup` DISABLE KEYS */;

INSERT INTO `planning_sirup` (`id`, `nama`, `pagu`, `sumber_dana_string`, `jenis_belanja`, `jenis_pengadaan`, `metode_pengadaan`, `jenis`, `tanggal_awal_pengadaan`, `tanggal_akhir_pengadaan`, `tanggal_awal_pekerjaan`, `tanggal_akhir_pekerjaan`, `kldi`, `satuan_kerja`, `lokasi`)
VALUES
	(41020001,'Pembangunan Gedung Parkir Terpadu Pasar Bogor',22500000000,'APBD',2,2,1,'Pekerjaan Konstruksi','2/5/2024','4/15/2024','5/2/2024','12/20/2024','Pemerintah Daerah Kota Bogor','DINAS PERUMAHAN DAN PERMUKIMAN','Kota Bogor'),
	(41020002,'Belanja Alat Tulis Kantor Sekretariat Daerah',350000000,'APBD',1,1,8,'Barang','1/8/2024','1/31/2024','2/1/2024','12/31/2024','Pemerintah Daerah Kota Bogor','SEKRETARIAT DAERAH','Balai Kota Bogor'),
	(41020003,'Jasa Konsultansi Perencanaan Revitalisasi Jalan Suryakencana',1550000000,'APBD',2,3,1,'Jasa Konsultansi','3/1/2024','4/30/2024','5/6/2024','9/30/2024','Pemerintah Daerah Kota Bogor','DINAS PEKERJAAN UMUM DAN PENATAAN RUANG','Kecamatan Bogor Tengah'),
	(41020004,'Jasa Kebersihan Gedung Balai Kota',2450000000,'APBD,APBDP',1,4,1,'Jasa Lainnya','11/6/2023','12/15/2023','1/2/2024','12/31/2024','Pemerintah Daerah Kota Bogor','SEKRETARIAT DAERAH','Balai Kota Bogor'),
	(41020005,'Belanja Bahan Medis Habis Pakai Puskesmas',320000000,'BLUD',1,1,7,'Barang','2/12/2024','3/12/2024','3/13/2024','11/30/2024','Pemerintah Daerah Kota Bogor','DINAS KESEHATAN','Puskesmas Bogor Timur'),
	(41020006,'Pengadaan Server Ruang Data',330000000,'APBD',2,1,8,'Barang','6/3/2024','6/28/2024','7/1/2024','9/30/2024','Pemerintah Daerah Kota Bogor','DINAS KOMUNIKASI DAN INFORMATIKA','Kota Bogor'),
	(41020007,'Pemeliharaan Taman Sempur',185000000,'APBD',1,2,9,'Pekerjaan Konstruksi','4/1/2024','4/19/2024','4/22/2024','8/30/2024','Pemerintah Daerah Kota Bogor','DINAS PERUMAHAN DAN PERMUKIMAN','Kelurahan Sempur');

/*!40000 ALTER TABLE `planning_sirup` ENABLE KEYS */;
UNLOCK TABLES;
