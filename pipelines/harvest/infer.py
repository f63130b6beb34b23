"""A first Table Schema for a harvested file, inferred for a person to review.

frictionless detects the encoding and delimiter and proposes a type per column; the proposal is then
checked against the parsers the build will really use (pipelines/core/indonesian.py) over every row,
so an inferred schema never promises a type the build cannot read. The DESIGN pitfall applies: codes
(`kode*`, `id*`, `nik`, `npwp`, values with leading zeros) stay text whatever they look like.
Columns are read by our own readers, exactly as `publish.py build` will read them.

Example: the Minas Gerais donations CSV (`;`, BOM, decimal comma) gives `VALOR_UNITARIO ->
valor_unitario`, type number (frictionless alone says string: it does not know "0,1"), and
`CNPJ_DOADOR` stays a string.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from frictionless import Detector, Resource, describe

from ..core.indonesian import parse_column
from ..core.personal_data import NUMERIC_TYPES, Finding, find_in_column
from ..readers import FILE_COLUMN, INVALID_ROWS, ROW_COLUMN, ReaderError, read_chunks
from .client import PortalError, both
from .mapping import is_code_column, snake_name, unique_name

HEADER_SCAN_ROWS = 30
MAX_ROWS = 200_000  # rows checked against our parsers; a larger file is checked on its head
SAMPLE_ROWS = 1_000  # rows frictionless sees
UNNAMED = re.compile(r"^(Unnamed: \d+|field\d+|)$")
ENGLISH_DECIMAL = re.compile(r"^-?\d+\.(\d{1,2}|\d{4,})$")
AMBIGUOUS_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


@dataclass
class InferredResource:
    reader: str
    options: dict
    columns: dict[str, str]  # source header -> field name (only where they differ)
    fields: list[dict]
    rows: int  # rows read, at most MAX_ROWS: not the size of a larger file
    warnings: list[str] = field(default_factory=list)
    # Personal data in the rows read (core/personal_data.py), by field name; positions are rows
    # of `frame`, their source rows in `source_rows`.
    personal: list[Finding] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)


def infer_resource(
    path: Path, fmt: str, shown: str, declared: dict | None = None
) -> InferredResource:
    """Reader options, column names and typed fields for `path` (csv, xlsx or json).

    `shown` names the file in messages: the harvester passes the path the file will get
    (`datasets/<id>/data/<table>.<ext>`), since `path` is a temporary download a person never sees.
    `declared` is a Table Schema the portal publishes beside the resource (ckanext-validation's
    `schema`, also what our own CKAN API serves): its types, titles and descriptions are taken
    where the data bears them out, instead of guessing.

    Raises PortalError (kind `unreadable` or `invalid-json`) for a file that cannot be read as
    the format the portal promised, naming `shown` and the cause; the caller adds which resource.
    """
    options: dict = {}
    try:
        options = {"csv": _csv_options, "xlsx": _xlsx_options, "json": _json_options}[fmt](path)
        frame = _read(fmt, path, options)
    except (ReaderError, UnicodeDecodeError) as exc:
        raise _unreadable(path, fmt, shown, options.get("encoding"), exc) from None
    except PortalError as exc:
        exc.message = f"{shown}: {exc.message}"
        raise
    headers = [c for c in frame.columns if c not in (ROW_COLUMN, FILE_COLUMN)]
    if not headers or frame.empty:
        raise PortalError(
            "unreadable", f"{shown}: " + both("tabel kosong", "the table has no rows")
        )
    kept = [h for h in headers if not (UNNAMED.match(str(h)) and _all_empty(frame[h]))]
    names: dict[str, str] = {}
    for header in kept:
        base = snake_name(str(header)) or f"kolom_{len(names) + 1}"
        names[header] = unique_name(base, set(names.values()))
    proposed = _frictionless_types(frame, names)
    known = {f.get("name"): f for f in (declared or {}).get("fields") or [] if isinstance(f, dict)}
    warnings: list[str] = []
    fields = [
        _field(header, names[header], frame[header], proposed[names[header]], warnings)
        for header in kept
    ]
    for described in fields:
        source = known.get(described["name"])
        if source:
            _take_declared(described, source, frame[_header_of(names, described["name"])], warnings)
    columns = {header: name for header, name in names.items() if header != name}
    personal = [
        found
        for header, described in zip(kept, fields, strict=True)
        for found in find_in_column(
            described["name"],
            frame[header].reset_index(drop=True),
            described.get("type") not in NUMERIC_TYPES,
        )
    ]
    rows = frame[ROW_COLUMN].tolist() if ROW_COLUMN in frame.columns else []
    return InferredResource(fmt, options, columns, fields, len(frame), warnings, personal, rows)


def _unreadable(
    path: Path, fmt: str, shown: str, encoding: str | None, exc: Exception
) -> PortalError:
    """A reader's failure in words that fit a harvest.

    The reader names the temporary download and advises setting options in a descriptor, which
    does not exist yet: here the file is `shown`, and the advice is about the portal's file.
    """
    advice = (
        "periksa berkas dan formatnya di portal, lalu panen lagi",
        "check the file and its format on the portal, then harvest again",
    )
    at = _undecodable(path, encoding) if encoding else None
    if at is not None:
        return PortalError(
            "unreadable",
            f"{shown}: "
            + both(
                f"bukan teks {encoding} yang sah (bita ke-{at}); {advice[0]}",
                f"not valid {encoding} text (byte {at}); {advice[1]}",
            ),
        )
    detail = str(exc).removeprefix(f"{path.name}: ").replace(path.name, shown)
    kind = fmt.upper()
    return PortalError(
        "unreadable",
        f"{shown}: "
        + both(f"tidak terbaca sebagai {kind}; {advice[0]}", f"not readable as {kind}; {advice[1]}")
        + f": {detail}",
    )


def _undecodable(path: Path, encoding: str) -> int | None:
    """Offset of the first byte `encoding` cannot decode, or None when the whole file decodes."""
    offset = 0
    if codecs.lookup(encoding).name == "utf-8-sig":  # count the BOM's bytes as bytes too
        with open(path, "rb") as handle:
            offset = 3 if handle.read(3) == codecs.BOM_UTF8 else 0
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as handle:
        handle.seek(offset)
        while True:
            block = handle.read(1 << 20)
            pending = len(decoder.getstate()[0])  # bytes of a character cut at the last block
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            if not block:
                return None
            offset += len(block)


def _csv_options(path: Path) -> dict:
    try:
        described = describe(str(path), type="resource")
        encoding = described.encoding or "utf-8"
        delimiter = (described.dialect.to_dict().get("csv") or {}).get("delimiter", ",")
    except Exception:  # frictionless raises many types for odd files; fall back to counting
        encoding = "utf-8"
        delimiter = _steady_delimiter(path.read_bytes()[:65536].decode("utf-8", "replace"))
    encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        rows = list(itertools.islice(csv.reader(handle, delimiter=delimiter), HEADER_SCAN_ROWS))
    options = {"delimiter": delimiter, "encoding": encoding}
    skip = _header_row(rows)
    if skip:
        options["skip_rows"] = skip
    return options


def _steady_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same number (>1) of columns most often."""
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        common = max(set(widths), key=widths.count) if widths else 1
        score = widths.count(common) if common > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_options(path: Path) -> dict:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ReaderError(f"not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = [
            ["" if c is None else str(c) for c in row]
            for row in itertools.islice(sheet.iter_rows(values_only=True), HEADER_SCAN_ROWS)
        ]
    finally:
        book.close()
    options: dict = {"sheet": 0}
    skip = _header_row(rows)
    if skip:
        options["skip_rows"] = skip
    return options


def _json_options(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PortalError(
            "invalid-json",
            both("berkas bukan JSON yang sah", "the file is not valid JSON") + f": {exc}",
        ) from None
    where = _records_path(document)
    if where is None:
        raise PortalError(
            "unreadable",
            both(
                "JSON tidak berisi daftar rekaman (list of objects)",
                "the JSON holds no list of records (objects)",
            ),
        )
    return {"records": where} if where else {}


def _records_path(document, prefix: str = "", depth: int = 0) -> str | None:
    """Dotted path to the first list of objects: "" for a top-level list, "data" for a wrapper."""
    if isinstance(document, list):
        return prefix if document and all(isinstance(item, dict) for item in document) else None
    if isinstance(document, dict) and depth < 3:
        for key, value in document.items():
            found = _records_path(value, f"{prefix}.{key}" if prefix else str(key), depth + 1)
            if found is not None:
                return found
    return None


def _header_row(rows: list[list[str]]) -> int:
    """Rows to skip before the header: portals put titles and blank lines above tables.

    A row's width is the cells it spans up to its last non-empty one, empty ones included, so a
    pandas export's header `,nama,nilai` (an unnamed index column) is as wide as its rows. The
    table's width is the most common one, the narrower on a tie, so that one longer row (a note,
    a stray value) cannot outvote the header; one-cell rows such as titles count only in a
    one-column table. The header is the first row at least as wide as the table.
    """
    widths = [_span(row) for row in rows]
    seen = [w for w in widths if w > 1] or [w for w in widths if w]
    if not seen:
        return 0
    table = max(set(seen), key=lambda w: (seen.count(w), -w))
    return next(i for i, width in enumerate(widths) if width >= table)


def _span(row: list[str]) -> int:
    return max((i + 1 for i, cell in enumerate(row) if str(cell).strip()), default=0)


def _read(fmt: str, path: Path, options: dict) -> pd.DataFrame:
    parts, total = [], 0
    for chunk in read_chunks(fmt, path, options, chunk_rows=50_000):
        ragged = chunk.attrs.get(INVALID_ROWS) or []
        if ragged:  # a row wider or narrower than the header: no schema can be read past it
            lines = ", ".join(f"line {row['line']}" for row in ragged[:10])
            baris = ", ".join(f"baris {row['line']}" for row in ragged[:10])
            raise PortalError(
                "unreadable",
                both(
                    f"{baris}: jumlah selnya tidak sama dengan judul kolom",
                    f"{lines}: the number of cells differs from the header's; check the file "
                    "on the portal, then harvest again",
                ),
            )
        parts.append(chunk)
        total += len(chunk)
        if total >= MAX_ROWS:
            break
    if not parts:
        return pd.DataFrame()
    frame = pd.concat(parts, ignore_index=True).head(MAX_ROWS)
    return frame.astype({c: "string" for c in frame.columns if c != ROW_COLUMN})


def _all_empty(values: pd.Series) -> bool:
    return bool(values.fillna("").str.strip().eq("").all())


def _frictionless_types(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, str]:
    head = frame[list(names)].head(SAMPLE_ROWS).fillna("")
    data = [list(names.values()), *head.astype(str).values.tolist()]
    resource = Resource(data=data, detector=Detector(sample_size=len(data)))
    resource.infer()
    return {f.name: f.type for f in resource.schema.fields}


def _field(header: str, name: str, values: pd.Series, proposed: str, warnings: list[str]) -> dict:
    kind, parse = _decide(name, values, proposed, warnings)
    described = {
        "name": name,
        "type": kind,
        "title": str(header) or name,
        "description": (
            f"Kolom `{header}` dari sumber; tipe ({kind}) disimpulkan otomatis dan perlu ditinjau."
        ),
        "jendela": {
            "en": {
                "title": str(header) or name,
                "description": (
                    f"Source column `{header}`; its type ({kind}) was inferred automatically and "
                    "awaits review."
                ),
            }
        },
    }
    if parse:
        described["jendela"]["parse"] = parse
    return described


DECLARED_TYPES = {"string": "text", "integer": "integer", "number": "number", "date": "date"}
BOOLEAN_TEXT = ["true", "True", "TRUE", "1", "false", "False", "FALSE", "0"]


def _header_of(names: dict[str, str], name: str) -> str:
    return next(header for header, field_name in names.items() if field_name == name)


def _take_declared(described: dict, source: dict, values: pd.Series, warnings: list[str]) -> None:
    """Use the portal's own field definition where our parsers agree with its type."""
    kind = source.get("type", "string")
    filled = values.fillna("").str.strip()
    filled = filled[filled != ""]
    # A declared Table Schema means Table Schema notation: numbers use "." as decimal point
    # ("111.366" is 111.366), unlike Indonesian text where it groups thousands.
    parser = "decimal" if kind in ("integer", "number") else DECLARED_TYPES.get(kind)
    if kind == "boolean":
        fits = bool(filled.isin(BOOLEAN_TEXT).all())  # Table Schema's default true/false values
    else:
        fits = kind in DECLARED_TYPES and (
            kind == "string" or filled.empty or _parses(filled, parser)
        )
    if fits:
        described["type"] = kind
        described["jendela"].pop("parse", None)
        if parser == "decimal":
            described["jendela"]["parse"] = "decimal"
        region = kind == "string" and described["name"].startswith("kode_wilayah")
        if region and not filled.empty and not _parses(filled, "region_code"):
            described["jendela"]["parse"] = "text"
    else:
        warnings.append(
            both(
                f"kolom {described['name']}: tipe {kind} dari portal tidak cocok dengan datanya",
                f"column {described['name']}: the portal's type {kind} does not fit its data",
            )
        )
    for key in ("title", "description"):
        if isinstance(source.get(key), str) and source[key].strip():
            described[key] = source[key].strip()
    en = (source.get("jendela") or {}).get("en") or {}
    described["jendela"]["en"] = {
        "title": en.get("title") or described["title"],
        "description": en.get("description") or described["description"],
    }


def _decide(
    name: str, values: pd.Series, proposed: str, warnings: list[str]
) -> tuple[str, str | None]:
    """(type, explicit parse kind or None) for one column, checked over every row read."""
    text = values.fillna("").str.strip()
    filled = text[text != ""]
    if filled.empty:
        return "string", None
    if name.startswith("kode_wilayah"):
        # region_code is the default parser of these names; keep it only if every value fits.
        return "string", (None if _parses(filled, "region_code") else "text")
    if is_code_column(name) or filled.str.match(r"^0\d").any():
        return "string", None
    if proposed == "date":
        return ("date", None) if _parses(filled, "date") else ("string", None)
    if filled.str.match(r"(?i)^-?\s*rp").all() and _parses(filled, "rupiah"):
        return "integer", "rupiah"
    if proposed in ("integer", "number", "year", "string"):
        if filled.str.match(AMBIGUOUS_THOUSANDS).any() and filled.str.match(ENGLISH_DECIMAL).any():
            warnings.append(
                both(
                    f"kolom {name}: campuran '1.234' dan '12.5'; dibiarkan teks untuk ditinjau",
                    f"column {name}: mixes '1.234' and '12.5' (thousands or decimals?); kept as "
                    "text for review",
                )
            )
            return "string", None
        if proposed == "string" and not filled.str.contains(",").any():
            return "string", None  # only an Indonesian decimal comma makes us overrule frictionless
        if _parses(filled, "integer"):
            return "integer", None
        if _parses(filled, "number"):
            return "number", None
    return "string", None


def _parses(values: pd.Series, kind: str) -> bool:
    return bool(parse_column(values.astype(object), kind).errors.isna().all())
