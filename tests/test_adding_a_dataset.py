"""README "Adding a dataset", followed as written: the commands are read from README's sh block and
run in order, with a real file served on loopback as the source.

The project is a copy of the sample catalog (it builds in seconds; the full real catalog would take
a minute), so every command gets `--datasets-dir`/`--metadata-dir` of the copy, `build` and
`readme` write into the temporary folder, and README's placeholders get a real id, URL, licence and
publisher. The file is Open Data Jabar's per-capita expenditure table, as the repository keeps it
under datasets/kemiskinan-jabar-odj/source/; its checksum is computed here with hashlib. The last
command (the contract test) is checked to exist, not run: it would build the real catalog again.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import sqlite3

import pytest
import yaml
from conftest import REAL_CATALOG, ROOT, StaticHost, publish_in

DATASET = "pengeluaran-jabar"
SOURCE = REAL_CATALOG / "kemiskinan-jabar-odj" / "source" / "odj_pengeluaran_per_kapita_kabkota.csv"
LICENCE = "none stated"
PUBLISHER = "Jabar Digital Service"

# Step 2 of README: what a person writes. One table, YAML only (no transform): the columns the
# table keeps are renamed, the value read with a decimal point and multiplied out of thousands.
DESCRIPTOR = """\
title: Pengeluaran per kapita kabupaten/kota Jawa Barat
description: Pengeluaran per kapita per tahun menurut kabupaten/kota di Jawa Barat (BPS).
licenses: [{name: CC-BY-4.0}]
sources:
  - title: Open Data Jabar, jumlah pengeluaran per kapita kabupaten/kota
    path: {url}
jendela:
  publisher: pemkot-bogor
  themes: [kependudukan]
  frequency: annual
  updated: "2021-10-01"
  en:
    title: Per-capita expenditure by regency/city, Jawa Barat
    description: Per-capita expenditure per year by regency/city in Jawa Barat (BPS).
resources:
  - name: pengeluaran_per_kapita
    title: Pengeluaran per kapita
    description: Satu baris per kabupaten/kota dan tahun.
    jendela:
      en: {title: Per-capita expenditure, description: One row per regency/city and year.}
      source: {path: source/odj_pengeluaran_per_kapita_kabkota.csv}
      reader: csv
      columns:
        kode_kabupaten_kota: kode_wilayah_bps
        nama_kabupaten_kota: nama_wilayah_sumber
        tahun: tahun
        pengeluaran_per_kapita: pengeluaran_per_kapita_rp
      facets: [tahun]
    schema:
      primaryKey: [kode_wilayah_bps, tahun]
      fields:
        - name: kode_wilayah_bps
        - name: nama_wilayah_sumber
        - name: tahun
          constraints: {required: true}
        - name: pengeluaran_per_kapita_rp
          type: integer
          title: Pengeluaran per kapita
          description: Rupiah per orang per tahun; sumber menulis ribu rupiah (8951.96).
          constraints: {required: true, minimum: 0}
          jendela:
            en:
              description: Rupiah per person per year; the source writes thousands (8951.96).
            parse: decimal
            scale: 1000
"""


def readme_steps() -> list[str]:
    """The commands of README's "Adding a dataset" sh block, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adding a dataset", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "README's 'Adding a dataset' has no sh block of commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def source_server():
    """The snapshot's bytes at a loopback URL, as a portal would serve them."""
    host = StaticHost(SOURCE.parent)
    yield f"{host.url}/{SOURCE.name}"
    host.stop()


def test_readme_steps_add_a_dataset_that_builds_and_is_listed(copy_project, source_server):
    steps = readme_steps()
    assert [shlex.split(s)[:3] for s in steps] == [
        [".venv/bin/python", "publish.py", "snapshot"],
        [".venv/bin/python", "publish.py", "validate"],
        [".venv/bin/python", "publish.py", "build"],
        [".venv/bin/python", "publish.py", "readme"],
        [".venv/bin/python", "-m", "pytest"],
    ], "README's steps changed: update this test to follow them"
    values = {"<id>": DATASET, "<url>": source_server, "<licence>": LICENCE}
    values["<publisher>"] = PUBLISHER
    output = copy_project / "build"
    readme = copy_project / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    folder = copy_project / "datasets" / DATASET

    for number, step in enumerate(steps[:4]):
        for placeholder, value in values.items():
            step = step.replace(placeholder, value)
        args = shlex.split(step)[2:]
        assert not re.search(r"<[a-z]+>", " ".join(args)), f"unfilled placeholder in {step}"
        if args[0] in ("build", "readme"):
            args += ["--output", str(output)]
        if args[0] == "readme":
            args += ["--readme", str(readme)]
        result = publish_in(copy_project, *args)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
        if number == 0:  # after the snapshot, the person writes the descriptor (step 2)
            (folder / "datapackage.yaml").write_text(DESCRIPTOR.replace("{url}", source_server))

    # The folder holds the two things a person wrote or fetched, and the record the command wrote.
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == [
        "datapackage.yaml",
        "source/odj_pengeluaran_per_kapita_kabkota.csv",
        "source/provenance.yaml",
    ]
    served = SOURCE.read_bytes()
    kept = (folder / "source" / SOURCE.name).read_bytes()
    assert kept == served
    (entry,) = yaml.safe_load((folder / "source" / "provenance.yaml").read_text())["files"]
    assert entry["sha256"] == hashlib.sha256(served).hexdigest()
    assert entry["bytes"] == len(served)
    assert entry["url"] == source_server
    assert entry["licence_as_stated"] == LICENCE and entry["publisher"]["name"] == PUBLISHER

    # Published: one row per data line of the source, the value multiplied out of thousands.
    lines = served.decode("utf-8").splitlines()
    header = lines[0].split(",")
    first = dict(zip(header, lines[1].split(","), strict=True))
    with sqlite3.connect(output / "jendela.db") as db:
        count = db.execute("SELECT count(*) FROM pengeluaran_per_kapita").fetchone()[0]
        value = db.execute(
            "SELECT pengeluaran_per_kapita_rp FROM pengeluaran_per_kapita "
            "WHERE kode_wilayah_bps = ? AND tahun = ?",
            (first["kode_kabupaten_kota"], int(first["tahun"])),
        ).fetchone()[0]
    assert count == len([line for line in lines[1:] if line.strip()])
    whole, _, fraction = first["pengeluaran_per_kapita"].partition(".")
    assert value == int(whole) * 1000 + int(fraction.ljust(3, "0"))

    # README's dataset table (the copy) now lists the dataset; the real README is untouched.
    assert f"`{DATASET}`" in readme.read_text(encoding="utf-8")
    assert f"`{DATASET}`" not in (ROOT / "README.md").read_text(encoding="utf-8")
    contract = shlex.split(steps[4])[-1]
    assert (ROOT / contract).is_file(), contract


def test_snapshot_refuses_what_it_cannot_keep_faithfully(copy_project, source_server):
    """A URL that is not http(s), a file already recorded (only `build --remote` replaces a
    snapshot, saying what changed) and an unreachable URL: exit 2 or 1, a message naming it,
    nothing left behind."""
    common = ("--licence-as-stated", LICENCE, "--publisher", PUBLISHER)
    folder = copy_project / "datasets" / DATASET

    result = publish_in(copy_project, "snapshot", DATASET, "file:///etc/passwd", *common)
    assert result.returncode == 2 and "file:///etc/passwd" in result.stderr
    assert "http(s)" in result.stderr

    assert publish_in(copy_project, "snapshot", DATASET, source_server, *common).returncode == 0
    record_before = (folder / "source" / "provenance.yaml").read_bytes()
    again = publish_in(copy_project, "snapshot", DATASET, source_server, *common)
    assert again.returncode == 2 and "--remote" in again.stderr, again.stderr
    assert (folder / "source" / "provenance.yaml").read_bytes() == record_before

    missing = source_server.rsplit("/", 1)[0] + "/tidak-ada.csv"
    gone = publish_in(copy_project, "snapshot", DATASET, missing, *common)
    assert gone.returncode == 1 and "tidak-ada.csv" in gone.stderr, gone.stderr
    assert sorted(p.name for p in (folder / "source").iterdir()) == [
        SOURCE.name,
        "provenance.yaml",
    ]
