"""A small dataset written into a copied project (`copy_project`), for tests that need inputs the
sample catalog does not have: hostile text, personal data, broken files.

Every field is declared in full (type, title, description in both languages), so the dataset
depends on nothing in metadata/fields.yaml, and it references no other table: it builds alone.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def field(name: str, kind: str = "string", **jendela) -> dict:
    """One Table Schema field; `jendela` keys (parse, personal_data, ...) go under `jendela`."""
    return {
        "name": name,
        "type": kind,
        "title": name.replace("_", " ").capitalize(),
        "description": f"Kolom uji {name}.",
        "jendela": {"en": {"title": name, "description": f"Test column {name}."}, **jendela},
    }


def add_dataset(
    project: Path,
    dataset_id: str,
    files: dict[str, bytes | str],
    fields: list[dict],
    *,
    table: str | None = None,
    source: str | None = None,
    reader: str = "csv",
    options: dict | None = None,
    resource: dict | None = None,
    package: dict | None = None,
) -> Path:
    """Write `datasets/<dataset_id>/` with `files` (relative path -> content) and a descriptor of
    one table (`table`, default the id in snake_case) read from `source` (default the first file).
    `resource` and `package` are merged into the resource's and the package's `jendela`."""
    folder = project / "datasets" / dataset_id
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    table = table or dataset_id.replace("-", "_")
    descriptor = {
        "title": f"Dataset uji {dataset_id}",
        "description": "Dataset buatan untuk pengujian, bukan data resmi.",
        "licenses": [{"name": "CC-BY-4.0"}],
        "sources": [{"title": "Buatan pengujian", "path": "https://example.org/"}],
        "jendela": {
            "publisher": "pemkot-bogor",
            "themes": ["kependudukan"],
            "sample": True,
            "updated": "2026-01-01",
            "en": {"title": f"Test dataset {dataset_id}", "description": "Made up for tests."},
            **(package or {}),
        },
        "resources": [
            {
                "name": table,
                "title": f"Tabel uji {table}",
                "jendela": {
                    "en": {"title": f"Test table {table}"},
                    "source": {"path": source or next(iter(files))},
                    "reader": reader,
                    **({"options": options} if options else {}),
                    **(resource or {}),
                },
                "schema": {"fields": fields},
            }
        ],
    }
    (folder / "datapackage.yaml").write_text(
        yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def build_one_dataset(project: Path, dataset_id: str, *args, **kwargs) -> Path:
    """A project of one dataset (`add_dataset`'s arguments) beside a copy of metadata/, built
    with `publish.py build`; the build's output folder. The build must succeed."""
    import shutil

    from conftest import ROOT, publish_in

    (project / "datasets").mkdir()
    shutil.copytree(ROOT / "metadata", project / "metadata")
    add_dataset(project, dataset_id, *args, **kwargs)
    output = project / "build"
    result = publish_in(project, "build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    return output
