"""The part of CKAN's Solr query syntax that clients of package_search send, over package dicts.

What CKAN clients send (ckanapi users, CKAN's own harvester, aggregators):

    q=apbd bogor                      every word somewhere in the package's text
    q=title:tender                    a word in one field (title, notes, name, text, tags, ...)
    q=tags:"data contoh"              a quoted value
    fq=organization:a OR organization:b          CKAN's harvester, `organizations_filter_include`
    fq=-organization:x                           ... and `organizations_filter_exclude`
    fq=metadata_modified:[2026-01-01T00:00:00Z TO *]    its incremental harvest
    fq=+res_format:CSV NOT tags:x

Terms are joined by AND unless OR stands between them; `-` or NOT negates one term. This is no
Solr: no wildcards inside words, no boosts, no parentheses, no date maths (`NOW-1DAY`); what it
cannot read is a SearchQueryError, which CKAN answers as a "Search Query Error" (409), never a
silent match-all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

Package = dict
Predicate = Callable[[Package], bool]

TOKEN = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z_]+):(?:(?P<range>\[[^\]]*\])|(?P<value>"[^"]*"|[^\s"]+))'
    r'|(?P<word>"[^"]*"|[^\s"]+))'
)
RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")


class SearchQueryError(ValueError):
    """A q or fq we cannot read; CKAN answers these with "Search Query Error"."""


def text_of(package: Package) -> str:
    """Everything free text matches against, lower-cased."""
    parts = [
        package["name"],
        package["title"],
        *(package.get("title_translated") or {}).values(),
        package["notes"],
        *(package.get("notes_translated") or {}).values(),
        package["organization"]["title"],
        *(t["name"] for t in package["tags"]),
        *(g.get("title", g["name"]) for g in package["groups"]),
        *(r["name"] + " " + r.get("title", "") for r in package["resources"]),
    ]
    return " ".join(str(p) for p in parts).lower()


# Fields whose value is text: every word of the value must occur in it.
TEXT_FIELDS: dict[str, Callable[[Package], str]] = {
    "text": text_of,
    "title": lambda p: " ".join([p["title"], *(p.get("title_translated") or {}).values()]),
    "notes": lambda p: " ".join([p["notes"], *(p.get("notes_translated") or {}).values()]),
    "res_name": lambda p: " ".join(r["name"] for r in p["resources"]),
    "res_description": lambda p: " ".join(r.get("description", "") for r in p["resources"]),
}
# Fields with whole values: one of them must equal the value (case-insensitive), `*` any.
EXACT_FIELDS: dict[str, Callable[[Package], list[str]]] = {
    "organization": lambda p: [p["organization"]["name"]],
    "owner_org": lambda p: [p["owner_org"]],
    "tags": lambda p: [t["name"] for t in p["tags"]],
    "groups": lambda p: [g["name"] for g in p["groups"]],
    "res_format": lambda p: [r["format"] for r in p["resources"]],
    "license_id": lambda p: [p["license_id"]],
    "name": lambda p: [p["name"]],
    "id": lambda p: [p["id"]],
    "type": lambda p: [p["type"]],
    "state": lambda p: [p["state"]],
}
DATE_FIELDS = ("metadata_modified", "metadata_created")


def matches(package: Package, query: str, free_text: bool) -> bool:
    """Whether `package` satisfies `query` (`q` when `free_text`, else `fq`)."""
    return all(any(p(package) for p in group) for group in compile_query(query, free_text))


def compile_query(query: str, free_text: bool) -> list[list[Predicate]]:
    """The query as AND of OR-groups of predicates."""
    query = (query or "").strip()
    if query in ("", "*:*", "*"):
        return []
    groups: list[list[Predicate]] = []
    join_next, negate_next = False, False
    position = 0
    while position < len(query):
        if query[position].isspace():
            position += 1
            continue
        token = TOKEN.match(query, position)
        if token is None:
            raise SearchQueryError(f"cannot read {query[position:]!r}")
        position = token.end()
        word = token["word"]
        if word in ("AND", "&&"):
            continue
        if word in ("OR", "||"):
            if not groups:
                raise SearchQueryError("OR needs a term before it")
            join_next = True
            continue
        if word == "NOT":
            negate_next = True
            continue
        predicate = _predicate(token, free_text)
        if negate_next or token["sign"] == "-":
            predicate = _negated(predicate)
        negate_next = False
        if join_next:
            groups[-1].append(predicate)
            join_next = False
        else:
            groups.append([predicate])
    if join_next or negate_next:
        raise SearchQueryError("the query ends with OR or NOT")
    return groups


def _negated(predicate: Predicate) -> Predicate:
    return lambda package: not predicate(package)


def _predicate(token: re.Match, free_text: bool) -> Predicate:
    field = token["field"]
    if field is None:
        if not free_text:
            raise SearchQueryError(f"expected field:value, got {token['word']!r}")
        return _words_in(text_of, _unquote(token["word"]))
    if token["range"] is not None:
        if field not in DATE_FIELDS:
            raise SearchQueryError(f"ranges work on {', '.join(DATE_FIELDS)} only, not {field!r}")
        return _date_range(field, token["range"])
    value = _unquote(token["value"])
    if field in TEXT_FIELDS:
        return _words_in(TEXT_FIELDS[field], value)
    if field in EXACT_FIELDS:
        values_of = EXACT_FIELDS[field]
        wanted = value.lower()
        return lambda p: wanted == "*" or any(str(v).lower() == wanted for v in values_of(p))
    if field in DATE_FIELDS:
        moment = _moment(value, field)
        return lambda p: _moment(p[field], field) == moment
    known = sorted([*TEXT_FIELDS, *EXACT_FIELDS, *DATE_FIELDS])
    raise SearchQueryError(f"unknown field {field!r}; known: {', '.join(known)}")


def _words_in(text: Callable[[Package], str], value: str) -> Predicate:
    words = value.lower().split()
    return lambda p: all(w in text(p).lower() for w in words)


def _date_range(field: str, text: str) -> Predicate:
    bounds = RANGE.match(text)
    if bounds is None:
        raise SearchQueryError(f"a range is [FROM TO UNTIL], got {text!r}")
    low, high = (None if b == "*" else _moment(b, field) for b in bounds.groups())
    return lambda p: (
        (low is None or _moment(p[field], field) >= low)
        and (high is None or _moment(p[field], field) <= high)
    )


def _moment(value: str, field: str) -> dt.datetime:
    """An ISO date or date-time as Solr writes it (`2026-01-01T00:00:00.000Z`), naive UTC."""
    text = value.strip().removesuffix("Z")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SearchQueryError(f"{field}: {value!r} is not an ISO date (no date maths)") from None
    return moment.replace(tzinfo=None)


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
