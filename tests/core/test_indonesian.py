"""Indonesian formats: unit tables, real files from ../shared/realdata, and properties."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core import indonesian
from pipelines.core.indonesian import (
    DateFormatError,
    IndonesianFormatError,
    NumberFormatError,
    RegionCodeError,
    RupiahAmount,
    clean_text,
    normalise_bps_code,
    normalise_region_code,
    normalise_region_name,
    parse_column,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_rupiah,
    region_name_key,
)


def id_format(n: int) -> str:
    """1234567 -> "1.234.567", the way Indonesian tables print integers."""
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


def id_format_decimal(d: Decimal) -> str:
    """Decimal("1234567.89") -> "1.234.567,89"."""
    return f"{d:,.2f}".translate(str.maketrans(",.", ".,"))


# --------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567,89", "1234567.89"),
        ("1.234", "1234"),  # the documented ambiguity: dots group thousands
        ("12,5", "12.5"),
        ("-1.234,5", "-1234.5"),
        ("(1.234)", "-1234"),
        ("1234.56", "1234.56"),
        ("8951.96", "8951.96"),  # ODJ pengeluaran per kapita
        ("451.3", "451.3"),  # ODJ penduduk miskin (ribu jiwa)
        ("0.125", "0.125"),  # a leading 0 cannot start a thousands group
        ("1234.567", "1234.567"),  # neither can four digits
        ("3201.0", "3201"),
        ("1234", "1234"),
        ("007", "7"),
        ("Rp847.542.209.097", "847542209097"),  # Satu Data Tangsel
        ("Rp 470.701.000,00", "470701000"),  # SPSE nilai kontrak
        ("Rp. 1.500", "1500"),
        ("rp1.000", "1000"),
        ("Rp 10.000,-", "10000"),
        ("-Rp 1.000", "-1000"),
        ("Rp -1.000", "-1000"),
        ("(Rp 1.000)", "-1000"),
        ("2.426,07 M", "2426070000000"),  # DJPK APBD
        ("-15,40 M", "-15400000000"),
        ("0,00 M", "0"),
        ("22,1 M", "22100000000"),  # SPSE HPS
        ("325 Jt", "325000000"),
        ("310,8 jt", "310800000"),
        ("1.234 Jt", "1234000000"),
        ("1,5 triliun", "1500000000000"),
        ("2 T", "2000000000000"),
        ("7 rb", "7000"),
        ("7 ribu", "7000"),
        ("1,5jt", "1500000"),
        ("3 juta", "3000000"),
        ("4 miliar", "4000000000"),
        ("4 milyar", "4000000000"),
        ("1,096.08", "1096.08"),  # DJPK 2022 persentase, English grouping with a decimal point
        ("\u00a0Rp\u00a01.000 ", "1000"),  # non-breaking spaces from HTML
        ("\u22121.000", "-1000"),  # Unicode minus sign
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == Decimal(expected)


def test_parse_decimal_keeps_plain_notation():
    assert str(parse_decimal("2.426,07 M")) == "2426070000000"
    assert str(parse_decimal("1.234")) == "1234"
    assert str(parse_decimal("-0,00")) == "0.00"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the value is empty"),
        ("   ", "the value is empty"),
        ("abc", "it has no digits"),
        ("Nilai Kontrak belum dibuat", "it has no digits"),
        ("Rp", "it has no digits"),
        ("1,2,3", "more than one decimal comma"),
        ("1,234,567", "more than one decimal comma"),
        ("1.23.456", "separators fit no accepted pattern"),
        ("1.2345,6", "separators fit no accepted pattern"),
        ("12,", "separators fit no accepted pattern"),
        ("--5", "more than one minus sign"),
        ("(-5)", "more than one minus sign"),
        ("1e5", "scientific notation"),
        ("1.9169E+12", "scientific notation"),
        ("\u0661\u0662\u0663", "non-ASCII digits"),  # Arabic-Indic
        ("\uff11\uff12", "non-ASCII digits"),  # full-width
        ("12 kg", "unexpected characters"),
        ("1 234", "unexpected characters"),
        ("5%", "unexpected characters"),
    ],
)
def test_parse_decimal_errors(text, reason):
    with pytest.raises(NumberFormatError) as info:
        parse_decimal(text)
    message = str(info.value)
    assert message.startswith(f"cannot read {text!r} as a number: ")
    assert reason in message
    assert "expected Indonesian notation such as '1.234.567,89'" in message
    assert info.value.value == text
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22,1 M", RupiahAmount(22_100_000_000, True)),
        ("325 Jt", RupiahAmount(325_000_000, True)),
        ("2.426,07 M", RupiahAmount(2_426_070_000_000, True)),
        ("Rp 338.240.000,00", RupiahAmount(338_240_000, False)),
        ("Rp847.542.209.097", RupiahAmount(847_542_209_097, False)),
        ("1.000,50", RupiahAmount(1001, False)),  # half up
        ("1.000,49", RupiahAmount(1000, False)),
        ("-0,50", RupiahAmount(-1, False)),  # ties away from zero
        ("1,2345 jt", RupiahAmount(1_234_500, True)),
        ("0,0000000005 M", RupiahAmount(1, True)),
    ],
)
def test_parse_rupiah(text, expected):
    assert parse_rupiah(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1234567),
        ("3201.0", 3201),  # float-exported code
        ("2019.0", 2019),  # float-exported year
        ("2019", 2019),
        ("1,0", 1),
        ("1,5 juta", 1_500_000),
        ("-12", -12),
        ("123456789012345678901234567890", 123456789012345678901234567890),  # above int64
    ],
)
def test_parse_integer(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text", ["12,5", "451.3", "1,2345 rb"])
def test_parse_integer_refuses_fractions(text):
    with pytest.raises(NumberFormatError, match=r"as a whole number: it has a fractional part"):
        parse_integer(text)


def test_parse_integer_reports_bad_numbers_as_numbers():
    with pytest.raises(NumberFormatError, match=r"cannot read 'dua' as a number: it has no digits"):
        parse_integer("dua")


@pytest.mark.parametrize("parser", [parse_decimal, parse_rupiah, parse_integer, parse_date])
def test_scalar_parsers_want_text(parser):
    with pytest.raises(TypeError, match="expected text"):
        parser(1234)


# --------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26 Mei 2015", dt.date(2015, 5, 26)),
        ("26 Mei 2015 10:00", dt.date(2015, 5, 26)),
        ("26 Mei 2015 10:00:59", dt.date(2015, 5, 26)),
        ("Senin, 26 Mei 2015 10.00 WIB", dt.date(2015, 5, 26)),
        ("17-08-2024", dt.date(2024, 8, 17)),
        ("17/08/2024", dt.date(2024, 8, 17)),
        ("17.08.2024", dt.date(2024, 8, 17)),
        ("1/2/2024", dt.date(2024, 2, 1)),  # day first, always
        ("2024-08-17", dt.date(2024, 8, 17)),
        ("2024-08-17 10:00:00", dt.date(2024, 8, 17)),
        ("2024-08-17T10:00:00+07:00", dt.date(2024, 8, 17)),
        (" 17 Agustus 1945 ", dt.date(1945, 8, 17)),
        ("17 AGUSTUS 1945", dt.date(1945, 8, 17)),
        ("1 Agu 2020", dt.date(2020, 8, 1)),
        ("1 Agt 2020", dt.date(2020, 8, 1)),
        ("1 Agus 2020", dt.date(2020, 8, 1)),
        ("1 Aug 2020", dt.date(2020, 8, 1)),
        ("5-Okt-2020", dt.date(2020, 10, 5)),
        ("5 Oct 2020", dt.date(2020, 10, 5)),
        ("5 Des. 2020", dt.date(2020, 12, 5)),
        ("5 Dec 2020", dt.date(2020, 12, 5)),
        ("29 Februari 2024", dt.date(2024, 2, 29)),
        ("3 Pebruari 2010", dt.date(2010, 2, 3)),
        ("3 Nopember 2010", dt.date(2010, 11, 3)),
        ("9 May 2021", dt.date(2021, 5, 9)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("month", "names"),
    [
        (1, "Januari Jan January"),
        (2, "Februari Feb February"),
        (3, "Maret Mar March"),
        (4, "April Apr"),
        (5, "Mei May"),
        (6, "Juni Jun June"),
        (7, "Juli Jul July"),
        (8, "Agustus Agu Agt Agus Aug August"),
        (9, "September Sep Sept"),
        (10, "Oktober Okt Oct October"),
        (11, "November Nov"),
        (12, "Desember Des Dec December"),
    ],
)
def test_parse_date_month_names(month, names):
    for name in names.split():
        assert parse_date(f"1 {name} 2020") == dt.date(2020, month, 1), name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the value is empty"),
        ("3/18/2015", "month must be in 1..12 (dates are read day first; is this source month"),
        ("31 Februari 2024", "day is out of range for month"),
        ("17-08-24", "the year has two digits"),
        ("26 Mai 2015", "unknown month name 'Mai'"),
        ("Mei 2015", "unrecognised format"),
        ("2015/05/26", "unrecognised format"),
        ("17-08/2024", "unrecognised format"),
        ("26 Mei 2015 pagi", "unrecognised format"),
        ("\u0661\u0667-08-2024", "it has non-ASCII digits"),
    ],
)
def test_parse_date_errors(text, reason):
    with pytest.raises(DateFormatError) as info:
        parse_date(text)
    assert str(info.value).startswith(f"cannot read {text!r} as a date: {reason}")
    assert "expected a day-first date such as '26 Mei 2015'" in str(info.value)


# --------------------------------------------------------------------------------------------
# Region codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32", "32"),
        ("3271", "32.71"),
        ("32.71", "32.71"),
        ("3271.0", "32.71"),
        ("32.0", "32"),
        ("32.00", "32"),  # no Kemendagri segment is 00: a float with two decimals
        ("327101", "32.71.01"),
        ("327101.0", "32.71.01"),
        ("3271011001", "32.71.01.1001"),
        ("3271011001.0", "32.71.01.1001"),
        ("32.71.01.1001", "32.71.01.1001"),
        ("32.01.02.2001", "32.01.02.2001"),
        ("91.03.01.3007", "91.03.01.3007"),  # Papua desa adat
        ("  32.71 \n", "32.71"),
    ],
)
def test_normalise_region_code(text, expected):
    assert normalise_region_code(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("3271010", "it has 7 digits"),
        ("3271010.0", "may be a BPS kecamatan code"),
        ("3201190006", "this may be a 10-digit BPS desa code"),
        ("327", "it has 3 digits"),
        ("32710", "it has 5 digits"),
        ("", "it is not made of digits"),
        ("abc", "it is not made of digits"),
        ("32.71.01.100l", "it is not made of digits"),
        ("32.1", "a trailing zero seems lost to a float conversion"),
        ("32.71.1", "a trailing zero seems lost to a float conversion"),
        ("32.71.00", "segment '00' is all zeros"),
        ("0271", "province code '02' starts with 0"),
        ("32 71", "it is not made of digits"),
        ("\u0663\u0662", "it is not made of digits"),
    ],
)
def test_normalise_region_code_errors(text, fragment):
    with pytest.raises(RegionCodeError) as info:
        normalise_region_code(text)
    assert str(info.value).startswith(f"{text!r} is not a Kemendagri region code")
    assert fragment in str(info.value)


def test_seven_digit_code_message_names_bps():
    with pytest.raises(RegionCodeError) as info:
        normalise_region_code("3271010")
    assert "BPS kecamatan code" in str(info.value)
    assert "normalise_bps_code" in str(info.value)
    assert info.value.slug == "region-code"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32", "32"),
        ("32.0", "32"),
        ("3201.0", "3201"),
        ("3271040", "3271040"),
        ("3201190.0", "3201190"),
        ("3201190006.0", "3201190006"),
        (" 3271040011 ", "3271040011"),
    ],
)
def test_normalise_bps_code(text, expected):
    assert normalise_bps_code(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("32.71", "it looks like a Kemendagri code"),
        ("327101", "it looks like a Kemendagri code"),
        ("327", "expected 2, 4, 7 or 10 digits"),
        ("0327104", "expected 2, 4, 7 or 10 digits not starting with 0"),
        ("KOTA", "expected 2, 4, 7 or 10 digits"),
    ],
)
def test_normalise_bps_code_errors(text, fragment):
    with pytest.raises(RegionCodeError, match=re.escape(fragment)):
        normalise_bps_code(text)


# --------------------------------------------------------------------------------------------
# Region names and text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KAB. BOGOR", "Kabupaten Bogor"),
        ("KAB BOGOR", "Kabupaten Bogor"),
        ("KABUPATEN BOGOR", "Kabupaten Bogor"),
        ("KOTA BOGOR", "Kota Bogor"),
        ("BOGOR TENGAH", "Bogor Tengah"),
        ("KEC. BOGOR TENGAH", "Bogor Tengah"),
        ("KEC.BOGOR TENGAH", "Bogor Tengah"),
        ("KECAMATAN  Bogor   Tengah", "Bogor Tengah"),
        ("KEL. BATUTULIS", "Batutulis"),
        ("KELURAHAN BABAKAN PASAR", "Babakan Pasar"),
        ("DESA WANAHERANG", "Wanaherang"),
        ("desa sukamaju", "Sukamaju"),
        ("Desa Adat Yoboi", "Desa Adat Yoboi"),  # a kind of desa, part of the Kemendagri name
        ("PROVINSI JAWA BARAT", "Jawa Barat"),
        ("PROVINSI DKI JAKARTA", "DKI Jakarta"),
        ("DI YOGYAKARTA", "DI Yogyakarta"),
        ("KOTA ADM. JAKARTA TIMUR", "Kota Administrasi Jakarta Timur"),
        ("KAB. ADM. KEP. SERIBU", "Kabupaten Administrasi Kepulauan Seribu"),
        ("ILIR BARAT II", "Ilir Barat II"),
        ("KOTO XI TARUSAN", "Koto XI Tarusan"),
        ("PASI KUALA BA'U", "Pasi Kuala Ba'u"),
        ("GRONG-GRONG", "Grong-Grong"),
        ("Tgk. Di Bathon", "Tgk. Di Bathon"),
        ("KOTA", "Kota"),
        ("", ""),
    ],
)
def test_normalise_region_name(text, expected):
    assert normalise_region_name(text) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("KEL. BATUTULIS", "Batu Tulis"),
        ("KAB. BOGOR", "Kabupaten Bogor"),
        ("KAB. BOGOR", "BOGOR"),
        ("KOTA BOGOR", "Kota Bogor"),
        ("KEC. TANAH SAREAL", "Tanah Sareal"),
        ("PROVINSI DKI JAKARTA", "Daerah Khusus Ibukota Jakarta"),
        ("DI YOGYAKARTA", "Daerah Istimewa Yogyakarta"),
        ("KOTA ADM. JAKARTA UTARA", "Kota Administrasi Jakarta Utara "),
        ("Kota_Blitar", "KOTA BLITAR"),
        ("Pasi Kuala Ba'u", "PASI KUALA BAU"),
        ("Bandar Lampung", "BANDARLAMPUNG"),
    ],
)
def test_region_name_key_matches(left, right):
    assert region_name_key(left) == region_name_key(right)


def reference_region_key(text: str) -> str:
    """The key as first defined: the display name, accents folded, upper-cased, level words
    and long forms put in key form, letters and digits kept."""
    import unicodedata

    s = unicodedata.normalize("NFKD", normalise_region_name(text))
    s = "".join(c for c in s if not unicodedata.combining(c)).upper()
    s = re.sub(r"^KABUPATEN\s+", "", s)
    s = re.sub(r"^(KOTA\s+)?ADMINISTRASI\s+", r"\1", s)
    s = re.sub(r"^DKI\s+", "DAERAH KHUSUS IBUKOTA ", s)
    s = re.sub(r"^DI\s+(?=YOGYAKARTA)", "DAERAH ISTIMEWA ", s)
    return re.sub(r"[^A-Z0-9]", "", s)


REGION_WORDS = ["KAB.", "Kota", "ADM.", "KEC.", "kel ", "Desa", "DKI", "Di", "Yogyakarta", "Kep.",
                "Administrasi", "Kabupaten ", "ẞ", "ß", "İ", "é", "Ba'u", "<b>", "&amp;", " ", "_",
                "II", "x", "\u200b", "\t"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(REGION_WORDS), max_size=6).map("".join)))
def test_region_name_key_is_the_key_of_the_display_name(text):
    """The fast key (ASCII names skip the title-casing) equals the key computed the long way."""
    assert region_name_key(text) == reference_region_key(text)


def test_region_name_key_keeps_kota_apart_from_kabupaten():
    assert region_name_key("KOTA BOGOR") == "KOTABOGOR"
    assert region_name_key("KAB. BOGOR") == "BOGOR"
    assert region_name_key("Kota Bogor") != region_name_key("Kabupaten Bogor")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Pengadaan   Server \n", "Pengadaan Server"),
        (
            "BELANJA BAHAN MEDIS (COVID-19) <span class='label label-warning'>Tender Ulang</span>",
            "BELANJA BAHAN MEDIS (COVID-19) Tender Ulang",
        ),
        ("SMP NEGERI &amp; SD", "SMP NEGERI & SD"),
        ("baris satu<br/>baris dua", "baris satu baris dua"),
        ("&lt;b&gt; bukan tag", "<b> bukan tag"),
        ("a\u00a0&nbsp;b\u200b", "a b"),
        ("<!-- komentar -->isi", "isi"),
        ("5 < 6 > 4", "5 < 6 > 4"),
        ("", None),
        ("   ", None),
        ("<span></span>", None),
        (None, None),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


# --------------------------------------------------------------------------------------------
# Columns


def test_parse_column_rupiah():
    source = pd.Series(
        ["Rp 470.701.000,00", "22,1 M", None, "  ", "Nilai Kontrak belum dibuat", "1234", "22,1 M"],
        index=[10, 11, 12, 13, 14, 15, 16],
        name="nilai",
    )
    parsed = parse_column(source, "rupiah")
    assert parsed.values.tolist() == [
        "470701000",
        "22100000000",
        pd.NA,
        pd.NA,
        pd.NA,
        "1234",
        "22100000000",
    ]
    assert parsed.values.index.tolist() == source.index.tolist()
    assert parsed.errors.tolist()[:4] == [None, None, None, None]
    assert parsed.errors[14].startswith("cannot read 'Nilai Kontrak belum dibuat' as a number")
    assert parsed.rounded.tolist() == [False, True, pd.NA, pd.NA, pd.NA, False, True]
    assert parsed.values.dtype == "string"


def test_parse_column_kinds():
    assert parse_column(pd.Series(["1.234,50", "8951.96", "1,5 jt"]), "number").values.tolist() == [
        "1234.5",
        "8951.96",
        "1500000",
    ]
    assert parse_column(pd.Series(["26 Mei 2015", "17/08/2024"]), "date").values.tolist() == [
        "2015-05-26",
        "2024-08-17",
    ]
    codes = parse_column(pd.Series(["3271.0", "32", "3271010"]), "region_code")
    assert codes.values.tolist() == ["32.71", "32", pd.NA]
    assert "BPS kecamatan code" in codes.errors[2]
    assert codes.rounded is None
    assert parse_column(pd.Series(["3201190006.0"]), "bps_code").values.tolist() == ["3201190006"]
    # Text is kept as the source wrote it, trimmed at both ends (issue 12 item 2): markup-shaped
    # text, entities and inner spaces are data, escaped by each output.
    text = parse_column(pd.Series(["  KEL.  Empang ", "<b></b>", "&amp;", " \t "]), "text")
    assert text.values.tolist() == ["KEL.  Empang", "<b></b>", "&amp;", pd.NA]
    assert text.errors.tolist() == [None, None, None, None]


def test_parse_column_integer_refuses_fractions():
    parsed = parse_column(pd.Series(["2019.0", "12,5", "007", "-5"]), "integer")
    assert parsed.values.tolist() == ["2019", pd.NA, "7", "-5"]
    assert "fractional part" in parsed.errors[1]


def test_parse_column_non_text_input():
    floats = parse_column(pd.Series([3201.0, np.nan, 32.0]), "region_code")
    assert floats.values.tolist() == ["32.01", pd.NA, "32"]
    assert parse_column(pd.Series([1, 2, 3]), "integer").values.tolist() == ["1", "2", "3"]
    mixed = parse_column(pd.Series(["1.000", 5, None], dtype=object), "rupiah")
    assert mixed.values.tolist() == ["1000", "5", pd.NA]


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_parse_column_string_dtypes(dtype):
    parsed = parse_column(pd.Series(["1.234", None, "x", " 5 "], dtype=dtype), "integer")
    assert parsed.values.tolist() == ["1234", pd.NA, pd.NA, "5"]
    assert [e is None for e in parsed.errors] == [True, True, False, True]


def test_parse_column_empty_and_unknown_kind():
    parsed = parse_column(pd.Series([], dtype=object), "integer")
    assert len(parsed.values) == len(parsed.errors) == len(parsed.rounded) == 0
    with pytest.raises(ValueError, match="unknown parse kind 'money'; expected one of text, "):
        parse_column(pd.Series(["1"]), "money")


def test_parse_column_parses_each_distinct_messy_value_once(monkeypatch):
    calls = []
    original = indonesian._CELLS["integer"]

    def counting(text):
        calls.append(text)
        return original(text)

    monkeypatch.setitem(indonesian._CELLS, "integer", counting)
    source = pd.Series([str(i) for i in range(5000)] + ["1.234", "2019.0", "x"] * 1000)
    parsed = parse_column(source, "integer")
    assert calls == ["x"]  # plain, grouped and dotted integers take the vectorised path
    assert parsed.values.iloc[-3:].tolist() == ["1234", "2019", pd.NA]


def test_parse_column_million_integers_agrees_with_the_scalar_parser():
    """The fast paths must give what the scalar parser gives (speed is in benchmarks/)."""
    rng = np.random.default_rng(42)
    source = pd.Series(rng.integers(0, 10**12, 1_000_000).astype(str), dtype=object)
    source.iloc[::997] = "1.234.567"
    parsed = parse_column(source, "integer")
    assert parsed.errors.isna().all()
    assert parsed.values.iloc[0] == "1234567"
    sample = source.iloc[::4999]
    assert parsed.values.loc[sample.index].tolist() == [str(parse_integer(v)) for v in sample]


# --------------------------------------------------------------------------------------------
# Real files, read in place


def test_real_djpk_apbd_amounts(realdata):
    frame = pd.read_csv(realdata / "budget/djpk_apbd_jatim/2024/Tulungagung.csv", dtype=str)
    anggaran = parse_column(frame["anggaran"], "rupiah")
    assert anggaran.errors.isna().all()
    assert anggaran.rounded.all()
    assert anggaran.values[0] == "2899260000000"  # "2.899,26 M"
    realisasi = parse_column(frame["realisasi"], "rupiah")
    assert "-15400000000" in realisasi.values.tolist()  # "-15,40 M"


def test_real_djpk_every_file_parses(realdata):
    files = sorted((realdata / "budget/djpk_apbd_jatim").glob("202[234]/*.csv"))
    assert files
    for path in files:
        frame = pd.read_csv(path, dtype=str)
        for column in ("anggaran", "realisasi"):
            assert parse_column(frame[column], "rupiah").errors.isna().all(), path
        assert parse_column(frame["persentase"], "number").errors.isna().all(), path  # "1,096.08"


def test_real_tangsel_items_add_up_to_total(realdata):
    path = realdata / "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv"
    frame = pd.read_csv(path, sep=";", header=2, dtype=str).dropna(how="all")
    for year in ("2021", "2022"):
        amounts = [parse_rupiah(v).value for v in frame[year]]
        assert sum(amounts[:-1]) == amounts[-1], year
    assert parse_rupiah(frame["2021"].iloc[0]) == RupiahAmount(847_542_209_097, False)


def test_real_spse_tender_amounts(realdata):
    rows = json.loads((realdata / "procurement/spse_lpse_kota_bandung_dt_lelang.json").read_text())
    rows = rows["data"]
    hps = parse_column(pd.Series([row[4] for row in rows]), "rupiah")
    assert hps.errors.isna().all() and hps.rounded.all()
    assert hps.values[:2].tolist() == ["325000000", "22100000000"]
    contract = parse_column(pd.Series([row[10] for row in rows]), "rupiah")
    failed = pd.Series([row[10] for row in rows])[contract.errors.notna()]
    assert set(failed) == {"Nilai Kontrak belum dibuat"}
    assert (~contract.rounded.dropna()).all()
    # Text parsing keeps the source's markup (the spse_datatables reader splits the labels off
    # into their own column, a declared reshaping): only the ends are trimmed.
    names = parse_column(pd.Series([row[1] for row in rows]), "text").values
    assert names.tolist() == [row[1].strip() or pd.NA for row in rows]
    assert names.str.contains("<span class='label").sum() > 0


def test_real_odj_float_codes(realdata):
    path = realdata / "messy/odj_dpmdes_idm_pencemaran_air_desa_float_codes.csv"
    frame = pd.read_csv(path, dtype=str)
    province = parse_column(frame["kode_provinsi"], "region_code")
    assert set(province.values) == {"32"}
    kabupaten = parse_column(frame["bps_kode_kabupaten_kota"], "region_code").values
    desa = parse_column(frame["kemendagri_kode_desa_kelurahan"], "region_code").values
    assert (desa.str.slice(0, 5) == kabupaten).all()
    assert parse_column(frame["tahun"], "integer").values.isin(["2019", "2020", "2021"]).all()
    bps_desa = parse_column(frame["bps_kode_desa_kelurahan"], "bps_code")
    assert bps_desa.errors.isna().all() and bps_desa.values.str.len().eq(10).all()
    wrong_scheme = parse_column(frame["bps_kode_kecamatan"], "region_code")
    assert wrong_scheme.values.isna().all()
    assert wrong_scheme.errors.str.contains("BPS kecamatan code").all()
    bps_names = frame["bps_nama_desa_kelurahan"].map(region_name_key)
    assert (bps_names == frame["kemendagri_nama_desa_kelurahan"].map(region_name_key)).all()


def test_real_kota_bogor_names_match_kemendagri(realdata):
    sql = (realdata / "regions/kemendagri_2025/wilayah.sql").read_text(encoding="utf-8")
    kemendagri = dict(re.findall(r"\('(32\.71[0-9.]*)','((?:[^']|'')*)'\)", sql))
    kelurahan = {region_name_key(n) for c, n in kemendagri.items() if c.count(".") == 3}
    kecamatan = {region_name_key(n) for c, n in kemendagri.items() if c.count(".") == 2}
    geojson = realdata / "regions/kota_bogor_kelurahan_kemiskinan_2019.geojson"
    features = [f["properties"] for f in json.loads(geojson.read_text())["features"]]
    assert {region_name_key(p["KECAMATAN"]) for p in features} <= kecamatan
    unmatched = {
        p["KELURAHAN"] for p in features if region_name_key(p["KELURAHAN"]) not in kelurahan
    }
    assert unmatched == {"KEL. TEGALEGA", "KEL. TANAHSEREAL"}  # spelling differs, not format
    assert region_name_key(features[0]["KABUPATEN"]) == region_name_key(kemendagri["32.71"])


# --------------------------------------------------------------------------------------------
# Properties

integers = st.integers(min_value=-(10**18), max_value=10**18)
amounts = st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False)


@given(integers)
def test_indonesian_integers_round_trip(n):
    text = id_format(n)
    assert parse_decimal(text) == n
    assert parse_integer(text) == n
    assert parse_rupiah(text) == RupiahAmount(n, False)
    assert parse_decimal(f"Rp {text}") == n
    assert parse_decimal(f"Rp{text}") == n


@given(st.integers(min_value=0, max_value=10**18), st.sampled_from(["-Rp {}", "Rp -{}", "(Rp {})"]))
def test_negative_rupiah_round_trip(n, template):
    assert parse_rupiah(template.format(id_format(n))) == RupiahAmount(-n, False)


@given(amounts)
def test_indonesian_decimals_round_trip(d):
    text = id_format_decimal(d)
    assert parse_decimal(text) == d
    assert parse_decimal(f"Rp {text}") == d
    assert parse_decimal(f"Rp. {text}") == d


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_miliar_suffix_is_rounded(whole, cents):
    assert parse_rupiah(f"{id_format(whole)} M") == RupiahAmount(whole * 10**9, True)
    text = f"{id_format(whole)},{cents:02d} M"
    assert parse_rupiah(text) == RupiahAmount(whole * 10**9 + cents * 10**7, True)


@given(st.text())
def test_number_parsers_fail_only_with_number_errors(text):
    try:
        value = parse_decimal(text)
    except NumberFormatError as exc:
        assert repr(text) in str(exc)
    else:
        assert value.is_finite()


@given(st.text())
def test_date_parser_fails_only_with_date_errors(text):
    try:
        parse_date(text)
    except DateFormatError as exc:
        assert repr(text) in str(exc)


segment = st.integers(min_value=1, max_value=99).map("{:02d}".format)
desa_number = st.integers(min_value=1000, max_value=3999).map(str)
valid_codes = st.builds(
    lambda parts, length, dotted, as_float: (
        ("." if dotted else "").join(parts[:length]) + (".0" if as_float and not dotted else "")
    ),
    st.tuples(st.integers(11, 96).map(str), segment, segment, desa_number),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
    st.booleans(),
)


@given(valid_codes)
def test_region_code_normalisation_is_idempotent(text):
    code = normalise_region_code(text)
    assert re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", code)
    assert normalise_region_code(code) == code
    assert normalise_region_code(code.replace(".", "")) == code


@given(st.text(alphabet="0123456789. \u0661", max_size=16))
def test_region_code_idempotent_whenever_accepted(text):
    try:
        code = normalise_region_code(text)
    except RegionCodeError as exc:
        assert repr(text) in str(exc)
    else:
        assert normalise_region_code(code) == code


junk = st.text(alphabet="0123456789.,-() RpMjtrbx\u0661", max_size=12)
missing = st.sampled_from([None, "", "   ", "\t\u00a0", "\x1c", np.nan])
number_cells = st.one_of(
    integers.map(str),
    integers.map(id_format),
    integers.map(lambda n: f"Rp {id_format(n)}"),
    amounts.map(id_format_decimal),
    amounts.map(lambda d: f"{id_format_decimal(d)} M"),
    st.integers(min_value=0, max_value=10**4).map(lambda n: f"{n}.0"),
    junk,
    missing,
)
date_cells = st.one_of(
    st.dates().map(lambda d: f"{d.day}-{d.month:02d}-{d.year:04d}"),
    st.dates(min_value=dt.date(1000, 1, 1)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(1000, 1, 1)).map(lambda d: d.strftime("%d %b %Y")),
    st.text(alphabet="0123456789-/ MeiAgtx", max_size=12),
    missing,
)
code_cells = st.one_of(valid_codes, st.text(alphabet="0123456789.", max_size=11), missing)
SCALAR = {
    "integer": lambda s: (str(parse_integer(s)), None),
    "number": lambda s: (parse_decimal(s), None),
    "rupiah": lambda s: (str(parse_rupiah(s).value), parse_rupiah(s).rounded),
    "date": lambda s: (parse_date(s).isoformat(), None),
    "region_code": lambda s: (normalise_region_code(s), None),
}


def assert_column_agrees(cells, kind, dtype=object):
    parsed = parse_column(pd.Series(cells, dtype=dtype), kind)
    for position, cell in enumerate(cells):
        value, error = parsed.values.iloc[position], parsed.errors.iloc[position]
        if not isinstance(cell, str) or not cell.strip():
            assert value is pd.NA and error is None
            continue
        try:
            expected, rounded = SCALAR[kind](cell)
        except ValueError as exc:
            assert value is pd.NA and error == str(exc)
            continue
        assert error is None
        if kind == "number":
            assert re.fullmatch(r"-?\d+(\.\d*[1-9])?", value), value
            assert Decimal(value) == expected
        else:
            assert value == expected
        if kind == "rupiah":
            assert parsed.rounded.iloc[position] == rounded


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(number_cells, max_size=30),
    st.sampled_from(["integer", "number", "rupiah"]),
    st.sampled_from([object, "str"]),
)
def test_parse_column_agrees_with_scalar_numbers(cells, kind, dtype):
    assert_column_agrees(cells, kind, dtype)


@settings(deadline=None)
@given(st.lists(date_cells, max_size=30))
def test_parse_column_agrees_with_scalar_dates(cells):
    assert_column_agrees(cells, "date")


@settings(deadline=None)
@given(st.lists(code_cells, max_size=30))
def test_parse_column_agrees_with_scalar_region_codes(cells):
    assert_column_agrees(cells, "region_code")


def test_rupiah_with_sen_fast_path_agrees_with_the_scalar_parser():
    rng = np.random.default_rng(7)
    values = [
        f"Rp {v:,}".replace(",", ".") + f",{c:02d}"
        for v, c in zip(rng.integers(0, 10**14, 3000), rng.integers(0, 100, 3000), strict=True)
    ]
    values += ["Rp. 1.000,50", "Rp 0,49", "Rp 12,00", "Rp 01,00", "Rp 1.00,00"]
    parsed = parse_column(pd.Series(values), "rupiah")
    for value, got, error in zip(values, parsed.values, parsed.errors, strict=True):
        try:
            expected = str(parse_rupiah(value).value)
        except IndonesianFormatError as exc:
            assert got is pd.NA and error == str(exc)
        else:
            assert got == expected and error is None


def test_decimal_kind_reads_machine_notation_not_indonesian():
    """Our own CSV exports write 111.366 km2 as "111.366"; read back it must stay 111.366."""
    parsed = parse_column(
        pd.Series(["111.366", "-0.5", "2554770000000", "1e3", "1.234.567"]), "decimal"
    )
    assert parsed.values.tolist()[:4] == ["111.366", "-0.5", "2554770000000", "1000"]
    assert parsed.values.iloc[4] is pd.NA
    assert "machine notation" in parsed.errors.iloc[4]
    assert parse_column(pd.Series(["111.366"]), "number").values.iloc[0] == "111366"
