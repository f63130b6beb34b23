"""The words Indonesian sources write in numbers and dates: magnitude words ("22,1 M", "325 Jt")
and month names ("26 Mei 2015", old spellings "Pebruari", "Nopember").

Kept apart so that the scalar parsers (indonesian.py) and their vectorised forms
(indonesian_vector.py) read the one list, without importing each other both ways.
"""

from __future__ import annotations

__all__ = ["MAGNITUDES", "MONTHS"]

# Power of ten of each magnitude word, lower-case: "M" is miliar (1e9), as in Indonesian tables.
MAGNITUDES = {
    "rb": 3,
    "ribu": 3,
    "jt": 6,
    "juta": 6,
    "m": 9,
    "miliar": 9,
    "milyar": 9,
    "t": 12,
    "triliun": 12,
    "trilyun": 12,
}

# Month number of each month name, short form and old spelling, lower-case.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "januari jan january",
        "februari pebruari feb peb february",
        "maret mar march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "agustus agu agt agus ags aug august",
        "september sep sept",
        "oktober okt oct october",
        "november nopember nov nop",
        "desember des dec december",
    ],
    start=1,
):
    MONTHS.update(dict.fromkeys(_names.split(), _number))
