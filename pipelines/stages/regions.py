"""Region lookup: the published `wilayah` table as an index of names, to find and check codes.

Two jobs need the official region list while another table is built. Some sources give no code at
all, only names (Satu Data Jakarta gives "JAKARTA TIMUR", "JATINEGARA", "KAMPUNG MELAYU" in three
columns; the BPS MFD lists give their own codes), so the Kemendagri code is found from the names.
Others give a code and a name that must agree (Open Data Jabar 2013 labels 32.71 "KOTA CIMAHI").
Both compare names with `region_name_key`, so "KEL. BATUTULIS" finds "Batu Tulis".

Never a guess: a name matches when its key equals the official key under the same parent, or, for
a kabupaten/kota written without "Kota" ("JAKARTA TIMUR"), when exactly one kota has that name and
no kabupaten does. Anything else is an Issue naming the row, with the closest official names as a
hint for the data officer.

A resource asks for codes from names with `jendela.region_from_name: {code: ..., name: ...}`: where
`code` is empty, `name` (a path of names from the province down, joined by " > ") is looked up.
`aliases: {"JAWA BARAT > KOTA BOGOR > TANAH SEREAL": "32.71.06"}` records a spelling a person has
checked; it applies to that path and everything under it.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache

import pandas as pd

from ..core.errors import Issue
from ..core.indonesian import PATH_SEPARATOR, normalise_region_name, region_name_key
from ..core.issue_types import REGION_NOT_FOUND, REGION_TABLE_MISSING
from ..core.model import REGION_TABLE
from ..core.table_cache import kept

NATIONAL = ""  # parent of the provinces


@lru_cache(maxsize=200_000)
def _key(name: str) -> str:
    return region_name_key(name)


@lru_cache(maxsize=200_000)
def _without_level(name: str) -> bool:
    """True for "JAKARTA TIMUR", False for "KOTA BOGOR" or "KAB. BOGOR": the name says no level."""
    return not normalise_region_name(name).upper().startswith(("KABUPATEN ", "KOTA "))


class RegionLookup:
    """Codes, names and parents of the region table; per-parent name indexes built on demand."""

    def __init__(self, rows) -> None:
        self.names: dict[str, str] = {}
        self.parents: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        for code, name, parent in rows:
            parent = parent if isinstance(parent, str) and parent else NATIONAL  # None, NaN: top
            self.names[code] = name
            self.parents[code] = parent
            self._members.setdefault(parent, []).append(code)
        self._index: dict[str, dict[str, list[str]]] = {}
        self._suggestions: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def from_db(cls, db, table: str = REGION_TABLE) -> RegionLookup | None:
        """The lookup of the published region table, or None when it is not built (yet)."""
        if table not in db.table_names():
            return None
        rows = db.execute(
            f"SELECT kode_wilayah, nama_wilayah, kode_wilayah_induk FROM [{table}]"
        ).fetchall()
        return cls(rows)

    def __len__(self) -> int:
        return len(self.names)

    def members(self, parent: str) -> list[str]:
        """Codes of the regions directly under `parent` ("" for the provinces)."""
        return list(self._members.get(parent, ()))

    def children(self, parent: str) -> dict[str, list[str]]:
        """Name key -> codes of the regions directly under `parent` ("" for the provinces)."""
        index = self._index.get(parent)
        if index is None:
            index = {}
            for code in self._members.get(parent, ()):
                index.setdefault(_key(self.names[code]), []).append(code)
            self._index[parent] = index
        return index

    def same_name(self, code: str, name: str) -> bool:
        """Whether `name` is an accepted spelling of the official name of `code`."""
        official = self.names.get(code)
        if official is None:
            return False
        wanted, key = _key(official), _key(name)
        if key == wanted:
            return True
        return code.count(".") == 1 and _without_level(name) and "KOTA" + key == wanted

    def find(self, parent: str, name: str) -> tuple[str | None, str | None]:
        """(code, None) for the one region called `name` under `parent`, else (None, problem)."""
        index = self.children(parent)
        key = _key(name)
        found = index.get(key, [])
        if not found and parent and "." not in parent and _without_level(name):
            found = index.get("KOTA" + key, [])  # "JAKARTA TIMUR" for Kota Adm. Jakarta Timur
        if len(found) == 1:
            return found[0], None
        where = (
            f"under {parent} {self.names.get(parent, '')}".rstrip() if parent else "as a province"
        )
        if found:
            return None, f"{name!r} matches {len(found)} regions {where}: {', '.join(found)}"
        return None, f"{name!r} is not a region {where} in table {REGION_TABLE}"

    def suggest(self, parent: str, name: str) -> list[str]:
        """Up to three official names under `parent` that look like `name`, with their codes.

        Kept per parent and name key: every region under a kecamatan the list lacks asks the
        same question (the BPS list's 13,740 regions with no 2025 code ask 6,035)."""
        question = (parent, _key(name))
        if question not in self._suggestions:
            children = self.children(parent).items()
            by_key = {key: codes[0] for key, codes in children if len(codes) == 1}
            close = difflib.get_close_matches(question[1], list(by_key), n=3, cutoff=0.75)
            self._suggestions[question] = [f"{self.names[by_key[k]]} ({by_key[k]})" for k in close]
        return list(self._suggestions[question])

    def resolve(
        self, path: str, aliases: dict[str, str] | None = None
    ) -> tuple[str | None, str | None, list[str]]:
        """Code of a name path "PROVINSI > KAB/KOTA > KECAMATAN > DESA", or why not.

        `aliases` maps a path (or the start of one) to its code, for spellings a person checked.
        """
        parent = NATIONAL
        parts = [p.strip() for p in path.split(PATH_SEPARATOR.strip())]
        for depth, part in enumerate(parts, start=1):
            alias = (aliases or {}).get(PATH_SEPARATOR.join(parts[:depth]))
            if alias is not None:
                parent = alias
                continue
            code, problem = self.find(parent, part)
            if code is None:
                return None, problem, self.suggest(parent, part)
            parent = code
        return (parent or None), None, []


def fill_region_codes(db, resource, normalised, source_name: str) -> None:
    """Fill empty codes from name paths in a normalised chunk, as `region_from_name` asks.

    A path that names no single region leaves the code empty and adds a `region-not-found` Issue
    (the row is bad, so quarantine can set it aside); nothing is filled by similarity. These
    Issues are not capped like parse errors: quarantine needs every such row named, and real
    lists have more than LIMIT_ERRORS of them (13,744 BPS MFD regions with no 2025 code).
    """
    spec = resource.ext.get("region_from_name")
    if not spec:
        return
    frame = normalised.frame
    code_field, name_field = spec["code"], spec["name"]
    lookup = cached_lookup(db)
    empty = frame[code_field].isna() & frame[name_field].notna()
    if not empty.any():
        return
    if lookup is None:
        normalised.issues.append(
            Issue(
                dataset=resource.dataset_id,
                resource=resource.name,
                type=REGION_TABLE_MISSING,
                message=f"codes are looked up by name in table {REGION_TABLE!r}, not built yet",
                file=source_name,
                column=code_field,
                hint=f"build the dataset that defines {REGION_TABLE!r} first",
            )
        )
        return
    resolved: dict[str, tuple[str | None, str | None, list[str]]] = {}
    aliases = {str(k): str(v) for k, v in (spec.get("aliases") or {}).items()}
    for path in pd.unique(frame.loc[empty, name_field]):
        resolved[path] = lookup.resolve(path, aliases)
    codes = frame.loc[empty, name_field].map(lambda p: resolved[p][0])
    frame.loc[empty, code_field] = codes.astype("string")
    unfound = empty & frame[code_field].isna()
    # Read out once, not cell by cell: the BPS list has 13,740 regions without a 2025 code.
    positions = frame.index[unfound]
    paths = frame.loc[unfound, name_field].tolist()
    source_rows = normalised.rows.loc[positions].tolist()
    for position, path, source_row in zip(positions, paths, source_rows, strict=True):
        _, problem, close = resolved[path]
        normalised.bad_rows.add(int(position))
        normalised.issues.append(
            Issue(
                dataset=resource.dataset_id,
                resource=resource.name,
                type=REGION_NOT_FOUND,
                message=f"no Kemendagri code for {path!r}: {problem}",
                file=source_name,
                row=int(source_row),
                column=code_field,
                value=str(path),
                hint=(f"closest official names: {'; '.join(close)}. " if close else "")
                + f"Correct the name in the source, give {code_field} in it, or, once a person "
                "has checked the spelling, map it in jendela.region_from_name.aliases; names are "
                "never matched by similarity",
            )
        )


def cached_lookup(db) -> RegionLookup | None:
    """One lookup per state of the region table: rebuilt only when that table changed, not after
    every other table's load (the real catalog loads 24 tables; each rebuild reads 91,599 rows).
    core/table_cache.py says when a table counts as changed."""
    return kept(db.conn, REGION_TABLE, "lookup", lambda: RegionLookup.from_db(db))


# Name, level, province and kabupaten/kota of the regions whose codes a chunk holds, in one
# set-based join on the region table: a province is the code's first part (`35`), a
# kabupaten/kota its first two (`35.78`), by the dotted Kemendagri form (DESIGN rule 5).
REGION_NAMES_SQL = f"""
SELECT w.kode_wilayah, w.nama_wilayah, w.tingkat AS tingkat_wilayah,
  p.nama_wilayah AS nama_provinsi, k.nama_wilayah AS nama_kabupaten_kota
FROM json_each(:codes) c
JOIN [{REGION_TABLE}] w ON w.kode_wilayah = c.value
LEFT JOIN [{REGION_TABLE}] p ON p.kode_wilayah = substr(w.kode_wilayah, 1, 2)
LEFT JOIN [{REGION_TABLE}] k
  ON length(w.kode_wilayah) >= 5 AND k.kode_wilayah = substr(w.kode_wilayah, 1, 5)
"""


def fill_region_names(db, resource, normalised) -> None:
    """Fill the derived region fields (model.region_name_fields) of a normalised chunk.

    The chunk's distinct codes are joined with the region table in SQLite, and each column is
    mapped from the result in one vectorised step: "35.78" gets "Kota Surabaya",
    `kabupaten_kota`, "Jawa Timur", "Kota Surabaya". A code the region table lacks stays empty
    (the foreign-key check names its row); with no region table built, all stay empty.
    """
    derived = resource.derived_fields
    if not derived or REGION_TABLE not in db.table_names():
        return
    frame = normalised.frame
    code_field = next(iter(derived.values()))["fields"][0]
    codes = frame[code_field]
    present = pd.unique(codes.dropna())
    if not len(present):
        return
    found = pd.read_sql_query(
        REGION_NAMES_SQL,
        db.conn,
        params={"codes": json.dumps([str(code) for code in present])},
        dtype="string",
    ).set_index("kode_wilayah")
    for name in derived:
        frame[name] = codes.map(found[name]).astype("string")
