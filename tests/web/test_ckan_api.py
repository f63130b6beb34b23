"""Our read-only CKAN Action API, on the real Datasette server, read by the real ckanapi client."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request

import ckanapi
import pytest
import yaml
from conftest import ROOT, own_packages

from pipelines.core.release import current_release
from pipelines.web import ckan_api


def call(server, action: str, query: str = "", body: bytes | None = None, prefix="/api/3/action/"):
    """(status, JSON answer) of one raw HTTP call."""
    request = urllib.request.Request(f"{server.url}{prefix}{action}{'?' + query if query else ''}")
    if body is not None:
        request.data = body
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Type"] == "application/json;charset=utf-8"
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def published(built_catalog) -> dict[str, dict]:
    """Our datapackage.json of every dataset, as built (its own tables)."""
    return own_packages(built_catalog)


@pytest.fixture(scope="module")
def ckan(datasette_server):
    with ckanapi.RemoteCKAN(datasette_server.url) as remote:  # POSTs JSON, as harvesters do
        yield remote


def test_envelope_and_package_list(datasette_server, published):
    status, answer = call(datasette_server, "package_list")
    assert status == 200
    assert answer["success"] is True
    assert answer["help"] == f"{datasette_server.url}/api/3/action/help_show?name=package_list"
    assert answer["result"] == sorted(published)
    assert (
        call(datasette_server, "package_list", "limit=2&offset=1")[1]["result"]
        == sorted(published)[1:3]
    )
    assert call(datasette_server, "package_list", prefix="/api/action/")[1]["result"] == sorted(
        published
    )


def package_tables(package: dict) -> set[str]:
    return {r["name"] for r in package["resources"]}


def test_package_show_matches_the_catalog(ckan, datasette_server, published, built_catalog):
    for name, package in published.items():
        shown = ckan.action.package_show(id=name)
        assert shown["name"] == name
        assert shown["title"] == package["title"]
        assert shown["notes"] == package["description"]
        assert shown["title_translated"]["en"] == package["jendela"]["en"]["title"]
        assert shown["license_id"] == package["licenses"][0]["name"]
        assert shown["organization"]["name"] == package["jendela"]["publisher"]
        assert shown["organization"]["title"] == package["contributors"][0]["title"]
        assert [t["name"] for t in shown["tags"]] == package["keywords"]
        assert [g["name"] for g in shown["groups"]] == package["jendela"]["themes"]
        assert shown["metadata_modified"] == f"{package['jendela']['updated']}T00:00:00"
        assert shown["num_resources"] == len(shown["resources"])
        csv = [r for r in shown["resources"] if r["format"] == "CSV"]
        assert [r["name"] for r in csv] == [r["name"] for r in package["resources"]]
        for res in csv:
            assert res["url"] == f"{datasette_server.url}/downloads/{name}/{res['name']}.csv"
        # Every published file is a resource, and each says its true size and SHA-256.
        folder = built_catalog / "site" / "downloads" / name
        # (Not the rows of other datasets' tables shipped for foreign keys, nor quarantine files.)
        files = sorted(
            f.name
            for f in folder.iterdir()
            if not f.name.endswith(".quarantine.csv")
            and (
                f.name.split(".")[0] in package_tables(package)
                or f.name in ("datapackage.json", f"{name}.zip")
            )
        )
        assert sorted(r["url"].rsplit("/", 1)[1] for r in shown["resources"]) == files
        for res in shown["resources"]:
            with urllib.request.urlopen(res["url"], timeout=10) as response:
                data = response.read()
            assert hashlib.sha256(data).hexdigest() == res["hash"], res["url"]
            assert len(data) == res["size"]
            assert res["package_id"] == shown["id"]
        assert ckan.action.package_show(id=shown["id"])["name"] == name  # by id too
    sample = ckan.action.package_show(id="tender-kota-bogor")
    assert {"key": "jendela_sample", "value": "true"} in sample["extras"]


def test_package_search(ckan, published):
    everything = ckan.action.package_search(rows=100)
    assert everything["count"] == len(published)
    page = ckan.action.package_search(rows=2, start=1, sort="name asc")
    assert [p["name"] for p in page["results"]] == sorted(published)[1:3]
    assert page["count"] == len(published)
    by_org = ckan.action.package_search(fq="organization:pemkot-bogor", rows=100)
    expected = sorted(
        n for n, p in published.items() if p["jendela"]["publisher"] == "pemkot-bogor"
    )
    assert sorted(p["name"] for p in by_org["results"]) == expected
    tagged = ckan.action.package_search(fq='tags:"data contoh"', sort="name asc")
    expected = sorted(n for n, p in published.items() if "data contoh" in p.get("keywords", []))
    assert expected and [p["name"] for p in tagged["results"]] == expected
    both_filters = ckan.action.package_search(fq='organization:pemkot-bogor +tags:"data contoh"')
    assert both_filters["count"] == len(set(expected) & {p["name"] for p in by_org["results"]})
    excluded = ckan.action.package_search(fq='-tags:"data contoh"', rows=100)
    assert excluded["count"] == len(published) - len(expected)
    text = [p["name"] for p in ckan.action.package_search(q="tender", rows=100)["results"]]
    assert "tender-kota-bogor" in text and "wilayah-kota-bogor" not in text
    assert all("tender" in json.dumps(published[n], ensure_ascii=False).lower() for n in text)
    two_words = [p["name"] for p in ckan.action.package_search(q="tender bogor")["results"]]
    assert "tender-kota-bogor" in two_words and set(two_words) <= set(text)
    assert ckan.action.package_search(q="tidak-ada-kata-ini")["count"] == 0
    faceted = ckan.action.package_search(**{"facet.field": '["organization"]', "rows": 0})
    assert faceted["results"] == []
    assert faceted["facets"]["organization"]["pemkot-bogor"] == len(by_org["results"])
    assert faceted["search_facets"]["organization"]["items"][0]["count"] >= 1


def test_organizations_and_the_rest(ckan, datasette_server, published):
    publishers = sorted({p["jendela"]["publisher"] for p in published.values()})
    assert sorted(ckan.action.organization_list()) == publishers
    orgs = ckan.action.organization_list(all_fields=True)
    assert sum(o["package_count"] for o in orgs) == len(published)
    shown = ckan.action.organization_show(id="pemkot-bogor", include_datasets=True)
    assert shown["name"] == "pemkot-bogor"
    assert {p["name"] for p in shown["packages"]} == {
        n for n, p in published.items() if p["jendela"]["publisher"] == "pemkot-bogor"
    }
    current = ckan.action.current_package_list_with_resources()
    assert len(current) == len(published)
    modified = [p["metadata_modified"] for p in current]
    assert modified == sorted(modified, reverse=True)
    assert all(p["resources"] for p in current)
    status = ckan.action.status_show()
    assert status["site_url"] == datasette_server.url and status["api_version"] == 3
    assert ckan.action.help_show(name="package_search").startswith("Search: q, fq")
    with urllib.request.urlopen(f"{datasette_server.url}/api/3", timeout=10) as response:
        assert json.loads(response.read()) == {"version": 3}


def test_resource_tag_group_and_licence_actions(ckan, datasette_server, published):
    """resource_show, tag_list, group_list and license_list answer as CKAN's do, from what is
    published: tags are the keywords, groups the themes (with package counts), licences the
    vocabulary's."""
    shown = ckan.action.package_show(id="tender-kota-bogor")
    for res in shown["resources"]:
        assert ckan.action.resource_show(id=res["id"]) == res
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id="tidak-ada")
    keywords = sorted({k for p in published.values() for k in p.get("keywords", [])})
    assert ckan.action.tag_list() == keywords
    assert ckan.action.tag_list(query="ANGGARAN") == [k for k in keywords if "anggaran" in k]
    assert [t["name"] for t in ckan.action.tag_list(all_fields=True)] == keywords
    themes: dict[str, int] = {}
    for package in published.values():
        for theme in package["jendela"]["themes"]:
            themes[theme] = themes.get(theme, 0) + 1
    assert sorted(ckan.action.group_list(sort="name asc")) == sorted(themes)
    groups = ckan.action.group_list(all_fields=True)
    assert {g["name"]: g["package_count"] for g in groups} == themes
    assert all(g["title"] and not g["is_organization"] for g in groups)
    licences = yaml.safe_load((ROOT / "metadata" / "licences.yaml").read_text())
    listed = ckan.action.license_list()
    assert [lic["id"] for lic in listed] == sorted(licences)
    assert {lic["id"]: lic["url"] for lic in listed} == {k: v["path"] for k, v in licences.items()}
    used = {p["licenses"][0]["name"] for p in published.values()}
    assert used <= {lic["id"] for lic in listed}


def test_search_speaks_what_ckan_clients_send(ckan, published):
    """q with field syntax, OR between terms, date ranges and sort=id asc: what ckanapi users
    and CKAN's own harvester (ckanext-harvest: `organization:a OR organization:b`,
    `metadata_modified:[since TO *]`, `sort=id asc`, paging by start) send."""

    def names(**params):
        return [p["name"] for p in ckan.action.package_search(rows=1000, **params)["results"]]

    titled = names(q="title:tender")
    assert titled and all("tender" in published[n]["title"].lower() for n in titled)
    assert set(titled) == {n for n, p in published.items() if "tender" in p["title"].lower()}
    orgs = sorted({p["jendela"]["publisher"] for p in published.values()})[:2]
    either = names(fq=f"organization:{orgs[0]} OR organization:{orgs[-1]}")
    assert sorted(either) == sorted(
        n for n, p in published.items() if p["jendela"]["publisher"] in orgs
    )
    dates = sorted({p["jendela"]["updated"] for p in published.values()})
    since = dates[len(dates) // 2]
    recent = names(fq=f"metadata_modified:[{since}T00:00:00.000Z TO *]")
    assert sorted(recent) == sorted(
        n for n, p in published.items() if p["jendela"]["updated"] >= since
    )
    ids = [p["id"] for p in ckan.action.package_search(rows=1000, sort="id asc")["results"]]
    assert ids == sorted(ids) and len(ids) == len(published)
    paged = []
    start = 0
    while page := ckan.action.package_search(rows=3, start=start, sort="id asc")["results"]:
        paged += [p["id"] for p in page]
        start += 3
    assert paged == ids
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="metadata_modified:[NOW-1DAY TO *]")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(q="tender OR")


def test_get_only_clients_see_the_same(datasette_server, ckan):
    with ckanapi.RemoteCKAN(datasette_server.url, get_only=True) as remote:
        assert remote.action.package_show(id="wilayah-kota-bogor") == ckan.action.package_show(
            id="wilayah-kota-bogor"
        )


def test_errors_have_ckans_shape(ckan, datasette_server):
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="tidak-ada")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="tidak-ada")
    with pytest.raises(ckanapi.ValidationError) as caught:
        ckan.action.package_search(rows="banyak")
    assert caught.value.error_dict["rows"] == ["Invalid integer"]
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="warna:merah")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="baru")
    cases = [
        (
            "package_show",
            "id=tidak-ada",
            None,
            404,
            {"__type": "Not Found Error", "message": "Not found"},
        ),
        ("package_show", "", None, 409, {"__type": "Validation Error", "id": ["Missing value"]}),
        (
            "package_search",
            "rows=-1",
            None,
            409,
            {"__type": "Validation Error", "rows": ["Must be a natural number (>= 0)"]},
        ),
        (
            "no_such_action",
            "",
            None,
            400,
            {
                "__type": "Bad request",
                "message": "Bad request - Action name not known: no_such_action",
            },
        ),
        ("package_show", "", b"{not json", 400, None),
        ("package_update", "", b"{}", 403, None),
    ]
    for action, query, body, status, error in cases:
        got_status, answer = call(datasette_server, action, query, body)
        assert got_status == status, (action, answer)
        assert answer["success"] is False
        assert "result" not in answer
        assert answer["help"].endswith(f"help_show?name={action}")
        if error is not None:
            assert answer["error"] == error
        else:
            assert answer["error"]["__type"] in ("Bad request", "Authorization Error")
            assert answer["error"]["message"]


def test_group_titles_include_harvested_themes(built_catalog, tmp_path):
    """A theme the harvester wrote to metadata/harvested/themes.yaml has its title as a group."""
    metadata = tmp_path / "metadata"
    shutil.copytree(ROOT / "metadata", metadata)
    themes = yaml.safe_load((metadata / "themes.yaml").read_text())
    moved = {"anggaran": themes.pop("anggaran")}  # as if only the harvest knew this theme
    (metadata / "themes.yaml").write_text(yaml.safe_dump(themes, allow_unicode=True))
    (metadata / "harvested").mkdir()
    (metadata / "harvested/themes.yaml").write_text(yaml.safe_dump(moved, allow_unicode=True))
    release = str(current_release(built_catalog))
    package = ckan_api._catalog(release, 0.0, str(metadata)).find("apbd-djpk")
    assert [(g["name"], g["title"]) for g in package["groups"]] == [("anggaran", "Anggaran")]

    (metadata / "harvested/themes.yaml").write_text("anggaran: [\n")
    with pytest.raises(ckan_api.ActionError) as caught:  # said, not hidden behind bare keys
        ckan_api._catalog(release, 1.0, str(metadata))
    assert caught.value.status == 500 and "harvested/themes.yaml" in caught.value.message
