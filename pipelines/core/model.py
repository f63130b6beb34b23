"""The dataset model: a descriptor on disk becomes a `Dataset` with its `Resource`s.

This is the bottom of the dependency graph (above `metadata/`): every stage reads datasets through
it, so descriptor mistakes are caught here once, with the file and key named, before any stage runs.
"""

from __future__ import annotations

import copy
import glob
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .bilingual import Text
from .errors import DescriptorError
from .layout import table_file
from .links import check_link

ROOT = Path(__file__).resolve().parents[2]
DATASETS_DIR = ROOT / "datasets"
METADATA_DIR = ROOT / "metadata"
DEFAULT_OUTPUT = ROOT / "build"  # where `publish.py build` publishes unless told --output
DESCRIPTOR_NAME = "datapackage.yaml"


def catalog_name(dataset_id: str, relative: str) -> str:
    """A file of a dataset as the catalog names it in messages, reports and the manifest:
    `datasets/<id>/<path in the dataset folder>`, wherever the catalog sits on disk, so a
    catalog built from another folder (or machine) publishes the same bytes."""
    return f"{DATASETS_DIR.name}/{dataset_id}/{relative}"


HARVESTED_DIR = "harvested"  # metadata/harvested/: vocabulary written by `publish.py harvest`
SAMPLE_LABEL = Text("contoh, bukan data resmi", "sample, not official data")
# The published region list (dataset wilayah-kemendagri): code, official name, level, parent.
REGION_TABLE = "wilayah"
REGION_CODE = "kode_wilayah"
# Fields every table keyed by a region code gets from the region table (see `region_name_fields`),
# so people read, facet and search by name; pipelines/stages/regions.py fills them in.
REGION_NAME_FIELDS = ("nama_wilayah", "tingkat_wilayah", "nama_provinsi", "nama_kabupaten_kota")
REGION_NAME_FTS = ("nama_wilayah", "nama_kabupaten_kota")
REGION_NAME_FACETS = ("nama_provinsi", "nama_kabupaten_kota", "tingkat_wilayah")
REGION_NAME_NOTE = Text(
    " Diturunkan saat build dari tabel `wilayah` menurut `kode_wilayah`; kosong bila kode "
    "itu tidak ada di sana.",
    " Derived at build time from table `wilayah` by `kode_wilayah`; empty when that code "
    "is not there.",
)

# The parser a field gets when its descriptor names none (docs/descriptor.md).
DEFAULT_PARSE = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "boolean": "text",
}


@dataclass(frozen=True)
class CheckType:
    """The settings of one check type of `jendela.checks`; the check itself is in pipelines/checks/.

    Declared here, below the stages, so a descriptor is checked when it loads (`load_dataset`)
    whether or not a build imported the check modules; pipelines/checks/ registers only types listed
    here, and tests/checks/test_checks_robust.py asserts that every type listed is registered.
    """

    settings: dict[str, type | tuple[type, ...]]  # every setting it accepts, with its type
    required: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # settings that name a field (a name, or a list of names)
    defaults: dict[str, Any] = field(default_factory=dict)  # given to the check when not set
    headers: str | None = None  # a setting whose fields each need their source column header
    # a number setting that must be greater than this, with why in both languages
    above: dict[str, tuple[float, str]] = field(default_factory=dict)


_COMMON = {"type": str, "on_mismatch": str}  # on_mismatch: fail | warn, for every check type
_NUMBER = (int, float)
_TYPE_WORDS = {
    str: "teks / text",
    list: "daftar / a list",
    dict: "mapping",
    _NUMBER: "angka / a number",
}
CHECK_TYPES: dict[str, CheckType] = {
    "region-name": CheckType(
        {**_COMMON, "code": str, "name": str, "accept": dict},
        required=("code", "name"),
        columns=("code", "name"),
    ),
    "outlier": CheckType(
        {**_COMMON, "value": str, "by": list, "ratio": _NUMBER},
        required=("value", "by"),
        columns=("value", "by"),
        above={
            "ratio": (
                1,
                "rasio 1 atau kurang menandai setiap nilai / a ratio of 1 or less flags every "
                "value",
            )
        },
    ),
    "region-total": CheckType(
        {**_COMMON, "value": str, "by": list, "code": str},
        required=("value", "by"),
        columns=("value", "by", "code"),
        defaults={"code": "kode_wilayah"},
    ),
    "hierarchy-sum": CheckType(
        {
            **_COMMON,
            "key": str,
            "parent": str,
            "level": str,
            "group": list,
            "values": list,
            "subtract": list,
            "tolerance": _NUMBER,
        },
        required=("key", "parent", "values"),
        columns=("key", "parent", "level", "group", "values"),
    ),
    "unit-mismatch": CheckType(
        {**_COMMON, "columns": list, "headers": dict, "factor": _NUMBER},
        required=("columns",),
        columns=("columns",),
        headers="columns",
    ),
}
ON_MISMATCH = ("fail", "warn")


# libyaml's C parser reads the same documents about eight times faster than the pure-Python
# one, and every command loads the whole catalog; PyYAML built without libyaml falls back.
# tests/core/test_yaml_loader.py reads every YAML file of the repository both ways.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=YAML_LOADER)
    except FileNotFoundError:
        raise DescriptorError(str(path), "(file)", "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        raise DescriptorError(str(path), where, f"not valid YAML: {exc}") from None


@dataclass(frozen=True)
class Vocabulary:
    """Shared terms from metadata/: written once, referenced by key from every descriptor."""

    fields: dict
    publishers: dict
    licences: dict
    themes: dict
    frequencies: dict
    directory: Path

    @classmethod
    def load(cls, directory: Path = METADATA_DIR) -> Vocabulary:
        def table(name: str) -> dict:
            data = read_yaml(directory / f"{name}.yaml") or {}
            if not isinstance(data, dict):
                raise DescriptorError(str(directory / f"{name}.yaml"), "(top)", "must be a mapping")
            _check_vocabulary_links(name, data, directory / f"{name}.yaml")
            # Terms the CKAN harvester met (organisations, licences) live in its own files, so it
            # never rewrites the hand-written ones; a hand-written key always wins.
            harvested = directory / HARVESTED_DIR / f"{name}.yaml"
            if harvested.is_file():
                extra = read_yaml(harvested) or {}
                _check_vocabulary_links(name, extra, harvested)
                data = {**extra, **data}
            return data

        return cls(
            fields=table("fields"),
            publishers=table("publishers"),
            licences=table("licences"),
            themes=table("themes"),
            frequencies=table("frequencies"),
            directory=directory,
        )

    @cached_property
    def descriptor_schema(self) -> dict:
        with open(self.directory / "schemas" / "descriptor.schema.json", encoding="utf-8") as f:
            return json.load(f)


# The vocabulary keys whose values the catalog shows as links (core/links.py).
VOCABULARY_LINKS = {"publishers": "url", "licences": "path"}


def _check_vocabulary_links(name: str, table: dict, path: Path) -> None:
    key = VOCABULARY_LINKS.get(name)
    if key is None or not isinstance(table, dict):
        return
    for term, entry in table.items():
        if isinstance(entry, dict):
            check_link(entry.get(key), str(path), f"{term}.{key}")


def _check_descriptor_links(descriptor: dict, path: Path) -> None:
    """Every address a descriptor gives: package `homepage`, `sources[].path` (a URL or a plain
    description), `licenses[].path`, `contributors[].path`, and each `url`."""
    check_link(descriptor.get("homepage"), str(path), "homepage")
    for list_key in ("sources", "licenses", "contributors"):
        for index, item in enumerate(descriptor.get(list_key) or []):
            if isinstance(item, dict):
                where = f"{list_key}[{index}].path"
                check_link(item.get("path"), str(path), where, relative_ok=list_key == "sources")

    def walk(value, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                inner = f"{where}.{key}" if where else str(key)
                if key == "url" and not isinstance(item, dict | list):
                    check_link(item, str(path), inner)
                else:
                    walk(item, inner)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")

    walk(descriptor, "")


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass
class Resource:
    """One table: its SQLite name, download file name and page anchor are all `name`."""

    name: str
    dataset_id: str
    descriptor: dict
    folder: Path

    @property
    def ext(self) -> dict:
        return self.descriptor["jendela"]

    @property
    def title(self) -> str:
        return self.descriptor["title"]

    @property
    def schema(self) -> dict:
        return self.descriptor["schema"]

    @property
    def fields(self) -> list[dict]:
        return self.schema["fields"]

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def primary_key(self) -> list[str]:
        return list(self.schema.get("primaryKey") or [])

    @property
    def foreign_keys(self) -> list[dict]:
        return list(self.schema.get("foreignKeys") or [])

    @property
    def references(self) -> set[str]:
        """Names of other resources this one points at (it must be built after them)."""
        return {fk["reference"]["resource"] for fk in self.foreign_keys} - {self.name, ""}

    @property
    def source_path(self) -> Path:
        return self.folder / self.ext["source"]["path"]

    def source_files(self, override: Path | None = None) -> list[Path]:
        """The input files, sorted: `source.path` may be a glob (one file per region or year).

        `override` (a file, folder or glob) replaces the embedded input, e.g. to build the same
        pipeline on a full real export kept outside the repository.
        """
        pattern = Path(override) if override else self.source_path
        if pattern.is_dir():
            pattern = pattern / Path(self.ext["source"]["path"]).name
        if any(ch in str(pattern) for ch in "*?["):
            return sorted(
                p for p in map(Path, glob.glob(str(pattern), recursive=True)) if p.is_file()
            )
        return [pattern] if pattern.is_file() else []

    @property
    def source_url(self) -> str | None:
        return self.ext["source"].get("url")

    @property
    def reader(self) -> str:
        return self.ext["reader"]

    @property
    def reader_options(self) -> dict:
        return dict(self.ext.get("options") or {})

    @property
    def column_map(self) -> dict[str, str]:
        return dict(self.ext.get("columns") or {})

    @property
    def fts_columns(self) -> list[str]:
        return list(self.ext.get("fts") or [])

    @property
    def facet_columns(self) -> list[str]:
        return list(self.ext.get("facets") or [])

    @property
    def on_error(self) -> str:
        return self.ext.get("on_error", "fail")

    @property
    def derived_fields(self) -> dict[str, dict]:
        """Fields the build fills in itself, by name -> their `jendela.derived` spec (not read
        from the source): the region names of `region_name_fields`."""
        return {
            f["name"]: f["jendela"]["derived"]
            for f in self.fields
            if (f.get("jendela") or {}).get("derived")
        }

    def parse_kind(self, field_descriptor: dict) -> str:
        explicit = (field_descriptor.get("jendela") or {}).get("parse")
        if explicit:
            return explicit
        if field_descriptor["name"].startswith("kode_wilayah"):
            return "region_code"
        return DEFAULT_PARSE.get(field_descriptor.get("type", "string"), "text")

    def frictionless_schema(self) -> dict:
        """The Table Schema without our extension keys, for frictionless itself."""
        schema = copy.deepcopy(self.schema)
        for f in schema["fields"]:
            f.pop("jendela", None)
        # References to other datasets' resources are checked by us after loading (see load.py):
        # frictionless only resolves foreign keys inside one package.
        schema.pop("foreignKeys", None)
        return schema


@dataclass
class Dataset:
    id: str
    folder: Path
    descriptor: dict
    vocabulary: Vocabulary
    resources: list[Resource] = field(default_factory=list)

    @property
    def descriptor_path(self) -> Path:
        return self.folder / DESCRIPTOR_NAME

    @property
    def ext(self) -> dict:
        return self.descriptor["jendela"]

    @property
    def title(self) -> str:
        return self.descriptor["title"]

    @property
    def is_sample(self) -> bool:
        return bool(self.ext.get("sample"))

    @property
    def publisher(self) -> dict:
        return self.vocabulary.publishers[self.ext["publisher"]]

    @property
    def references(self) -> set[str]:
        own = {r.name for r in self.resources}
        return set().union(*(r.references for r in self.resources)) - own

    def licence(self, name: str) -> dict:
        """A licence as Data Package `licenses` wants it: name, path and title."""
        known = self.vocabulary.licences.get(name, {})
        return {"name": name, "path": known.get("path"), "title": known.get("title", name)}

    def resource(self, name: str) -> Resource:
        for res in self.resources:
            if res.name == name:
                return res
        raise KeyError(name)

    def package_descriptor(self) -> dict:
        """The standard Frictionless descriptor we publish as datapackage.json.

        Resources point at the exported CSV (`<name>.csv`); licences and the publisher are
        expanded from metadata/ so the file stands alone.
        """
        package = copy.deepcopy(self.descriptor)
        package = {"name": self.id, **package}
        package["licenses"] = [self.licence(lic["name"]) for lic in package["licenses"]]
        package["contributors"] = [
            {
                "title": self.publisher["name"],
                "path": self.publisher.get("url"),
                "role": "publisher",
            }
        ]
        for res in package["resources"]:
            res["path"] = table_file(res["name"], "csv")
            res["format"] = "csv"
            res["mediatype"] = "text/csv"
            res["encoding"] = "utf-8"
        return package


def load_dataset(folder: Path, vocabulary: Vocabulary) -> Dataset:
    """Read, check and expand one dataset folder. Raises DescriptorError naming file and key."""
    path = folder / DESCRIPTOR_NAME
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise DescriptorError(str(path), "(top)", "must be a mapping of package properties")
    _check_against_schema(raw, vocabulary, path)
    _check_descriptor_links(raw, path)
    descriptor = copy.deepcopy(raw)
    _check_vocabulary_keys(descriptor, vocabulary, path)
    dataset = Dataset(id=folder.name, folder=folder, descriptor=descriptor, vocabulary=vocabulary)
    for index, res in enumerate(descriptor["resources"]):
        res["schema"]["fields"] = [
            _expand_field(f, vocabulary, path, f"resources[{index}].schema.fields[{i}]")
            for i, f in enumerate(res["schema"]["fields"])
        ]
        _add_region_names(res, vocabulary)
        resource = Resource(name=res["name"], dataset_id=dataset.id, descriptor=res, folder=folder)
        _check_resource(resource, path, f"resources[{index}]")
        dataset.resources.append(resource)
    return dataset


def region_key(res: dict) -> str | None:
    """The column of a resource that is a foreign key to the region table's code, if any.

    Only a single-column key `kode_wilayah` -> `wilayah.kode_wilayah` counts: the region table
    itself (its `kode_wilayah_induk` points at itself) and BPS codes are left alone.
    """
    if res["name"] == REGION_TABLE:
        return None
    for fk in (res.get("schema") or {}).get("foreignKeys") or []:
        reference = fk.get("reference") or {}
        if (
            as_list(fk.get("fields")) == [REGION_CODE]
            and reference.get("resource") == REGION_TABLE
            and as_list(reference.get("fields")) == [REGION_CODE]
        ):
            return REGION_CODE
    return None


def region_name_fields(vocabulary: Vocabulary) -> list[dict]:
    """The declared fields a region-keyed table gets: shared definitions from metadata/fields.yaml,
    never required (a code missing from `wilayah` leaves them empty; the foreign-key check reports
    it), marked `jendela.derived` so the normaliser does not look for them in the source."""
    fields = []
    for name in REGION_NAME_FIELDS:
        definition = copy.deepcopy(vocabulary.fields[name])
        constraints = definition.pop("constraints", {}) or {}
        constraints.pop("required", None)
        if constraints:
            definition["constraints"] = constraints
        ext = definition.setdefault("jendela", {})
        ext["derived"] = {"resource": REGION_TABLE, "fields": [REGION_CODE]}
        ext.pop("parse", None)
        definition["description"] = definition["description"].rstrip() + REGION_NAME_NOTE.id
        en = ext.setdefault("en", {})
        en["description"] = en.get("description", "").rstrip() + REGION_NAME_NOTE.en
        fields.append({"name": name, **definition})
    return fields


def _add_region_names(res: dict, vocabulary: Vocabulary) -> None:
    """Declare the region's name, level, province and kabupaten/kota beside its code, and search
    and facet by them: done here, once, for every table whose `kode_wilayah` is a foreign key to
    `wilayah`, so no descriptor repeats them. A field the descriptor declares itself is kept."""
    code = region_key(res)
    if code is None:
        return
    fields = res["schema"]["fields"]
    names = {f["name"] for f in fields}
    added = [f for f in region_name_fields(vocabulary) if f["name"] not in names]
    if not added:
        return
    at = next(i for i, f in enumerate(fields) if f["name"] == code) + 1
    fields[at:at] = added
    ext = res.setdefault("jendela", {})
    new = {f["name"] for f in added}
    for key, columns in (("fts", REGION_NAME_FTS), ("facets", REGION_NAME_FACETS)):
        listed = list(ext.get(key) or [])
        ext[key] = listed + [c for c in columns if c in new and c not in listed]


def _check_against_schema(raw: dict, vocabulary: Vocabulary, path: Path) -> None:
    validator = jsonschema.Draft202012Validator(vocabulary.descriptor_schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        key = _key_path(first.absolute_path) or "(top)"
        message = first.message
        if first.validator == "not":
            message = "this key must not be set here (see docs/descriptor.md)"
        raise DescriptorError(str(path), key, message)


def _key_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _check_vocabulary_keys(descriptor: dict, vocabulary: Vocabulary, path: Path) -> None:
    ext = descriptor["jendela"]
    checks = [
        ("jendela.publisher", [ext["publisher"]], vocabulary.publishers),
        ("jendela.themes", ext["themes"], vocabulary.themes),
        ("licenses", [lic["name"] for lic in descriptor["licenses"]], vocabulary.licences),
    ]
    if "frequency" in ext:
        checks.append(("jendela.frequency", [ext["frequency"]], vocabulary.frequencies))
    for key, values, known in checks:
        for value in values:
            if value not in known:
                raise DescriptorError(
                    str(path),
                    key,
                    f"{value!r} is not defined in metadata/ (known: {', '.join(sorted(known))})",
                )


def _expand_field(field_descriptor: dict, vocabulary: Vocabulary, path: Path, key: str) -> dict:
    shared = vocabulary.fields.get(field_descriptor["name"])
    expanded = _merge(shared, field_descriptor) if shared else copy.deepcopy(field_descriptor)
    for required in ("type", "title", "description"):
        if required not in expanded:
            raise DescriptorError(
                str(path),
                f"{key}.{required}",
                f"field {field_descriptor['name']!r} has no {required} and metadata/fields.yaml "
                "does not define it",
            )
    return expanded


def _check_resource(resource: Resource, path: Path, key: str) -> None:
    names = resource.field_names
    if len(set(names)) != len(names):
        raise DescriptorError(str(path), f"{key}.schema.fields", "field names must be unique")
    for list_key, columns in (
        ("schema.primaryKey", resource.primary_key),
        ("jendela.fts", resource.fts_columns),
        ("jendela.facets", resource.facet_columns),
        ("jendela.coverage", list((resource.ext.get("coverage") or {}).values())),
        ("jendela.partitions", resource.ext.get("partitions") or []),
    ):
        for column in columns:
            if column not in names:
                raise DescriptorError(
                    str(path), f"{key}.{list_key}", f"{column!r} is not a field of {resource.name}"
                )
    for i, fk in enumerate(resource.foreign_keys):
        fk_key = f"{key}.schema.foreignKeys[{i}]"
        if "reference" not in fk or "resource" not in fk["reference"]:
            raise DescriptorError(str(path), fk_key, "needs fields and reference.resource")
        for column in as_list(fk.get("fields")):
            if column not in names:
                raise DescriptorError(str(path), f"{fk_key}.fields", f"{column!r} is not a field")
    _check_checks(resource, path, key)
    if not resource.source_files():
        raise DescriptorError(
            str(path),
            f"{key}.jendela.source.path",
            f"embedded input {resource.ext['source']['path']!r} not found in {resource.folder}",
        )


def as_list(value) -> list:
    """A descriptor value that may be one item or a list (`fields: kode` or `fields: [a, b]`)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _check_checks(resource: Resource, path: Path, key: str) -> None:
    """`jendela.checks` must name known check types, their settings and existing fields.

    Found here, when the descriptor loads, a mistake stops the command with exit 2 and the key;
    found by the check itself it would throw away the whole build in the middle of the data.
    """
    names = set(resource.field_names)
    for i, spec in enumerate(resource.ext.get("checks") or []):
        where = f"{key}.jendela.checks[{i}]"
        if not isinstance(spec, dict):
            raise DescriptorError(str(path), where, "harus berupa mapping / must be a mapping")
        kind = CHECK_TYPES.get(spec.get("type"))
        if kind is None:
            raise DescriptorError(
                str(path),
                f"{where}.type",
                f"jenis pemeriksaan {spec.get('type')!r} tidak dikenal / unknown check type "
                f"{spec.get('type')!r} (known: {', '.join(sorted(CHECK_TYPES))})",
            )
        settings = {**kind.defaults, **spec}
        for setting in settings:
            if setting not in kind.settings:
                raise DescriptorError(
                    str(path),
                    f"{where}.{setting}",
                    f"{spec['type']} tidak punya pengaturan {setting!r} / {spec['type']} has no "
                    f"setting {setting!r} (settings: {', '.join(sorted(kind.settings))})",
                )
        for setting in kind.required:
            if settings.get(setting) in (None, [], ""):
                raise DescriptorError(
                    str(path),
                    f"{where}.{setting}",
                    f"{spec['type']} memerlukan {setting!r} / {spec['type']} needs {setting!r}",
                )
        for setting, value in settings.items():
            expected = kind.settings[setting]
            if not isinstance(value, expected):
                raise DescriptorError(
                    str(path),
                    f"{where}.{setting}",
                    f"harus berupa {_TYPE_WORDS[expected]} / must be {_TYPE_WORDS[expected]}: "
                    f"{value!r}",
                )
            if setting in kind.above and not value > kind.above[setting][0]:
                bound, why = kind.above[setting]
                raise DescriptorError(
                    str(path),
                    f"{where}.{setting}",
                    f"harus lebih dari {bound} / must be greater than {bound}: {value!r} ({why})",
                )
            if setting in kind.columns:
                for column in as_list(value):
                    if column not in names:
                        raise DescriptorError(
                            str(path),
                            f"{where}.{setting}",
                            f"{column!r} bukan kolom {resource.name} / {column!r} is not a field "
                            f"of {resource.name}",
                        )
        if settings.get("on_mismatch", ON_MISMATCH[0]) not in ON_MISMATCH:
            raise DescriptorError(
                str(path),
                f"{where}.on_mismatch",
                f"harus salah satu dari / must be one of: {', '.join(ON_MISMATCH)}",
            )
        if kind.headers:
            _check_headers(resource, settings, path, where, kind.headers)


def _check_headers(resource: Resource, spec: dict, path: Path, where: str, setting: str) -> None:
    """Each column of `setting` needs its source header: renamed from it, or given in `headers`."""
    given = spec.get("headers") or {}
    for column in given:
        if column not in spec[setting]:
            raise DescriptorError(
                str(path),
                f"{where}.headers",
                f"{column!r} tidak ada di {setting} / {column!r} is not one of the {setting}",
            )
    renamed = set(resource.column_map.values())
    for column in spec[setting]:
        if not given.get(column) and column not in renamed:
            raise DescriptorError(
                str(path),
                f"{where}.{setting}",
                f"judul sumber {column!r} tidak diketahui: ganti namanya dari judulnya di "
                f"`jendela.columns` atau tulis judulnya di `headers` / no source header for "
                f"{column!r}: rename it from its header in `jendela.columns` or give the header "
                "text in the check's `headers`",
            )
