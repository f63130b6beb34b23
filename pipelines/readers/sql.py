"""SQL dump reader: the rows of `INSERT INTO t (...) VALUES (...), (...);` statements, streamed.

Indonesian reference data is often published as a database dump rather than a table: the
Kemendagri region list and its population annex (cahyadsn/wilayah, 91,599 and 553 tuples), or a
SiRUP plan exported from BIRMS with Sequel Pro. This reader turns such a dump into the same text
chunks every other reader gives, without a database server.

Why our own scanner and not a SQL parser library: sqlparse and sqlglot build a whole syntax tree
per statement, so a dump whose one INSERT holds 91,599 tuples must be held, and parsed, in memory
at once; we only need the literal values of one table. The file is read in blocks; a tuple is
matched with one regular expression, and only tuples that regex cannot take (a string longer than
the look-ahead, say) go through the slower token-by-token path, so memory stays flat.

What it understands (MySQL, MariaDB, SQLite and PostgreSQL `INSERT` dumps):
- `INSERT [IGNORE] INTO name [(col, ...)] VALUES (...), (...);` and `REPLACE INTO`; a tuple may
  span lines; names quoted with backticks, double quotes or brackets, optionally `schema.table`;
- strings in single quotes with `''` and, unless `backslash_escapes: false`, MySQL backslash
  escapes (`\\n`, `\\'`, `\\\\`); numbers; NULL (an empty cell); TRUE/FALSE;
- `--`, `#` and `/* ... */` comments (MySQL `/*!40101 ... */` version comments are skipped too:
  they hold SET statements and triggers, never data);
- column names from the INSERT, else from the file's `CREATE TABLE`, else `options.columns`.

Options: `table` (which table's rows to read; required when the dump fills several),
`columns` (names to use when the dump gives none), `encoding` (default utf-8, a BOM is dropped),
`backslash_escapes` (default true).

Each row's `__row__` is the line of the file on which its tuple starts, so a message can send a
data officer to the exact line, e.g. `wilayah.sql, baris/row 239`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import ROW_COLUMN, ReaderError, encoding_error, reader

BLOCK_CHARS = 1 << 20  # read this much at a time
LOOKAHEAD = 1 << 18  # a tuple or statement head shorter than this is matched in one go

_NAME = r"(?:`(?:[^`]|``)+`|\"(?:[^\"]|\"\")+\"|\[[^\]]+\]|[A-Za-z_][\w$]*)"
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_STRING_ESCAPED = r"'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'"
_STRING_PLAIN = r"'[^']*(?:''[^']*)*'"
_LITERAL_WORDS = r"(?:NULL|TRUE|FALSE)\b"

_INSERT_HEAD = re.compile(
    r"(?:INSERT|REPLACE)(?:\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*\s+INTO\s+"
    rf"(?P<name>{_NAME}(?:\s*\.\s*{_NAME})?)\s*(?:\((?P<columns>[^()]*)\)\s*)?VALUES?(?![\w$])",
    re.IGNORECASE,
)
_CREATE_HEAD = re.compile(
    r"CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<name>{_NAME}(?:\s*\.\s*{_NAME})?)\s*\(",
    re.IGNORECASE,
)
_KEYWORD = re.compile(r"INSERT|REPLACE|CREATE", re.IGNORECASE)
_SPACE = re.compile(r"(?:\s+|--[^\n]*|#[^\n]*|/\*.*?\*/)+", re.DOTALL)
_CONSTRAINT_WORDS = {
    "PRIMARY",
    "KEY",
    "UNIQUE",
    "INDEX",
    "CONSTRAINT",
    "FOREIGN",
    "CHECK",
    "FULLTEXT",
    "SPATIAL",
    "EXCLUDE",
}


class _Dialect:
    """The regular expressions for one string-escaping convention."""

    def __init__(self, backslash_escapes: bool):
        string = _STRING_ESCAPED if backslash_escapes else _STRING_PLAIN
        value = rf"(?:{string}|{_NUMBER}|{_LITERAL_WORDS})"
        self.backslash_escapes = backslash_escapes
        self.tuple = re.compile(
            rf"\(\s*(?:{value}(?:\s*,\s*{value})*)?\s*\)", re.IGNORECASE | re.DOTALL
        )
        self.value = re.compile(rf"{string}|{_NUMBER}|{_LITERAL_WORDS}", re.IGNORECASE | re.DOTALL)
        self.token = re.compile(
            rf"(?P<space>(?:\s+|--[^\n]*|#[^\n]*|/\*.*?\*/)+)|(?P<string>{string})"
            rf"|(?P<dstring>\"(?:[^\"]|\"\")*\")|(?P<ident>`(?:[^`]|``)*`)"
            rf"|(?P<number>{_NUMBER})|(?P<word>[A-Za-z_][\w$]*)|(?P<other>.)",
            re.DOTALL,
        )


_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_BACKSLASH = re.compile(r"\\(.)", re.DOTALL)


def _string_value(text: str, backslash_escapes: bool) -> str:
    """The text of a quoted literal: `'Pasi Kuala Ba''u'` -> `Pasi Kuala Ba'u`."""
    body = text[1:-1]
    if backslash_escapes and "\\" in body:
        # Backslash escapes and doubled quotes are undone in one left-to-right pass.
        return _BACKSLASH.sub(lambda m: _ESCAPES.get(m[1], m[1]), body.replace("''", "\\'"))
    return body.replace("''", "'")


def _literal(text: str, backslash_escapes: bool) -> str:
    if text.startswith("'"):
        return _string_value(text, backslash_escapes)
    upper = text.upper()
    if upper == "NULL":
        return ""
    if upper in ("TRUE", "FALSE"):
        return upper.lower()
    return text


def _unquote(name: str) -> str:
    name = name.strip()
    if name[:1] in '`"[':
        closing = {"`": "`", '"': '"', "[": "]"}[name[0]]
        return name[1:-1].replace(closing * 2, closing)
    return name


def _table_name(qualified: str) -> str:
    """`schema`.`table` -> table (the part a person names in `options.table`)."""
    parts = re.findall(_NAME, qualified)
    return _unquote(parts[-1]) if parts else qualified


class _Scanner:
    """A sliding window over the file: the text from `pos` on, refilled in blocks."""

    def __init__(self, handle, name: str):
        self.handle = handle
        self.name = name
        self.text = ""
        self.pos = 0
        self.line = 1  # line number at self.pos
        self.eof = False

    def fill(self, wanted: int = LOOKAHEAD) -> None:
        """Make sure at least `wanted` characters lie ahead of `pos`, unless the file ends."""
        if self.eof or len(self.text) - self.pos >= wanted:
            return
        self.text = self.text[self.pos :]
        self.pos = 0
        while not self.eof and len(self.text) < wanted:
            block = self.handle.read(max(BLOCK_CHARS, wanted))
            if not block:
                self.eof = True
            self.text += block

    def grow(self) -> bool:
        """Read one more block; False at the end of the file."""
        if self.eof:
            return False
        self.fill(len(self.text) - self.pos + BLOCK_CHARS)
        return True

    def at_end(self) -> bool:
        self.fill(1)
        return self.pos >= len(self.text)

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def match(self, pattern: re.Pattern) -> re.Match | None:
        self.fill()
        return pattern.match(self.text, self.pos)

    def skip_space(self) -> None:
        """Move past whitespace and comments, reading on while a comment runs past the window."""
        while True:
            self.fill()
            match = _SPACE.match(self.text, self.pos)
            end = match.end() if match else self.pos
            if end == len(self.text) and self.grow():
                continue  # a comment may go on in the next block
            if self.text.startswith("/*", end):
                if self.grow():
                    continue  # a long block comment: look further
                self.advance(end)
                raise ReaderError(f"{self.name}: line {self.line}: comment '/*' is never closed")
            self.advance(end)
            return

    def token(self, dialect: _Dialect) -> re.Match:
        """The next token, read across block boundaries (a string may be longer than a block)."""
        while True:
            self.fill()
            match = dialect.token.match(self.text, self.pos)
            incomplete = match.end() == len(self.text) or (
                match.lastgroup == "other" and match[0] in "'\"`"
            )
            if incomplete and self.grow():
                continue
            if match.lastgroup == "other" and match[0] in "'\"`":
                raise ReaderError(
                    f"{self.name}: line {self.line}: quote {match[0]} is never closed; "
                    "is the dump cut short?"
                )
            return match


def _columns_of_create(scanner: _Scanner, dialect: _Dialect) -> list[str]:
    """Column names of a `CREATE TABLE name (` whose opening parenthesis was just read."""
    columns: list[str] = []
    depth, expecting = 1, True
    while depth:
        scanner.skip_space()
        if scanner.at_end():
            raise ReaderError(f"{scanner.name}: CREATE TABLE is never closed")
        token = scanner.token(dialect)
        kind, text = token.lastgroup, token[0]
        scanner.advance(token.end())
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "," and depth == 1:
            expecting = True
        elif expecting and depth == 1:
            expecting = False
            if kind in ("word", "ident", "dstring") and text.upper() not in _CONSTRAINT_WORDS:
                columns.append(_unquote(text))
    return columns


def _slow_tuple(scanner: _Scanner, dialect: _Dialect) -> list[str]:
    """One tuple, token by token: for tuples the one-regex path cannot take."""
    line = scanner.line
    token = scanner.token(dialect)
    if token[0] != "(":
        raise ReaderError(
            f"{scanner.name}: line {line}: expected '(' to start a row of values, found "
            f"{token[0]!r}"
        )
    scanner.advance(token.end())
    values: list[str] = []
    expecting_value = True
    while True:
        scanner.skip_space()
        if scanner.at_end():
            raise ReaderError(f"{scanner.name}: line {line}: row of values is never closed")
        token = scanner.token(dialect)
        kind, text = token.lastgroup, token[0]
        scanner.advance(token.end())
        if text == ")" and not (expecting_value and values):
            return values
        if text == "," and not expecting_value:
            expecting_value = True
        elif expecting_value and (
            kind in ("string", "number") or text.upper() in ("NULL", "TRUE", "FALSE")
        ):
            values.append(_literal(text, dialect.backslash_escapes))
            expecting_value = False
        else:
            raise ReaderError(
                f"{scanner.name}: line {scanner.line}: {text!r} is not a literal value; only "
                "strings, numbers, NULL, TRUE and FALSE can be read from a dump"
            )


def _frame(rows: list[list[str]], lines: list[int], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.insert(0, ROW_COLUMN, lines)
    return frame


@reader("sql")
def read_sql_dump(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Rows of one table from a SQL INSERT dump; every value as text, NULL as an empty cell.

    >>> # wilayah.sql:  INSERT INTO wilayah (kode, nama) VALUES ('32.71','Kota Bogor'), ...
    >>> # options: {table: wilayah}  ->  columns kode, nama; __row__ = line of each tuple
    """
    wanted = options.get("table")
    dialect = _Dialect(bool(options.get("backslash_escapes", True)))
    given_columns = [str(c) for c in options.get("columns") or []]
    created: dict[str, list[str]] = {}
    seen_tables: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    columns: list[str] | None = None
    found = False
    if not path.is_file():
        raise ReaderError(f"{path.name}: file not found")
    encoding = options.get("encoding", "utf-8-sig")
    with open(path, encoding=encoding, newline="") as handle:
        scanner = _Scanner(handle, path.name)
        try:
            while True:
                scanner.skip_space()
                if scanner.at_end():
                    break
                head = None
                if scanner.match(_KEYWORD):
                    head = scanner.match(_INSERT_HEAD) or scanner.match(_CREATE_HEAD)
                if head is None:
                    scanner.advance(scanner.token(dialect).end())
                    continue
                table = _table_name(head["name"])
                scanner.advance(head.end())
                if head.re is _CREATE_HEAD:
                    created[table.lower()] = _columns_of_create(scanner, dialect)
                    continue
                if table.lower() not in (t.lower() for t in seen_tables):
                    seen_tables.append(table)
                if wanted is None:
                    wanted = table  # without options.table, the dump must fill one table only
                elif not options.get("table") and table.lower() != wanted.lower():
                    raise ReaderError(
                        f"{path.name}: line {scanner.line}: the dump fills several tables "
                        f"({', '.join(seen_tables)}); name the one to read in options.table"
                    )
                if table.lower() != str(wanted).lower():
                    _skip_statement(scanner, dialect)
                    continue
                found = True
                these = (
                    [_unquote(c) for c in head["columns"].split(",")]
                    if head["columns"]
                    else given_columns or created.get(table.lower())
                )
                if not these:
                    raise ReaderError(
                        f"{path.name}: line {scanner.line}: INSERT INTO {table} names no columns "
                        "and the dump has no CREATE TABLE for it; list them in options.columns"
                    )
                if columns is None:
                    columns = these
                elif these != columns:
                    raise ReaderError(
                        f"{path.name}: line {scanner.line}: INSERT INTO {table} lists columns "
                        f"{these}, but an earlier INSERT listed {columns}"
                    )
                for values, line in _tuples(scanner, dialect):
                    if len(values) != len(columns):
                        raise ReaderError(
                            f"{path.name}: line {line}: {len(values)} values for "
                            f"{len(columns)} columns ({', '.join(columns)})"
                        )
                    rows.append(values)
                    lines.append(line)
                    if len(rows) >= chunk_rows:
                        yield _frame(rows, lines, columns)
                        rows, lines = [], []
        except UnicodeDecodeError as exc:
            raise encoding_error(path, encoding, exc) from None
    if not found:
        known = ", ".join(seen_tables) or "none"
        raise ReaderError(
            f"{path.name}: no INSERT INTO {wanted or '<any table>'} in the dump (tables with "
            f"rows: {known}); set options.table"
        )
    if rows or columns is None:
        yield _frame(rows, lines, columns or [])


def _tuples(scanner: _Scanner, dialect: _Dialect) -> Iterator[tuple[list[str], int]]:
    """The rows of one VALUES list, up to its `;` (or the end of the statement)."""
    backslash = dialect.backslash_escapes
    while True:
        scanner.skip_space()
        line = scanner.line
        match = scanner.match(dialect.tuple)
        if match is not None and match.end() < len(scanner.text) or scanner.eof and match:
            inner = match[0]
            values = [_literal(v[0], backslash) for v in dialect.value.finditer(inner, 1)]
            scanner.advance(match.end())
        else:
            values = _slow_tuple(scanner, dialect)
        yield values, line
        scanner.skip_space()
        if scanner.at_end():
            return
        token = scanner.token(dialect)
        if token[0] == ",":
            scanner.advance(token.end())
            continue
        if token[0] == ";":
            scanner.advance(token.end())
        else:  # e.g. ON DUPLICATE KEY UPDATE ...: not data
            _skip_statement(scanner, dialect)
        return


def _skip_statement(scanner: _Scanner, dialect: _Dialect) -> None:
    """Skip to just after the next `;` outside strings and comments."""
    while True:
        scanner.skip_space()
        if scanner.at_end():
            return
        token = scanner.token(dialect)
        scanner.advance(token.end())
        if token[0] == ";":
            return
