"""The transform contract (docs/descriptor.md "transform.py"): what the build hands a dataset's
transform.py, how it picks the function per resource, and how a refusal becomes an Issue."""

from __future__ import annotations

import copy
import shutil

import pandas as pd
import pytest
from conftest import ROOT, SAMPLE_CATALOG

from pipelines.api import FILE_COLUMN, ROW_COLUMN, TransformContext, TransformError
from pipelines.core.registry import load_catalog
from pipelines.stages.normalise import ChunkError, normalise_chunk
from pipelines.stages.transforms import TransformLoadError, load_transforms


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


def test_a_dataset_declares_one_function_per_resource_once(catalog):
    transforms = load_transforms(catalog.datasets["wilayah-bps"])
    assert {name: f.__name__ for name, f in transforms.items()} == {
        "wilayah_bps": "from_names",
        "wilayah_bps_odj": "from_pairs",
    }
    single = load_transforms(catalog.datasets["tender-spse"])
    assert [f.__name__ for f in single.values()] == ["transform"]
    assert load_transforms(catalog.datasets["penduduk-kota-bogor"]) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "def f(frame, context):\n    return frame\nTRANSFORMS = {'wilayah_bps_typo': f}\n",
            "TRANSFORMS names wilayah_bps_typo, not a resource of this dataset "
            "(wilayah_bps, wilayah_bps_odj)",
        ),
        ("X = 1\n", "must define either `transform(frame, context)` or `TRANSFORMS"),
        ("def transform(frame, context):\n    return frame\nTRANSFORMS = {}\n", "not both"),
        ("def transform(:\n", "cannot be loaded: SyntaxError"),
    ],
)
def test_a_transform_declared_wrongly_stops_at_load_with_its_file_named(
    catalog, tmp_path, text, message
):
    dataset = copy.copy(catalog.datasets["wilayah-bps"])
    dataset.folder = tmp_path
    (tmp_path / "transform.py").write_text(text)
    with pytest.raises(TransformLoadError, match="datasets/wilayah-bps/transform.py") as caught:
        load_transforms(dataset)
    assert message in str(caught.value)


def test_a_transform_that_is_a_broken_link_stops_at_load_instead_of_being_skipped(
    catalog, tmp_path
):
    """A transform.py that is there but cannot be read (a link whose target is gone, as a
    dataset folder copied with `cp -r` leaves it) is an error naming the file and the link, not
    a dataset without a transform that then fails on the columns the transform would make."""
    dataset = copy.copy(catalog.datasets["wilayah-bps"])
    dataset.folder = tmp_path
    (tmp_path / "transform.py").symlink_to("../gone/transform.py")
    with pytest.raises(TransformLoadError) as caught:
        load_transforms(dataset)
    assert str(caught.value) == (
        "datasets/wilayah-bps/transform.py cannot be loaded: it links to ../gone/transform.py, "
        "which is not a file"
    )
    (tmp_path / "transform.py").unlink()
    (tmp_path / "transform.py").mkdir()
    with pytest.raises(TransformLoadError, match="transform.py cannot be loaded: it is not a file"):
        load_transforms(dataset)


def test_ppks_reads_its_title_from_the_file_the_reader_read_not_from_its_name(catalog, tmp_path):
    """The workbook is found through `context.source_path`, whatever the name in messages is
    (a URL after `build --remote`) and whatever the working directory."""
    resource = catalog.datasets["ppks-tangsel"].resources[0]
    [transform] = load_transforms(catalog.datasets["ppks-tangsel"]).values()
    [workbook] = (ROOT / "datasets/ppks-tangsel/source").glob("*.xlsx")
    copied = shutil.copy(workbook, tmp_path / "cached.xlsx")
    name = "https://example.org/36c.xlsx"
    frame = pd.DataFrame(
        {ROW_COLUMN: [4], FILE_COLUMN: [name], "nama_wilayah_sumber": ["  SERPONG  UTARA "]}
    )
    out = transform(frame, TransformContext(resource, name, copied))
    assert out["nama_wilayah_sumber"].tolist() == ["Kota Tangerang Selatan > SERPONG UTARA"]
    assert out["tahun"].tolist() == ["2022"]


def test_a_transform_error_names_file_row_and_column_in_the_issue(catalog):
    resource = catalog.datasets["penduduk-kemendagri"].resources[0]
    [transform] = load_transforms(catalog.datasets["penduduk-kemendagri"]).values()
    chunk = pd.DataFrame(
        {
            ROW_COLUMN: [7, 8],
            "kode": ["32.71", "32.72"],
            "nama": ["KOTA BOGOR", "KOTA SUKABUMI"],
            "pria": ["10", "5"],
            "wanita": ["10", "5"],
            "total": ["20", "11"],
        }
    )
    chunk.insert(1, FILE_COLUMN, "wilayah_penduduk.sql")
    with pytest.raises(ChunkError) as caught:
        normalise_chunk(chunk, resource, "wilayah_penduduk.sql", transform)
    issue = caught.value.issue
    assert (issue.type, issue.file, issue.row, issue.column) == (
        "transform-error",
        "wilayah_penduduk.sql",
        8,
        "total",
    )
    assert "raised TransformError: baris/row 8 (32.72 KOTA SUKABUMI)" in issue.message


def test_lookup_reads_a_table_beside_the_descriptor(catalog):
    resource = catalog.datasets["tender-spse"].resources[0]
    context = TransformContext(resource, "x.json")
    rows = context.lookup("lpse.csv")
    assert rows and set(rows[0]) >= {"lpse", "kode_wilayah"}
    rows[0]["lpse"] = "changed"  # a caller's change does not leak into the next call
    assert context.lookup("lpse.csv")[0]["lpse"] != "changed"
    assert context.dataset_folder == SAMPLE_CATALOG / "tender-spse"


def test_transform_error_is_a_value_error_with_optional_place():
    error = TransformError("bad", row=3)
    assert isinstance(error, ValueError) and (error.row, error.column) == (3, None)
