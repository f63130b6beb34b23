"""The data dictionary's "Batasan / Constraints" column in words a reader understands.

A Table Schema states constraints as keys (`required: true`, `enum: [...]`, `minimum: 0`); the
page says "wajib diisi", "salah satu dari: …", "minimal 0" in its own language, with numbers
formatted for that language. The words come from metadata/translations/ (`constraint_<key>`).
A pattern stays a pattern (`^\\d+$`): there are no plain words for a regular expression, so it is
shown as code beside its words.
"""

from __future__ import annotations

from ..core.indonesian import format_number
from .templates import translate

NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
LENGTHS = ("minLength", "maxLength")


def constraint_words(constraints: dict, field_type: str, lang: str) -> list[dict]:
    """Each constraint as `{"text": words, "code": literal or None}`, in the schema's order.

    >>> constraint_words({"required": True, "minimum": 1000}, "integer", "id")
    [{'text': 'wajib diisi', 'code': None}, {'text': 'minimal 1.000', 'code': None}]
    """
    said = []
    for key, value in constraints.items():
        if key in ("required", "unique"):
            if value:
                said.append({"text": translate(f"constraint_{key}", lang), "code": None})
        elif key == "enum":
            values = ", ".join(_value(v, field_type, lang) for v in value)
            said.append(
                {"text": translate("constraint_enum", lang).format(values=values), "code": None}
            )
        elif key in NUMERIC + LENGTHS:
            shown = _value(value, "integer" if key in LENGTHS else field_type, lang)
            said.append(
                {"text": translate(f"constraint_{key}", lang).format(value=shown), "code": None}
            )
        elif key == "pattern":
            said.append({"text": translate("constraint_pattern", lang), "code": str(value)})
        else:  # a constraint the standard may add later: its own name, as written
            said.append({"text": f"{key}:", "code": str(value)})
    return said


def _value(value, field_type: str, lang: str) -> str:
    if field_type in ("integer", "number") and isinstance(value, int | float):
        decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
        return format_number(value, decimals, lang)
    return str(value)
