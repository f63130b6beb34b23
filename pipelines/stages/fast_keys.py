"""Primary keys and unique fields in bounded memory, for the fast validation path.

frictionless keeps a dict of every key it has seen; on a national table that is the table again.
Here each row's key (the canonical text of frictionless's parsed values, `fast_screen.canonical_
text`) becomes a 128-bit digest (two 64-bit pandas hashes with different keys): 16 bytes and a
row number per row, never the values. One stable sort of the digests at the end finds every
repeat and the nearest earlier row with the same key, which is the row frictionless names (it
remembers the last row per key). A false repeat needs a 128-bit collision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from frictionless import Schema

from .fast_screen import Screen, Verdict, canonical_text

HASH_KEYS = ("jendela-data-key", "validasi-cepat-2")  # pandas wants 16 characters each
NULL_DIGEST = np.uint64(0x9E3779B97F4A7C15)
MIX = np.uint64(0x100000001B3)
PRIMARY = ""  # the primary key's entry in Repeats; unique fields go by their names


@dataclass
class Repeats:
    """Per row repeating a key: the earlier row it repeats, per key ("" = the primary key)."""

    earlier: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def rows(self) -> list[int]:
        return list(self.earlier)

    def of(self, row_number: int) -> dict[str, int]:
        return self.earlier.get(row_number, {})


class KeyDigests:
    """Digests of the primary key and of each unique field, gathered batch by batch."""

    def __init__(self, schema: Schema, screen: Screen) -> None:
        self.primary = list(schema.primary_key)
        self.unique = [f.name for f in schema.fields if f.constraints.get("unique")]
        self.index = {name: i for i, name in enumerate(schema.field_names)}
        self.screen = screen
        self.parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = defaultdict(list)

    def add(
        self, numbers: np.ndarray, verdict: Verdict, ragged: list[tuple[int, list]]
    ) -> np.ndarray:
        """Take one batch's keys; returns the row numbers whose primary key is all empty (an
        error of its own in frictionless)."""
        canon = dict(verdict.canon)
        if ragged:
            numbers = np.concatenate([numbers, [n for n, _ in ragged]]).astype(np.int64)
            for name in self.primary + self.unique:
                canon[name] = np.concatenate([canon[name], self._ragged(name, ragged)])
        empty = np.zeros(len(numbers), dtype=bool)
        if self.primary:
            nulls = [pd.isna(canon[name]) for name in self.primary]
            empty = np.logical_and.reduce(nulls)
            self._keep(PRIMARY, numbers, [canon[name] for name in self.primary], ~empty)
        for name in self.unique:
            self._keep(name, numbers, [canon[name]], ~pd.isna(canon[name]))
        return numbers[empty]

    def _ragged(self, name: str, ragged: list[tuple[int, list]]) -> np.ndarray:
        index = self.index[name]
        values = [
            canonical_text(self.screen.read(index, cells[index] if index < len(cells) else None)[0])
            for _, cells in ragged
        ]
        return np.array(values, dtype=object)

    def _keep(self, key: str, numbers: np.ndarray, columns: list[np.ndarray], keep: Any) -> None:
        digests = [_digest(columns, hash_key)[keep] for hash_key in HASH_KEYS]
        self.parts[key].append((numbers[keep], *digests))

    def repeats(self, up_to: int) -> Repeats:
        """Every row up to `up_to` whose key an earlier row had, with that nearest earlier row."""
        found = Repeats()
        for key, parts in self.parts.items():
            rows = np.concatenate([p[0] for p in parts])
            first = np.concatenate([p[1] for p in parts])
            second = np.concatenate([p[2] for p in parts])
            inside = rows <= up_to
            rows, first, second = rows[inside], first[inside], second[inside]
            order = np.lexsort((rows, second, first))
            rows, first, second = rows[order], first[order], second[order]
            same = (first[1:] == first[:-1]) & (second[1:] == second[:-1])
            for row, earlier in zip(rows[1:][same].tolist(), rows[:-1][same].tolist(), strict=True):
                found.earlier[row][key] = earlier
        return found


def _digest(columns: list[np.ndarray], hash_key: str) -> np.ndarray:
    """One 64-bit digest per row over the canonical texts of `columns` (None hashes apart)."""
    combined = np.zeros(len(columns[0]), dtype=np.uint64)
    for values in columns:
        nulls = pd.isna(values)
        text = np.where(nulls, "", values).astype(object)
        digest = pd.util.hash_array(text, hash_key=hash_key, categorize=False)
        digest[nulls] = NULL_DIGEST
        combined = combined * MIX ^ digest
    return combined
