"""Nothing built twice (issue 15 item 4): how long `publish.py build` takes on the default real
catalog when nothing changed (target: at most 1 s) and when one dataset changed, against a full
build (stages/reuse.py).

The catalog (datasets/ with its snapshots, and metadata/) is copied into a temporary folder, so
the one-dataset change never touches the repository. Four builds into one output folder:
1. full build (nothing published yet);
2. the same command again: nothing changed, no work;
3. one dataset's descriptor changed (a comment appended; `--dataset`, default: the last dataset
   in build order that no other dataset reads): that dataset rebuilt, the rest taken;
4. `--force`: every dataset rebuilt (what step 3 would cost without reuse).
Printed per step: the wall time of the command (a fresh Python, imports included) and the
build's own seconds as it reports them. Step 2 is also timed in-process (`build()` called with
the catalog loaded), which is what the command adds to the interpreter's start.

    python benchmarks/bench_rebuild.py
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipelines.build import build  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402


def run(project: Path, output: Path, *args: str) -> tuple[float, str]:
    command = [
        sys.executable, str(ROOT / "publish.py"),
        "--datasets-dir", str(project / "datasets"), "--metadata-dir", str(project / "metadata"),
        "build", "--quiet", "--output", str(output), *args,
    ]  # fmt: skip
    tick = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - tick
    if done.returncode != 0:
        raise SystemExit(f"build failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def reported(stdout: str) -> str:
    """The build's own seconds from its last line, `(... s)`."""
    found = re.findall(r"\((\d+(?:\.\d+)?) s", stdout)
    return f"{found[-1]} s" if found else "?"


def leaf(project: Path) -> str:
    """The last dataset in build order whose tables no other dataset reads."""
    catalog = load_catalog(project / "datasets", project / "metadata")
    read = {
        owner.id
        for dataset in catalog.datasets.values()
        for name in dataset.references
        if (owner := catalog.owner_of(name)) is not None
    }
    return [d for d in catalog.build_order() if d not in read][-1]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # each figure as soon as it is measured
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", help="the dataset to change (default: a leaf, see above)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jendela-bench-rebuild-"))
    try:
        project = folder / "project"
        shutil.copytree(ROOT / "datasets", project / "datasets")
        shutil.copytree(ROOT / "metadata", project / "metadata")
        output = folder / "out" / "build"
        dataset = args.dataset or leaf(project)

        full, stdout = run(project, output)
        print(f"1 full build:            {full:6.1f} s wall, build {reported(stdout)}")
        release = output.resolve()
        noop, stdout = run(project, output)
        assert output.resolve() == release, "a no-op rebuild published a new release"
        print(f"2 nothing changed:       {noop:6.2f} s wall, build {reported(stdout)}")
        catalog = load_catalog(project / "datasets", project / "metadata")
        tick = time.perf_counter()
        assert build(catalog, output=output).unchanged
        print(f"  in-process build():    {time.perf_counter() - tick:6.3f} s")

        descriptor = project / "datasets" / dataset / "datapackage.yaml"
        descriptor.write_text(descriptor.read_text(encoding="utf-8") + "\n# bench\n", "utf-8")
        one, stdout = run(project, output)
        print(f"3 one dataset changed:   {one:6.1f} s wall, build {reported(stdout)} ({dataset})")
        forced, stdout = run(project, output, "--force")
        print(f"4 --force (all rebuilt): {forced:6.1f} s wall, build {reported(stdout)}")
        print(f"  one-dataset change / full rebuild: {one / forced:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
