"""Datasette's templates are compiled once per machine (web/template_cache.py).

A second Datasette instance, as a new server process or a server moving to a new release makes,
reads the compiled code the first one wrote and compiles nothing, and serves the same pages. A
cache that cannot be kept costs only the saving: the pages are served the same.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import jinja2
import pytest

from pipelines.web.template_cache import CACHE_ENV

PAGES = ("/jendela/tender?_facet=satker", "/jendela/wilayah/32")  # 13 templates between them
# What differs between two answers to the same request whatever the templates: the footer's
# "Kueri memakan waktu 3.0 ms", the time the request's query took.
QUERY_TIME = re.compile(rb"Kueri memakan waktu [0-9.]+ ms")


async def _serve(release: Path, before_first_page=None) -> list[tuple[int, bytes]]:
    from pipelines.web.serve import make_datasette

    datasette = make_datasette(release, {}, "s")
    await datasette.invoke_startup()
    if before_first_page:
        before_first_page()
    answers = []
    for page in PAGES:
        response = await datasette.client.get(page)
        body = QUERY_TIME.sub(b"Kueri memakan waktu (waktu) ms", response.content)
        answers.append((response.status_code, body))
    return answers


def pages(release: Path, before_first_page=None) -> list[tuple[int, bytes]]:
    """Status and body of each of PAGES from a new Datasette instance on `release`, the time
    its query took aside (QUERY_TIME)."""
    return asyncio.run(_serve(release, before_first_page))


@pytest.fixture
def compiles(monkeypatch) -> list[str]:
    """The name of every template Jinja compiles from now on (the real compiler runs)."""
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def test_a_new_instance_compiles_nothing_and_a_lost_cache_only_costs_the_saving(
    built_catalog, tmp_path, monkeypatch, compiles
):
    cache = tmp_path / "templates"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    first = pages(built_catalog)
    assert [status for status, _ in first] == [200] * len(PAGES)
    compiled = len(compiles)
    assert {"table.html", "_table.html", "row.html"} <= set(compiles), compiles
    assert len(list(cache.glob("jendela-*.cache"))) == compiled

    assert pages(built_catalog) == first
    assert len(compiles) == compiled  # the second instance read every template back

    # A folder that cannot be made (a file is in the way): compiled and served as before.
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "templates"))
    assert pages(built_catalog) == first
    assert len(compiles) == 2 * compiled

    # A folder removed after the server started (a temporary-folder cleaner): the same.
    removed = tmp_path / "removed"
    monkeypatch.setenv(CACHE_ENV, str(removed))
    assert pages(built_catalog, lambda: shutil.rmtree(removed)) == first
    assert len(compiles) == 3 * compiled
    assert not removed.exists()
