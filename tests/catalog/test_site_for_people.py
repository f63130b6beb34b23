"""The catalog as a journalist uses it, measured in real headless Chromium at a laptop's
1280x800 and a phone's 390x844: the first search result and a dataset page's one primary action
lie inside the first screen, a real query lists the dataset whose title says it first, and the
whole search state travels in the address bar (shared, reloaded, stepped back through).

Expected figures come from the descriptors (titles, descriptions, first tables) read here with
PyYAML, never from the pages under test. Screenshots of both widths go to test-artifacts/, and
each is compared with the same screen with the measured element hidden: the two must differ
inside the element's box, so the element is drawn there, in the first screen.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from catalog.test_site_browser import (  # noqa: F401
    ARTIFACTS,
    TRANSLATIONS,
    axe_violations,
    browser,
    fold,
    guarded_page,
    real_site_url,
    site_url,
    visible_cards,
)
from conftest import ROOT, SAMPLE_CATALOG

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
REAL_DATASETS = ROOT / "datasets"


def descriptor(folder: Path, dataset_id: str) -> dict:
    return yaml.safe_load((folder / dataset_id / "datapackage.yaml").read_text(encoding="utf-8"))


def titles(folder: Path) -> dict[str, str]:
    return {
        p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))["title"]
        for p in sorted(folder.glob("*/datapackage.yaml"))
    }


@pytest.fixture(params=sorted(VIEWPORTS))
def screen(request, browser):  # noqa: F811
    """A page of one viewport that blocks (and records) every request leaving loopback."""
    with guarded_page(browser, *VIEWPORTS[request.param]) as page:
        page.viewport_name = request.param
        yield page


def wait_for_search(page) -> None:
    """Search ranks by relevance once its index is loaded (catalog.js marks the form ready)."""
    page.wait_for_selector("#finder[data-ready]")


def drawn_in_first_screen(page, selector: str, name: str) -> dict:
    """The element's box lies inside the first viewport, and a screenshot of that box differs
    from one taken with the element hidden (so it is drawn there). Saves both widths' screens."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + min(box["height"], 40) <= viewport["height"], (name, box)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.viewport_name}.png"))
    clip = {
        "x": box["x"],
        "y": box["y"],
        "width": min(box["width"], viewport["width"] - box["x"]),
        "height": min(box["height"], viewport["height"] - box["y"]),
    }
    shown = page.screenshot(clip=clip)
    page.locator(selector).first.evaluate("e => e.style.visibility = 'hidden'")
    hidden = page.screenshot(clip=clip)
    page.locator(selector).first.evaluate("e => e.style.visibility = ''")
    assert shown != hidden, f"{selector} is not drawn where it claims to be ({name})"
    return box


# --- home: search first ----------------------------------------------------------------------


def test_first_result_is_in_the_first_screen(screen, real_site_url):  # noqa: F811
    screen.goto(real_site_url + "index.html")
    wait_for_search(screen)
    drawn_in_first_screen(screen, ".dataset-card:not([hidden]) h2", "home-real")
    search = screen.locator("#q").bounding_box()
    first = screen.locator(".dataset-card:not([hidden])").first.bounding_box()
    assert search["y"] < first["y"]  # search first, then the results
    # and after a search, the best match is still the first thing under the box
    screen.fill("#q", "penduduk")
    screen.wait_for_function("location.search.includes('penduduk')")
    drawn_in_first_screen(screen, ".dataset-card:not([hidden]) h2", "home-real-search")


@pytest.mark.parametrize(
    "query",
    ["APBD Tangerang Selatan", "penduduk jawa barat", "tender", "kemiskinan"],
)
def test_datasets_whose_title_holds_the_query_come_first(page_1280, real_site_url, query):  # noqa: F811
    """Relevance: every dataset whose title holds all the query's words is listed before any
    dataset that matched elsewhere (description, columns, region names)."""
    words = fold(query).split()
    in_title = {
        dataset_id
        for dataset_id, title in titles(REAL_DATASETS).items()
        if all(f" {w}" in fold(title) for w in words)
    }
    assert in_title, f"no real dataset has {query!r} in its title"
    page_1280.goto(real_site_url + "index.html")
    wait_for_search(page_1280)
    page_1280.fill("#q", query)
    page_1280.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q", arg=query
    )
    shown = visible_cards(page_1280)
    assert set(shown[: len(in_title)]) == in_title, shown


def test_apbd_kota_bogor_lists_the_dataset_about_it_first(page_1280, site_url):  # noqa: F811
    """The issue's query on the sample catalog, whose Kota Bogor budget is not the newest."""
    query = "APBD Kota Bogor"
    words = fold(query).split()
    about = [i for i, t in titles(SAMPLE_CATALOG).items() if all(f" {w}" in fold(t) for w in words)]
    assert len(about) == 1
    page_1280.goto(site_url + "index.html")
    wait_for_search(page_1280)
    before = visible_cards(page_1280)
    assert before[0] != about[0]  # by date it is not first: the ranking is what moves it
    page_1280.fill("#q", query)
    page_1280.wait_for_function("location.search.includes('APBD')")
    assert visible_cards(page_1280)[0] == about[0]


@pytest.fixture
def page_1280(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort()
        ),
    )
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def form_state(page) -> dict:
    return page.evaluate(
        """() => ({
            q: document.querySelector('#q').value,
            from: document.querySelector('#year-from').value,
            to: document.querySelector('#year-to').value,
            checked: [...document.querySelectorAll('#filters-panel input:checked')]
                .map(b => b.name + '=' + b.value).sort(),
            cards: [...document.querySelectorAll('.dataset-card:not([hidden])')]
                .map(c => c.dataset.id),
        })"""
    )


def test_search_state_round_trips_through_the_url(page_1280, site_url, browser):  # noqa: F811
    page = page_1280
    page.goto(site_url + "index.html")
    wait_for_search(page)
    page.fill("#q", "penduduk")
    page.locator("fieldset[data-facet=theme] input[value=kependudukan]").check()
    page.select_option("#year-from", "2020")
    page.select_option("#year-to", "2024")
    state = form_state(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "q": ["penduduk"],
        "theme": ["kependudukan"],
        "from": ["2020"],
        "to": ["2024"],
    }
    assert len(state["cards"]) > 0
    # shared: the address alone, opened in a fresh browser, gives the same view
    other = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        fresh = other.new_page()
        fresh.goto(page.url)
        wait_for_search(fresh)
        fresh.wait_for_function(
            "n => document.querySelectorAll('.dataset-card:not([hidden])').length === n",
            arg=len(state["cards"]),
        )
        assert form_state(fresh) == state
    finally:
        other.close()
    # the back button steps back through the choices, one at a time
    page.go_back()
    assert parse_qs(urlsplit(page.url).query)["from"] == ["2020"]
    assert "to" not in parse_qs(urlsplit(page.url).query)
    assert form_state(page)["to"] == ""
    page.go_back()
    page.go_back()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["penduduk"]}
    assert form_state(page)["checked"] == []
    page.go_back()
    assert urlsplit(page.url).query == "" and form_state(page)["q"] == ""
    page.go_forward()
    assert form_state(page)["q"] == "penduduk"


def test_facet_counts_follow_the_search(page_1280, site_url):  # noqa: F811
    page = page_1280
    page.goto(site_url + "index.html")
    wait_for_search(page)
    page.fill("#q", "tender")
    page.wait_for_function("location.search.includes('tender')")
    shown = page.eval_on_selector_all(
        ".dataset-card:not([hidden])", "cards => cards.map(c => c.dataset.theme.split(' '))"
    )
    labels = page.locator("fieldset[data-facet=theme] label")
    assert labels.count() > 1
    for i in range(labels.count()):
        label = labels.nth(i)
        value = label.locator("input").get_attribute("value")
        count = int(re.search(r"\((\d+)\)", label.text_content()).group(1))
        assert count == sum(value in themes for themes in shown), value


def test_facets_show_their_top_values_and_fold_the_rest(page_1280, real_site_url, real):  # noqa: F811
    page = page_1280
    page.goto(real_site_url + "index.html")
    wait_for_search(page)
    provinces = {
        p["code"]
        for entry in real.manifest["datasets"].values()
        for p in (entry.get("coverage") or {}).get("provinces", [])
    }
    region = page.locator("fieldset[data-facet=region]")
    visible = [b for b in region.locator("input").all() if b.is_visible()]
    assert 0 < len(visible) < len(provinces)
    more = region.locator("details.more > summary")
    assert more.is_visible()
    more.click()
    assert {b.get_attribute("value") for b in region.locator("input").all() if b.is_visible()} == (
        provinces
    )
    # years are a range: two choices, not a checkbox per year
    assert page.locator("fieldset[data-facet=year] input").count() == 0
    years = page.eval_on_selector_all("#year-from option[value]:not([value=''])", "o => o.length")
    assert years >= 10


# --- dataset pages: the summary, then one primary action ----------------------------------


def first_table(folder: Path, dataset_id: str) -> str:
    return descriptor(folder, dataset_id)["resources"][0]["name"]


@pytest.mark.parametrize("dataset_id", ["apbd-djpk", "tender-spse", "penduduk-kemendagri"])
def test_primary_action_is_in_the_first_screen(screen, real_site_url, dataset_id):  # noqa: F811
    screen.goto(real_site_url + f"dataset/{dataset_id}/index.html")
    action = screen.locator("a.primary-action")
    assert action.count() == 1  # one primary action
    assert action.inner_text() == TRANSLATIONS["id"]["explore_filter"]
    href = action.get_attribute("href")
    assert href.endswith(f"jendela/{first_table(REAL_DATASETS, dataset_id)}")
    drawn_in_first_screen(screen, "a.primary-action", f"dataset-{dataset_id}")
    # the plain summary comes before it, the technical notes well after it
    summary = screen.locator(".summary .what").bounding_box()
    downloads = screen.locator("#downloads-heading").bounding_box()
    technical = screen.locator("#technical-heading").bounding_box()
    box = action.bounding_box()
    assert summary["y"] < box["y"] < downloads["y"] < technical["y"]


def test_the_summary_says_what_and_the_etl_notes_sit_in_their_own_section(
    page_1280,
    real_site_url,  # noqa: F811
):
    """tender-spse's description: its first paragraph says what the data is; the later ones
    (how the SPSE export is read) belong to the technical section, not the summary."""
    text = descriptor(REAL_DATASETS, "tender-spse")["description"]
    paragraphs = [" ".join(p.replace("`", "").split()) for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 2
    page_1280.goto(real_site_url + "dataset/tender-spse/index.html")
    summary = " ".join(page_1280.inner_text(".summary").split())
    technical = " ".join(page_1280.inner_text(".technical").split())
    assert paragraphs[0][:80] in summary
    for later in paragraphs[1:]:
        assert later[:60] not in summary and later[:60] in technical


def test_primary_action_opens_the_filterable_table(page_1280, datasette_server):  # noqa: F811
    page = page_1280
    page.goto(datasette_server.url + "/en/dataset/tender-kota-bogor/index.html")
    action = page.locator("a.primary-action")
    assert action.inner_text() == TRANSLATIONS["en"]["explore_filter"]  # the page's language
    action.click()
    table = first_table(SAMPLE_CATALOG, "tender-kota-bogor")
    page.wait_for_url(f"**/jendela/{table}")
    assert page.locator("table.rows-and-columns tbody tr").count() > 0


@pytest.mark.parametrize(
    "path", ["index.html?q=penduduk&theme=kependudukan", "en/dataset/penduduk-kota-bogor/"]
)
def test_new_pages_are_axe_clean_on_a_phone(browser, site_url, path):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_url + path)
        assert axe_violations(page) == []
    finally:
        context.close()
