"""web/table_rows.py writes a table page's rows as Datasette's own `_table.html` loop did.

The reference is the loop read from the installed Datasette's `_table.html`, rendered by Jinja
with Datasette's template settings (autoescape, async) over the `display_rows` of real pages. The
pages cover what changes a row's markup: a row that links to itself with and without a label, a
rowid table, a view (no link), an expanded foreign key, a URL, a blob, an empty and a missing
cell, a money cell our `render_cell` hook formats, text full of `<&"'>`, and column names that
are not valid CSS classes (Datasette adds a hash to those).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import datasette
import pytest
from datasette.app import Datasette
from datasette.utils import to_css_class
from jinja2 import Environment

from pipelines.web import layout
from pipelines.web.table_rows import table_rows_html

LOOP = re.compile(r"{% for row in display_rows %}.*?</tr>\s*{% endfor %}", re.S)
BETWEEN_TAGS = re.compile(r">\s+<")
TRICKY = "<b>Jalan & \"Jembatan\"</b> 'O'"


def datasette_loop() -> str:
    """The rows loop of the installed Datasette's own `_table.html`."""
    source = (Path(datasette.__file__).parent / "templates" / "_table.html").read_text()
    (loop,) = LOOP.findall(source)
    return loop


def reference_html(display_rows) -> str:
    env = Environment(autoescape=True, enable_async=True)
    env.filters["to_css_class"] = to_css_class
    template = env.from_string(datasette_loop())
    return asyncio.run(template.render_async(display_rows=display_rows))


def fixture_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        create table wilayah (kode text primary key, nama text);
        create table paket (
            kode text primary key,
            nama text,
            "Nilai Kontrak" integer,
            nilai_rp integer,
            kode_wilayah text references wilayah(kode),
            tautan text,
            berkas blob,
            "-catatan" text
        );
        create table tanpa_kunci (isi text, jumlah real);
        create view paket_besar as select kode, nama, nilai_rp from paket where nilai_rp > 10;
        """
    )
    conn.executemany("insert into wilayah values (?, ?)", [("32.71", "Kota <Bogor>"), ("32", "")])
    conn.executemany(
        "insert into paket values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("P-1", TRICKY, 5, 1500000, "32.71", "https://lpse.kotabogor.go.id/?a=1&b=2", None, ""),
            ("P<2>", None, None, 20, "32", "bukan url", b"\x00\x01", "catatan & <i>"),
            ("P 3", "", 0, -7, None, "", b"", None),
        ],
    )
    conn.executemany("insert into tanpa_kunci values (?, ?)", [(TRICKY, 1.5), (None, None)])
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """`display_rows` and the HTML of each fixture page, as a real Datasette served them."""
    path = tmp_path_factory.mktemp("rows") / "fx.db"
    fixture_database(path)
    config = {"databases": {"fx": {"tables": {"paket": {"label_column": "nama"}}}}}
    ds = Datasette([str(path)], config=config, template_dir=str(layout.DATASETTE_TEMPLATES))
    captured: list = []
    render = ds.render_template

    async def keep_rows(templates, context=None, request=None, view_name=None):
        if view_name == "table":
            captured.append(context.display_rows)
        return await render(templates, context, request=request, view_name=view_name)

    ds.render_template = keep_rows

    async def fetch(address):
        response = await ds.client.get(address)
        assert response.status_code == 200, address
        return response.text

    result = {}
    for address in ("/fx/paket", "/fx/paket?_sort_desc=nilai_rp", "/fx/tanpa_kunci",
                    "/fx/paket_besar", "/fx/wilayah"):  # fmt: skip
        html = asyncio.run(fetch(address))
        result[address] = (captured.pop(), html)
    return result


def test_rows_are_the_markup_of_datasettes_loop(pages):
    for address, (display_rows, _) in pages.items():
        assert display_rows, address
        ours = str(table_rows_html(display_rows))
        # Only the whitespace between tags differs: the loop's indentation, our line breaks.
        reference = reference_html(display_rows)
        assert BETWEEN_TAGS.sub("><", ours) == BETWEEN_TAGS.sub("><", reference).strip(), address
        assert ours.count("<tr") == ours.count("\n") + 1 == len(display_rows)


def test_the_pages_cover_every_kind_of_row_and_cell(pages):
    """What the comparison above depends on is really on the pages."""
    rows = {address: display_rows for address, (display_rows, _) in pages.items()}
    linked = [row for row in rows["/fx/paket"] if row.pk_path is not None]
    assert {bool(row.row_label) for row in linked} == {True, False}
    assert all(row.pk_path is None for row in rows["/fx/paket_besar"])
    types = {cell["value_type"] for page in rows.values() for row in page for cell in row}
    assert {"pk", "str", "int", "float", "none", "bytes"} <= types
    cells = [cell for page in rows.values() for row in page for cell in row]
    assert any(cell["raw"] == TRICKY for cell in cells)
    assert any(hasattr(cell["value"], "__html__") and "rupiah" in cell["value"] for cell in cells)
    assert any(to_css_class(cell["column"]) != cell["column"] for cell in cells)


def test_the_served_page_holds_these_rows(pages):
    for address, (display_rows, html) in pages.items():
        body = html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]
        assert body.strip() == str(table_rows_html(display_rows)), address
        assert TRICKY not in html  # escaped wherever it appears
