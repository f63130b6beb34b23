"""Release stage: a finished build replaces the published one in a single atomic step.

`build/` is a symbolic link to a release folder beside it (`.build-releases/<n>`). A build writes a
new release folder and only then swaps the link with os.replace, which is atomic on POSIX: readers
see the old release or the new one, never a half-written mix, and a build that fails before the swap
leaves the published release untouched.

What keeps that true when several processes meet at one output folder:
- one build at a time: `build_lock` holds an flock on `.build.lock` beside the link for the whole
  build; a second build stops with a clear message, or waits up to `--wait` seconds;
- a build publishes only over the release it started from (`publish(expected=...)`), so it can
  never silently revert a release another process published meanwhile;
- a release carries COMPLETE_MARKER, written last, before the swap: pruning and the rollback only
  count complete releases, and a build starts by removing the incomplete leftovers of killed
  builds (`clean_leftovers`). Pruning removes the marker first, so a prune killed halfway leaves
  an incomplete folder that the next build removes, never a half-deleted "rollback";
- a running server leases the release it serves (`lease`): a file named after its process id in
  `.served/`, which pruning respects while that process lives.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import JendelaError
from .layout import COMPLETE_MARKER, REPORTS, SITE, site_dir

KEEP_RELEASES = 2
# The names inside a release are core/layout.py's; these belong to the release mechanism.
LEASES = ".served"
PREFIX = "release-"
LOCK_POLL = 0.2  # seconds between attempts while a build waits for the lock


class BuildLockedError(JendelaError):
    """Another build holds the output folder's lock."""

    def __init__(self, output: Path, holder: str, waited: float):
        waited_text = ""
        if waited:
            waited_text = f" setelah menunggu {waited:g} detik / after waiting {waited:g} s"
        super().__init__(
            f"build lain sedang menulis ke {output} (proses {holder}){waited_text}; tunggu sampai "
            f"selesai atau jalankan lagi dengan --wait DETIK / another build is writing to "
            f"{output} (process {holder}){waited_text}; let it finish or run again with "
            "--wait SECONDS"
        )


class ReleaseConflictError(JendelaError):
    """The published release changed under a build: publishing would revert someone's work."""

    def __init__(self, output: Path, expected: Path | None, found: Path | None):
        def name(path: Path | None) -> str:
            return path.name if path else "(kosong / none)"

        super().__init__(
            f"{output} sekarang menunjuk ke {name(found)}, bukan {name(expected)} tempat build ini "
            f"mulai; build ini tidak diterbitkan agar rilis itu tidak tertimpa. Jalankan build "
            f"lagi / {output} now points at {name(found)}, not at {name(expected)} where this "
            "build started; this build was not published, so that release is not reverted. "
            "Run the build again"
        )


def releases_dir(output: Path) -> Path:
    # Resolved, so it compares equal to what current_release() resolves the link to.
    return output.parent.resolve() / f".{output.name}-releases"


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


def current_release(output: Path) -> Path | None:
    """The folder `output` points at now, or None when nothing was published yet."""
    if output.is_symlink():
        target = output.resolve()
        return target if target.is_dir() else None
    return output if output.is_dir() else None


def is_complete(release: Path) -> bool:
    return (release / COMPLETE_MARKER).is_file()


@contextlib.contextmanager
def build_lock(output: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the output folder's lock for a whole build; the kernel drops it if the process dies.

    `wait` seconds: how long to wait for another build to finish before BuildLockedError.
    """
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "?"
                    raise BuildLockedError(output, holder, wait) from None
                time.sleep(LOCK_POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_release(output: Path) -> Path:
    folder = releases_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder, prefix=PREFIX))


def clean_leftovers(output: Path) -> list[Path]:
    """Remove what killed builds left: incomplete releases and half-made links. Call under the
    lock, before a build starts. The published release and leased ones are never touched."""
    folder = releases_dir(output)
    if not folder.is_dir():
        return []
    keep = {current_release(output)} | leased_releases(output)
    removed = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".link-") and path.is_symlink():
            path.unlink()
        elif _is_release(path) and path not in keep and not is_complete(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def publish(output: Path, release: Path, expected: Path | None = None) -> None:
    """Mark `release` complete, point `output` at it atomically, then prune old releases.

    `expected`: the release the build started from; when `output` points elsewhere now, nothing is
    published (ReleaseConflictError) and the caller discards `release`.
    """
    found = current_release(output)
    if found != expected:
        raise ReleaseConflictError(output, expected, found)
    reports = release / REPORTS
    if (site_dir(release) / REPORTS).is_dir() and not reports.exists():
        reports.symlink_to(f"{SITE}/{REPORTS}")
    (release / COMPLETE_MARKER).touch()
    if output.exists() and not output.is_symlink():
        # A plain folder from an older layout: move it aside so the link can take its place.
        legacy = releases_dir(output) / f"{PREFIX}legacy"
        os.replace(output, legacy)
        (legacy / COMPLETE_MARKER).touch()
    link = release.parent / f".link-{release.name}"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, output.parent), link)
    os.replace(link, output)
    _prune(output, release)


def discard(release: Path) -> None:
    shutil.rmtree(release, ignore_errors=True)


def _is_release(path: Path) -> bool:
    return path.name.startswith(PREFIX) and path.is_dir() and not path.is_symlink()


def complete_releases(output: Path) -> list[Path]:
    """Complete releases beside `output`, oldest first (by the time they were marked complete)."""
    folder = releases_dir(output)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _is_release(p) and is_complete(p)]
    return sorted(found, key=lambda p: ((p / COMPLETE_MARKER).stat().st_mtime_ns, p.name))


def _prune(output: Path, keep: Path) -> None:
    """Keep the newest KEEP_RELEASES complete releases (the published one and its rollback) and
    every leased one; delete the rest, marker first."""
    complete = [p for p in complete_releases(output) if p != keep]
    protected = leased_releases(output)
    old = complete[: max(0, len(complete) + 1 - KEEP_RELEASES)]
    for path in old:
        if path in protected:
            continue
        (path / COMPLETE_MARKER).unlink(missing_ok=True)
        shutil.rmtree(path, ignore_errors=True)


# --- leases: the releases running servers use ----------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leased_releases(output: Path) -> set[Path]:
    """Releases named by the lease of a living process; leases of dead processes are removed."""
    folder = releases_dir(output) / LEASES
    if not folder.is_dir():
        return set()
    found: set[Path] = set()
    for path in folder.iterdir():
        if not path.name.isdigit():
            continue
        if not _alive(int(path.name)):
            path.unlink(missing_ok=True)
            continue
        with contextlib.suppress(FileNotFoundError):
            names = path.read_text().split()
            found |= {releases_dir(output) / name for name in names}
    return found


def lease(output: Path, releases: list[Path]) -> None:
    """Record that this process serves `releases` (replacing its earlier lease), atomically."""
    names = sorted({r.name for r in releases if r.parent == releases_dir(output)})
    if not names:  # a plain folder served (no release link): nothing to protect from pruning
        release_lease(output)
        return
    folder = releases_dir(output) / LEASES
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / str(os.getpid())
    temporary = folder / f".{os.getpid()}.tmp"
    temporary.write_text("".join(f"{n}\n" for n in names))
    os.replace(temporary, target)


def release_lease(output: Path) -> None:
    (releases_dir(output) / LEASES / str(os.getpid())).unlink(missing_ok=True)
