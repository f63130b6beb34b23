"""How `publish.py serve` runs Datasette on the published release and follows new ones.

`build/` is a link that each build swaps atomically (core/release.py). The server does not resolve
it once: every request looks at the link (one readlink), and when a new complete release appears,
a Datasette instance for it is started (its own metadata, inspect data and database, all through
Datasette's public constructor and ASGI lifespan) before requests move over. Requests already
running finish on the old instance, which is closed when the last of them ends. So a build never
costs a request: each one is answered whole by one release.

The server leases the releases it uses (core/release.py `lease`), so pruning never deletes a
release still open here; the lease goes when the server stops, and a dead server's lease is
ignored (its process id is gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..core import release as releases
from ..core.layout import (
    DATABASE_FILE,
    FACET_COUNTS_FILE,
    FACET_STORE_DIR,
    INSPECT_FILE,
    METADATA_FILE,
    SITE,
)
from ..core.model import read_yaml
from .layout import DATASETTE_STATIC, DATASETTE_TEMPLATES, ROOT, STATIC_MOUNT

CONFIG = ROOT / "datasette.yaml"
DB_FILE = DATABASE_FILE


class SettingError(ValueError):
    """A `--setting NAME VALUE` Datasette does not know, or a value of the wrong kind."""


def parse_settings(pairs: list[tuple[str, str]]) -> dict:
    """`--setting` pairs as typed Datasette settings (the types of Datasette's defaults)."""
    from datasette.app import DEFAULT_SETTINGS

    settings: dict = {}
    for name, value in pairs:
        if name not in DEFAULT_SETTINGS:
            raise SettingError(f"pengaturan Datasette tidak dikenal / unknown setting: {name}")
        default = DEFAULT_SETTINGS[name]
        if isinstance(default, bool):
            settings[name] = value.lower() in ("1", "on", "true", "yes")
        elif isinstance(default, int):
            if not value.isdigit():
                raise SettingError(f"{name}: harus bilangan bulat / must be an integer: {value}")
            settings[name] = int(value)
        else:
            settings[name] = value
    return settings


def make_datasette(release: Path, settings: dict, secret: str):
    """A Datasette instance on one release: read-only, CORS on, our parts mounted.

    immutable: the file is never written, so Datasette skips locking and caches counts;
    cors: the JSON API is for browsers on other sites too; inspect data: exact row counts.
    """
    from datasette.app import Datasette

    config = read_yaml(CONFIG) or {}
    config.setdefault("settings", {}).update(settings)
    config.setdefault("plugins", {})["jendela"] = {
        **(config["plugins"].get("jendela") or {}),
        "site_dir": str(release / SITE),
        "facet_counts": str(release / FACET_COUNTS_FILE),
        "facet_store": str(release / FACET_STORE_DIR),
    }
    inspect = release / INSPECT_FILE
    return Datasette(
        immutables=[str(release / DB_FILE)],
        config=config,
        metadata=json.loads((release / METADATA_FILE).read_text(encoding="utf-8")),
        inspect_data=json.loads(inspect.read_text()) if inspect.is_file() else None,
        template_dir=str(DATASETTE_TEMPLATES),
        static_mounts=[(STATIC_MOUNT, str(DATASETTE_STATIC))],
        cors=True,
        secret=secret,
    )


@dataclass
class Instance:
    """One release's Datasette, its ASGI app and the requests it is answering."""

    release: Path
    datasette: object
    app: object
    running: int = 0
    retired: bool = False
    lifespan: asyncio.Queue = field(default_factory=asyncio.Queue)
    task: asyncio.Task | None = None

    async def start(self) -> None:
        """Run the app's own startup through the ASGI lifespan protocol."""
        done: asyncio.Future = asyncio.get_running_loop().create_future()

        async def send(message):
            if message["type"].startswith("lifespan.startup") and not done.done():
                done.set_result(message)

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.lifespan.get, send))
        await self.lifespan.put({"type": "lifespan.startup"})
        message = await done
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(message.get("message", "startup failed"))

    async def stop(self) -> None:
        await self.lifespan.put({"type": "lifespan.shutdown"})
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, timeout=10)
        self.datasette.close()


class ReleaseFollower:
    """ASGI app: each request goes to the Datasette of the release `output` points at now."""

    def __init__(self, output: Path, settings: dict, secret: str | None = None):
        self.output = output
        self.settings = settings
        self.secret = secret or secrets.token_hex(32)  # one secret: signed values survive a switch
        self.current: Instance | None = None
        self.old: list[Instance] = []
        self.failed: set[Path] = set()
        self.switching = asyncio.Lock()

    def _published(self) -> Path | None:
        found = releases.current_release(self.output)
        if found is None or not (found / DB_FILE).is_file():
            return None
        if self.output.is_symlink() and not releases.is_complete(found):
            return None  # a release from before completion markers: served, never followed to
        return found

    def _lease(self) -> None:
        used = [i.release for i in [*self.old, self.current] if i is not None]
        releases.lease(self.output, used)

    async def _switch(self, release: Path) -> None:
        async with self.switching:
            if self.current is not None and self.current.release == release:
                return
            instance = None
            try:
                datasette = make_datasette(release, self.settings, self.secret)
                instance = Instance(release, datasette, datasette.app())
                previous, self.current = self.current, instance
                self._lease()  # before the first request reads it
                await instance.start()
            except Exception as exc:  # a broken release: keep serving the one we have
                self.failed.add(release)
                print(f"jendela: rilis {release} tidak bisa dilayani / cannot serve: {exc!r}",
                      file=sys.stderr, flush=True)  # fmt: skip
                if instance is not None and self.current is instance:
                    self.current = previous
                    self._lease()
                return
            if previous is not None:
                previous.retired = True
                self.old.append(previous)
                await self._reap()
            print(f"jendela: melayani / serving {release.name}", file=sys.stderr, flush=True)

    async def _reap(self) -> None:
        idle = [i for i in self.old if i.running == 0]
        self.old = [i for i in self.old if i.running]
        self._lease()
        for instance in idle:
            await instance.stop()

    async def _instance(self) -> Instance | None:
        release = self._published()
        if (
            release is not None
            and release not in self.failed
            and (self.current is None or release != self.current.release)
        ):
            await self._switch(release)
        return self.current

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        instance = await self._instance()
        if instance is None:
            await _unavailable(scope, send)
            return
        instance.running += 1
        try:
            await instance.app(scope, receive, send)
        finally:
            instance.running -= 1
            if instance.retired and instance.running == 0:
                await self._reap()

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self._instance()
                if self.current is None:
                    await send({"type": "lifespan.startup.failed", "message": "no release"})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for instance in [*self.old, self.current]:
                    if instance is not None:
                        await instance.stop()
                releases.release_lease(self.output)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _unavailable(scope, send) -> None:
    if scope["type"] != "http":
        return
    body = b"Belum ada rilis yang diterbitkan / No release is published yet\n"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})


# Compression: pages and JSON are text that shrinks 5-10x; level 5 costs a fraction of level 9's
# CPU for nearly the same size, and this server is CPU-bound. Downloads are not compressed here:
# most are zip, Parquet or XLSX already, and a CSV is better compressed once by a proxy or CDN
# that caches it (docs/deploy.md) than again for every request.
GZIP_LEVEL = 5
GZIP_MINIMUM_BYTES = 1024
UNCOMPRESSED_PREFIXES = ("/downloads/",)

# How a worker process learns what to serve: uvicorn starts workers from an import string, so the
# parent passes output, settings and the shared secret in the environment.
WORKER_ENV = "JENDELA_SERVE_WORKER"


def compressed(app):
    """`app` answering with gzip when the client accepts it, except under UNCOMPRESSED_PREFIXES.

    asgi-gzip (Starlette's GZipMiddleware as its own package) does the compressing."""
    from asgi_gzip import GZipMiddleware

    gzipped = GZipMiddleware(app, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)

    async def choose(scope, receive, send):
        plain = scope["type"] != "http" or scope["path"].startswith(UNCOMPRESSED_PREFIXES)
        await (app if plain else gzipped)(scope, receive, send)

    return choose


def worker_app():
    """uvicorn's factory in each worker process: its own follower of the same release link, with
    the secret every worker shares (a value signed by one is read by another)."""
    spec = json.loads(os.environ[WORKER_ENV])
    return compressed(ReleaseFollower(Path(spec["output"]), spec["settings"], spec["secret"]))


def run(output: Path, host: str, port: int, settings: dict, workers: int = 1) -> None:
    """Serve `output` (the build link) until stopped, following every new release.

    With `workers` > 1, uvicorn's own supervisor runs that many processes on one socket (the
    release is immutable and each worker leases what it serves, so they share nothing else)."""
    import uvicorn

    spec = {"output": str(output), "settings": settings, "secret": secrets.token_hex(32)}
    os.environ[WORKER_ENV] = json.dumps(spec)
    try:
        # One worker runs in this process; more run under uvicorn's supervisor.
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            lifespan="on",
        )
    finally:
        releases.release_lease(output)
