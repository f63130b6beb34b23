"""The quality scorecard's rules and its typed file: which criteria a dataset is scored on, where
each comes from, how many points it gives, and how to earn them (catalog/scorecard.py measures).

A score is a reason to look, not an accusation: it says what a reader can check and what a
publisher can improve, nothing about intent. 100 points in three parts:

Metadata, 60 points. The criteria of uData's dataset quality score (data.gouv.fr) that apply to a
catalog built from descriptors, and the data.europa.eu Metadata Quality Assessment (MQA)
dimension each maps to:

=====================  ======  ==========================================  =====================
criterion              points  uData criterion                             MQA dimension
=====================  ======  ==========================================  =====================
licence                10      license (declared, open)                    reusability
description            8       dataset_description_quality (>= 100 chars)  contextuality
temporal-coverage      6       temporal_coverage                           findability
spatial-coverage       6       spatial                                     findability
frequency              6       update_frequency                            contextuality
keywords               4       (none)                                      findability
themes                 4       (none)                                      findability
open-format            6       has_open_format                             interoperability
resources-available    6       all_resources_available                     accessibility
documentation          4       resources_documentation                     reusability
=====================  ======  ==========================================  =====================

Rows, 25 points. `validation` (20): the issues of the tables' validation reports weighted by
type, in the manner of the Frictionless data-quality spec (weights 1-100: a file that cannot be
read 100, a bad cell or row 9, a broken constraint 7, a duplicate row 5, a header problem 3; our
own checks by the family they belong to: `WEIGHTS` in core/issue_types.py);
points = floor(20 x (1 - load / (9 x rows checked))), at least 0, where load is the sum of the
weights of every error and warning and rows checked are the rows kept plus those quarantined.
`quarantine` (5): floor(5 x rows kept / rows checked).

Freshness, 15 points. `on-time` (uData update_fulfilled_in_time): core/freshness.py's verdict on
the declared frequency; 15 when not overdue (a frequency without a period is never due), else 0.

A publisher's score is the mean of its datasets' totals, rounded half up to one decimal; per
criterion it shows the points its datasets earned out of the points they could earn. The score
across the releases kept is read from each archived release's `skor` table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .bilingual import Text
from .issue_types import DEFAULT_WEIGHT
from .layout import SCORECARD_FILE

LOW_SCORE = 60  # below this a page says what a low score means (and what it does not)
DESCRIPTION_CHARS = 100  # uData's QUALITY_DESCRIPTION_LENGTH default
ROW_WEIGHT_SCALE = DEFAULT_WEIGHT  # one bad cell per row uses up the validation points


@dataclass(frozen=True)
class Rule:
    """One criterion: its slug, part, points, origin and how to earn it (bilingual)."""

    slug: str
    part: str  # metadata, rows, freshness
    points: int
    origin: str  # "uData: license; MQA: reusability"
    title: Text
    hint: Text


RULES = (
    Rule("licence", "metadata", 10, "uData: license; MQA: reusability",
         Text("Lisensi terbuka", "Open licence"),
         Text("nyatakan lisensi terbuka dari metadata/licences.yaml di `licenses`",
              "declare an open licence from metadata/licences.yaml under `licenses`")),
    Rule("description", "metadata", 8,
         "uData: dataset_description_quality; MQA: contextuality",
         Text("Deskripsi memadai", "Sufficient description"),
         Text(f"tulis deskripsi minimal {DESCRIPTION_CHARS} karakter: apa isinya, dari mana, "
              "batasannya",
              f"write a description of at least {DESCRIPTION_CHARS} characters: what it holds, "
              "where from, its limits")),
    Rule("temporal-coverage", "metadata", 6, "uData: temporal_coverage; MQA: findability",
         Text("Cakupan waktu", "Temporal coverage"),
         Text("beri tabel kolom tahun (jendela coverage) agar cakupan waktu terhitung",
              "give the tables a year column (jendela coverage) so the period is computed")),
    Rule("spatial-coverage", "metadata", 6, "uData: spatial; MQA: findability",
         Text("Cakupan wilayah", "Spatial coverage"),
         Text("beri tabel kolom kode_wilayah Kemendagri agar cakupan wilayah terhitung",
              "give the tables a Kemendagri kode_wilayah column so the coverage is computed")),
    Rule("frequency", "metadata", 6, "uData: update_frequency; MQA: contextuality",
         Text("Frekuensi pembaruan", "Update frequency"),
         Text("nyatakan jendela.frequency dari metadata/frequencies.yaml",
              "declare jendela.frequency from metadata/frequencies.yaml")),
    Rule("keywords", "metadata", 4, "MQA: findability (dcat:keyword)",
         Text("Kata kunci", "Keywords"),
         Text("tambahkan `keywords` agar dataset mudah ditemukan",
              "add `keywords` so the dataset is found")),
    Rule("themes", "metadata", 4, "MQA: findability (dcat:theme)",
         Text("Tema", "Themes"),
         Text("nyatakan jendela.themes dari metadata/themes.yaml",
              "declare jendela.themes from metadata/themes.yaml")),
    Rule("open-format", "metadata", 6, "uData: has_open_format; MQA: interoperability",
         Text("Format terbuka", "Open format"),
         Text("terbitkan setidaknya satu tabel sebagai CSV", "publish at least one table as CSV")),
    Rule("resources-available", "metadata", 6,
         "uData: all_resources_available; MQA: accessibility",
         Text("Semua tabel tersedia", "All tables available"),
         Text("perbaiki tabel yang gagal dibangun agar semua tabel terbit",
              "fix the tables that failed so every table is published")),
    Rule("documentation", "metadata", 4, "uData: resources_documentation; MQA: reusability",
         Text("Kamus data", "Data dictionary"),
         Text("beri setiap field `description` di Table Schema",
              "give every field a `description` in the Table Schema")),
    Rule("validation", "rows", 20, "Frictionless data-quality spec weights",
         Text("Hasil validasi", "Validation results"),
         Text("perbaiki baris yang dilaporkan di laporan validasi, yang berbobot besar dulu",
              "fix the rows the validation report lists, the heaviest types first")),
    Rule("quarantine", "rows", 5, "Jendela: on_error quarantine",
         Text("Baris dikarantina", "Quarantined rows"),
         Text("perbaiki baris yang dikarantina di sumbernya agar dapat diterbitkan",
              "correct the quarantined rows at their source so they can be published")),
    Rule("on-time", "freshness", 15, "uData: update_fulfilled_in_time (core/freshness.py)",
         Text("Diperbarui tepat waktu", "Updated on time"),
         Text("terbitkan data baru sebelum jatuh tempo frekuensinya",
              "publish new data before its frequency makes it due")),
)  # fmt: skip
RULE = {rule.slug: rule for rule in RULES}
MAX_POINTS = sum(rule.points for rule in RULES)


@dataclass
class Criterion:
    """One criterion as a dataset met it: points earned of `max_points`, what was measured."""

    slug: str
    part: str
    points: int
    max_points: int
    origin: str
    measured: str  # what was found, e.g. "87 karakter / characters"
    title: dict
    hint: dict


@dataclass
class DatasetScore:
    dataset: str
    publisher: str
    total: int
    criteria: list[Criterion]
    # [{"release", "date", "total"}], newest first
    history: list[dict] = field(default_factory=list)

    @property
    def low(self) -> bool:
        return self.total < LOW_SCORE


@dataclass
class PublisherScore:
    publisher: str
    name: dict
    score: float  # mean of the datasets' totals, one decimal
    datasets: list[str]
    criteria: list[dict]  # slug, title, hint, points, max_points (summed over its datasets)


@dataclass
class Scorecard:
    max_points: int
    datasets: list[DatasetScore]
    publishers: list[PublisherScore]

    def as_dict(self) -> dict:
        return asdict(self)

    def save(self, folder: Path) -> Path:
        path = folder / SCORECARD_FILE
        text = json.dumps(self.as_dict(), indent=2, ensure_ascii=False, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Scorecard:
        data = json.loads((folder / SCORECARD_FILE).read_text(encoding="utf-8"))
        return cls(
            data["max_points"],
            [
                DatasetScore(**{**d, "criteria": [Criterion(**c) for c in d["criteria"]]})
                for d in data["datasets"]
            ],
            [PublisherScore(**p) for p in data["publishers"]],
        )


def publisher_mean(totals: list[int]) -> float:
    """The mean of `totals`, rounded half up to one decimal (integer arithmetic: no float
    rounding surprise, so the same totals always give the same figure)."""
    tenths = (sum(totals) * 20 + len(totals)) // (2 * len(totals))
    return tenths / 10
