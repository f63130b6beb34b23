"""The catalogue of issue types: every kind of problem an Issue can report, declared once.

Like frictionless-py's error classes, each type has a short slug (the `type` of an Issue, in
reports, quarantine files and on the command line), a title and a general hint, both in Bahasa
Indonesia and English. An Issue can only be made with a type from here (`Issue.__post_init__`
refuses any other), so a report never shows a type nobody documented, and a new kind of problem is
one `register(...)` line in this module.

The hint here is the general advice for the type; an Issue usually carries a sharper one naming
its own column, table or setting, and this one is for where the place says nothing more.
Frictionless's own types (it judges types, constraints and keys: stages/validate.py) are listed
under their frictionless slugs, with frictionless's English description as the English hint;
tests/test_issue_types.py checks the list against frictionless's error classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .bilingual import Text

SLUG = re.compile(r"[a-z]+(?:-[a-z]+)*")


@dataclass(frozen=True)
class IssueType:
    slug: str
    title: Text
    hint: Text


CATALOGUE: dict[str, IssueType] = {}


class UnknownIssueTypeError(KeyError):
    """An Issue was made with a slug that is not in the catalogue: a programming error."""


def register(slug: str, title: tuple[str, str], hint: tuple[str, str]) -> IssueType:
    """Declare an issue type: `register("slug", (title_id, title_en), (hint_id, hint_en))`."""
    if not SLUG.fullmatch(slug):
        raise ValueError(f"issue type slug {slug!r} must be lower-case words joined by '-'")
    if slug in CATALOGUE:
        raise ValueError(f"issue type {slug!r} is declared twice")
    entry = IssueType(slug, Text(*title), Text(*hint))
    for text in (entry.title, entry.hint):
        if not text.id.strip() or not text.en.strip():
            raise ValueError(f"issue type {slug!r} needs its title and hint in `id` and `en`")
    CATALOGUE[slug] = entry
    return entry


def issue_type(slug: str) -> IssueType:
    """The catalogue entry of `slug`; UnknownIssueTypeError when none was declared."""
    try:
        return CATALOGUE[slug]
    except KeyError:
        raise UnknownIssueTypeError(
            f"issue type {slug!r} is not in the catalogue (pipelines/core/issue_types.py)"
        ) from None


# --- Reading the source ------------------------------------------------------------------------
SOURCE_ERROR = register(
    "source-error",
    ("Sumber tidak terbaca", "Source error"),
    (
        "periksa jendela.source dan jendela.options di deskriptor",
        "check jendela.source and jendela.options in the descriptor",
    ),
)
TRANSFORM_ERROR = register(
    "transform-error",
    ("Transformasi gagal", "Transform error"),
    (
        "transform.py berhenti pada masukan ini: perbaiki berkas sumber atau transform.py",
        "transform.py stopped on this input: fix the source file or transform.py",
    ),
)
MISSING_COLUMN = register(
    "missing-column",
    ("Kolom tidak ada", "Missing column"),
    (
        "petakan judul kolom sumber ke nama field di jendela.columns",
        "map source headers to field names in jendela.columns",
    ),
)
TOO_MANY_ERRORS = register(
    "too-many-errors",
    ("Terlalu banyak masalah", "Too many errors"),
    (
        "perbaiki masalah yang tercantum; sering satu opsi yang salah menjelaskan semuanya",
        "fix the problems listed; often one wrong option explains them all",
    ),
)

# --- Reading a cell (core/indonesian.py: IndonesianFormatError and its slugs) -----------------
PARSE_ERROR = register(
    "parse-error",
    ("Nilai tidak terbaca", "Parse error"),
    (
        "nilai ini tidak sesuai jenis field-nya; perbaiki di sumber atau periksa jenis parse",
        "the value does not fit its field's type; correct it in the source or check the parse kind",
    ),
)
NUMBER_FORMAT = register(
    "number-format",
    ("Angka tidak terbaca", "Number format"),
    (
        "tulis angka dengan titik pemisah ribuan dan koma desimal (1.234.567,5), atau periksa "
        "jenis parse field ini",
        "write numbers with dots for thousands and a decimal comma (1.234.567,5), or check the "
        "field's parse kind",
    ),
)
DATE_FORMAT = register(
    "date-format",
    ("Tanggal tidak terbaca", "Date format"),
    (
        "tulis tanggal seperti 26 Mei 2015, 26/05/2015 atau 2015-05-26",
        "write dates such as 26 Mei 2015, 26/05/2015 or 2015-05-26",
    ),
)
REGION_CODE = register(
    "region-code",
    ("Kode wilayah tidak sah", "Region code"),
    (
        "kode wilayah Kemendagri terdiri atas 2, 4, 6 atau 10 angka, bertitik atau tidak "
        "(32, 32.71, 32.71.01, 32.71.01.1001)",
        "a Kemendagri region code has 2, 4, 6 or 10 digits, dotted or not "
        "(32, 32.71, 32.71.01, 32.71.01.1001)",
    ),
)

# --- Regions and keys (stages/regions.py, stages/load.py) -------------------------------------
REGION_TABLE_MISSING = register(
    "region-table-missing",
    ("Tabel wilayah belum ada", "Region table missing"),
    (
        "bangun dulu dataset yang mendefinisikan tabel wilayah",
        "build the dataset that defines the region table first",
    ),
)
REGION_NOT_FOUND = register(
    "region-not-found",
    ("Wilayah tidak ditemukan", "Region not found"),
    (
        "perbaiki nama di sumber, beri kodenya, atau petakan ejaan yang sudah diperiksa di "
        "jendela.region_from_name.aliases",
        "correct the name in the source, give its code, or map a checked spelling in "
        "jendela.region_from_name.aliases",
    ),
)
FOREIGN_KEY_TARGET_MISSING = register(
    "foreign-key-target-missing",
    ("Tabel rujukan belum ada", "Foreign key target missing"),
    (
        "bangun dulu dataset yang mendefinisikan tabel rujukannya",
        "build the dataset that defines the referenced table first",
    ),
)
FOREIGN_KEY = register(
    "foreign-key",
    ("Kunci asing tidak ditemukan", "Foreign key error"),
    (
        "setiap nilai kunci asing harus ada di tabel rujukannya",
        "every foreign key value must exist in the referenced table",
    ),
)

# --- Checks (checks/) ---------------------------------------------------------------------------
REGION_NAME_MISMATCH = register(
    "region-name-mismatch",
    ("Nama wilayah tidak cocok", "Region name mismatch"),
    (
        "kode dan nama tidak cocok: periksa keduanya di sumber",
        "code and name disagree: check both in the source",
    ),
)
REGION_NAME_UNCHECKED = register(
    "region-name-unchecked",
    ("Nama wilayah tidak diperiksa", "Region names unchecked"),
    (
        "bangun dulu dataset yang mendefinisikan tabel wilayah",
        "build the dataset that defines the region table first",
    ),
)
REGION_TOTAL_UNCHECKED = register(
    "region-total-unchecked",
    ("Total wilayah tidak diperiksa", "Region totals unchecked"),
    (
        "bangun dulu dataset yang mendefinisikan tabel wilayah",
        "build the dataset that defines the region table first",
    ),
)
TOTAL_MISMATCH = register(
    "total-mismatch",
    ("Total tidak sama dengan jumlah bagiannya", "Total mismatch"),
    (
        "periksa baris total dan baris sub-wilayahnya",
        "check the total row and its sub-region rows",
    ),
)
OUTLIER = register(
    "outlier",
    ("Nilai pencilan", "Outlier"),
    (
        "nilai sejauh ini dari deretnya mungkin salah ketik atau salah letak; periksa di sumber",
        "a value this far from its series is likely an entry or alignment error; check the source",
    ),
)
HIERARCHY_SUM_MISMATCH = register(
    "hierarchy-sum-mismatch",
    ("Induk tidak sama dengan jumlah anaknya", "Hierarchy sum mismatch"),
    (
        "periksa nilai induk dan anak-anaknya di sumber; mungkin ada baris yang hilang",
        "check the parent's value and its children in the source; a line may be missing",
    ),
)
HIERARCHY_PARENT_MISSING = register(
    "hierarchy-parent-missing",
    ("Induk tidak ditemukan", "Hierarchy parent missing"),
    (
        "baris induk yang dirujuk tidak ada dalam kelompok yang sama",
        "the parent line named is not in the same group",
    ),
)
UNIT_MISMATCH = register(
    "unit-mismatch",
    ("Satuan tidak cocok", "Unit mismatch"),
    (
        "pastikan satuan kolom dengan penerbit; nilai diterbitkan apa adanya",
        "confirm the column's unit with the publisher; values are published as given",
    ),
)

# --- Bad inputs and the build itself (issue 12) ---------------------------------------------------
PERSONAL_DATA = register(
    "personal-data",
    ("Data pribadi", "Personal data"),
    (
        "hapus kolom itu dari sumber, atau nyatakan jendela.personal_data {public, reason}",
        "drop that column from the source, or declare jendela.personal_data {public, reason}",
    ),
)
TOO_FEW_ROWS = register(
    "too-few-rows",
    ("Baris terlalu sedikit", "Too few rows"),
    (
        "periksa berkas sumbernya; bila benar, jalankan build dengan --accept-fewer-rows",
        "check the source file; if it is right, run the build with --accept-fewer-rows",
    ),
)
CELL_TOO_LONG = register(
    "cell-too-long",
    ("Sel terlalu panjang", "Cell too long"),
    (
        "periksa sel itu di sumber; bila benar, naikkan jendela.max_cell_chars di field-nya",
        "check that cell in the source; if it is right, raise jendela.max_cell_chars on its field",
    ),
)
EXPORT_FAILED = register(
    "export-failed",
    ("Unduhan gagal ditulis", "Download not written"),
    (
        "periksa ruang disk dan memori mesin build, lalu bangun ulang",
        "check the build machine's disk space and memory, then build again",
    ),
)
INTERNAL_ERROR = register(
    "internal-error",
    ("Galat tak terduga", "Internal error"),
    (
        "laporkan galat ini beserta laporan JSON-nya",
        "report this error with its JSON report",
    ),
)

# --- Frictionless's types (stages/validate.py passes frictionless's slug on) -------------------
# (slug, Indonesian title, Indonesian hint, English title, English hint = frictionless's
# description). Only the families a table validation reports: cells, rows, labels, headers,
# the table, the file and reading it. `foreign-key` and `source-error` are ours above: frictionless
# uses the same slugs in the same sense.
_FRICTIONLESS = [
    ("ascii-value", "Nilai bukan ASCII", "sel berisi karakter non-ASCII", "Ascii Value",
     "The cell contains non-ascii characters."),
    ("constraint-error", "Batasan dilanggar", "nilai tidak memenuhi batasan field-nya",
     "Constraint Error", "A field value does not conform to a constraint."),
    ("extra-cell", "Sel berlebih", "baris ini punya lebih banyak nilai daripada baris judul",
     "Extra Cell", "This row has more values compared to the header row."),
    ("forbidden-value", "Nilai terlarang", "nilai ini dilarang", "Forbidden Value",
     "The value is forbidden."),
    ("missing-cell", "Sel hilang", "baris ini punya lebih sedikit nilai daripada baris judul",
     "Missing Cell", "This row has less values compared to the header row."),
    ("sequential-value", "Nilai tidak berurutan", "nilai tidak berurutan", "Sequential Value",
     "The value is not sequential."),
    ("truncated-value", "Nilai terpotong", "nilai mungkin terpotong", "Truncated Value",
     "The value is possible truncated."),
    ("type-error", "Jenis tidak cocok", "nilai tidak sesuai jenis dan format field-nya",
     "Type Error", "The value does not match the schema type and format for this field."),
    ("unique-error", "Nilai ganda", "field ini unik, tetapi nilainya sudah dipakai baris lain",
     "Unique Error", "This field is a unique field but it contains a value that has been used "
     "in another row."),
    ("cell-error", "Masalah sel", "sel bermasalah", "Cell Error", "Cell Error"),
    ("blank-row", "Baris kosong", "baris ini kosong; baris harus berisi setidaknya satu nilai",
     "Blank Row", "This row is empty. A row should contain at least one value."),
    ("duplicate-row", "Baris ganda", "baris ini sama dengan baris lain", "Duplicate Row",
     "The row is duplicated."),
    ("primary-key", "Kunci utama ganda", "nilai kunci utama harus unik untuk setiap baris",
     "PrimaryKey Error", "Values in the primary key fields should be unique for every row"),
    ("row-constraint", "Batasan baris dilanggar", "nilai tidak memenuhi batasan baris",
     "Row Constraint", "The value does not conform to the row constraint."),
    ("row-error", "Masalah baris", "baris bermasalah", "Row Error", "Row Error"),
    ("blank-label", "Judul kolom kosong", "setiap kolom di baris judul harus bernama",
     "Blank Label", "A label in the header row is missing a value."),
    ("duplicate-label", "Judul kolom ganda", "nama kolom di baris judul harus unik",
     "Duplicate Label", "Two columns in the header row have the same value."),
    ("extra-label", "Judul kolom berlebih", "baris judul memuat kolom yang tidak ada di skema",
     "Extra Label", "The header of the data source contains label that does not exist in the "
     "provided schema."),
    ("incorrect-label", "Judul kolom salah", "judul kolom tidak sama dengan nama field di skema",
     "Incorrect Label", "One of the data source header does not match the field name defined "
     "in the schema."),
    ("missing-label", "Judul kolom hilang", "menurut skema ada kolom yang tidak ada di judul",
     "Missing Label", "Based on the schema there should be a label that is missing in the "
     "data's header."),
    ("label-error", "Masalah judul kolom", "judul kolom bermasalah", "Label Error",
     "Label Error"),
    ("blank-header", "Baris judul kosong", "baris judul harus berisi setidaknya satu nilai",
     "Blank Header", "This header is empty. A header should contain at least one value."),
    ("unmatched-header", "Baris judul tidak cocok", "baris judul harus memuat field skema",
     "Unmatched Header", "The header must contain at least one of the schema's fields."),
    ("header-error", "Masalah baris judul", "baris judul bermasalah", "Header Error",
     "Header Error"),
    ("field-count", "Jumlah field salah", "data mungkin rusak", "Field Count Error",
     "This error can happen if the data is corrupted."),
    ("row-count", "Jumlah baris salah", "data mungkin rusak", "Row Count Error",
     "This error can happen if the data is corrupted."),
    ("deviated-cell", "Sel menyimpang", "sel menyimpang", "Deviated cell",
     "The cell is deviated."),
    ("deviated-value", "Nilai menyimpang", "nilai menyimpang", "Deviated Value",
     "The value is deviated."),
    ("required-value", "Nilai wajib hilang", "nilai yang wajib ada tidak ada", "Required Value",
     "The required values are missing."),
    ("table-dimensions", "Ukuran tabel salah", "data mungkin rusak", "Table dimensions error",
     "This error can happen if the data is corrupted."),
    ("table-error", "Masalah tabel", "tabel bermasalah", "Table Error",
     "There is a table error."),
    ("byte-count", "Jumlah bita salah", "data mungkin rusak", "Byte Count Error",
     "This error can happen if the data is corrupted."),
    ("hash-count", "Hash salah", "data mungkin rusak", "Hash Count Error",
     "This error can happen if the data is corrupted."),
    ("file-error", "Masalah berkas", "berkas bermasalah", "File Error",
     "There is a file error."),
    ("compression-error", "Gagal membuka kompresi", "berkas tidak dapat didekompresi",
     "Compression Error", "Data reading error because of a decompression problem."),
    ("encoding-error", "Pengodean salah", "berkas tidak dapat dibaca dengan pengodean ini",
     "Encoding Error", "Data reading error because of an encoding problem."),
    ("format-error", "Format salah", "format berkas tidak dapat dibaca", "Format Error",
     "Data reading error because of incorrect format."),
    ("scheme-error", "Skema alamat salah", "skema alamat berkas tidak didukung", "Scheme Error",
     "Data reading error because of incorrect scheme."),
    ("resource-error", "Masalah resource", "validasi tidak dapat dijalankan", "Resource Error",
     "A validation cannot be processed."),
    ("schema-error", "Skema tidak sah", "Table Schema yang diberikan tidak sah", "Schema Error",
     "Provided schema is not valid."),
]  # fmt: skip
for _slug, _title_id, _hint_id, _title_en, _hint_en in _FRICTIONLESS:
    register(_slug, (_title_id, _title_en), (_hint_id, _hint_en))
FRICTIONLESS_TYPES = frozenset(entry[0] for entry in _FRICTIONLESS) | {
    FOREIGN_KEY.slug,
    SOURCE_ERROR.slug,
}
# Frictionless's types our own stages also emit (stages/normalise.py: ragged CSV rows).
MISSING_CELL = CATALOGUE["missing-cell"]
EXTRA_CELL = CATALOGUE["extra-cell"]

# --- Weights (the quality scorecard, core/scorecard.py) -----------------------------------------
# How much one issue of a type costs, 1-100, after the Frictionless data-quality spec (a file that
# cannot be read 100, a bad cell or row 9, a broken constraint 7, a duplicate row 5, a header
# problem 3); our own types by the family they belong to. A type not listed weighs DEFAULT_WEIGHT.
DEFAULT_WEIGHT = 9
WEIGHTS = {
    **dict.fromkeys(
        ("source-error", "scheme-error", "format-error", "encoding-error", "compression-error",
         "file-error", "transform-error", "missing-column", "too-many-errors", "too-few-rows",
         "personal-data", "internal-error", "schema-error", "resource-error"), 100),
    **dict.fromkeys(
        ("blank-label", "duplicate-label", "blank-header", "header-error", "label-error"), 3),
    **dict.fromkeys(
        ("constraint-error", "row-constraint", "forbidden-value", "sequential-value",
         "total-mismatch", "hierarchy-sum-mismatch", "region-name-mismatch"), 7),
    "duplicate-row": 5,
    **dict.fromkeys(
        ("outlier", "unit-mismatch", "region-name-unchecked", "region-total-unchecked",
         "ascii-value", "truncated-value", "deviated-cell", "deviated-value"), 1),
}  # fmt: skip
_unknown = sorted(set(WEIGHTS) - set(CATALOGUE))
if _unknown:
    raise ValueError(f"WEIGHTS names unregistered issue types: {_unknown}")


def issue_weight(slug: str) -> int:
    """The weight of one issue of type `slug` (DEFAULT_WEIGHT when none is listed)."""
    return WEIGHTS.get(slug, DEFAULT_WEIGHT)
