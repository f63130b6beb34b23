"""One language per Datasette page: Bahasa Indonesia by default, English one click away.

The choice travels in a cookie (`jendela_lang`), so every link Datasette writes (filters, facets,
paging, sort, the column menus) keeps it without our touching those links. A page's switch link
adds `?_lang=en` (or `id`): this wrapper answers it with a redirect to the same address without
the argument that sets the cookie, so `_lang` never reaches Datasette and no cached page is keyed
on it.

Caching: HTML answers carry `Vary: Cookie` and `Content-Language`, so a shared cache keeps the two
languages apart (the database is immutable and pages are sent with `Cache-Control: max-age`).
Nobody signs in here, so the cookie is the only one a page varies on. The redirect that sets the
cookie is `Cache-Control: no-store`. JSON, CSV and files are the same in both languages and do
not vary. The language in the URL path would have meant rewriting every link Datasette writes.
"""

from __future__ import annotations

from contextvars import ContextVar
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from ..core.bilingual import LANGUAGES

COOKIE = "jendela_lang"
SWITCH_ARG = "_lang"
DEFAULT = LANGUAGES[0]
COOKIE_MAX_AGE = 365 * 24 * 3600
current: ContextVar[str] = ContextVar("jendela_language", default=DEFAULT)


def language() -> str:
    """The language of the page being rendered (`id` or `en`)."""
    return current.get()


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def chosen(scope) -> str:
    """The language the request's cookie names; Indonesian without one (or with nonsense)."""
    cookie = SimpleCookie()
    try:
        cookie.load(_header(scope, b"cookie"))
    except Exception:  # a malformed Cookie header is the browser's business, not an error
        return DEFAULT
    value = cookie[COOKIE].value if COOKIE in cookie else DEFAULT
    return value if value in LANGUAGES else DEFAULT


def switch_url(path: str, query_string: str, lang: str) -> str:
    """The address of this page in `lang`: the same query with `_lang` set."""
    args = [(k, v) for k, v in parse_qsl(query_string, True) if k != SWITCH_ARG]
    return f"{path}?{urlencode([*args, (SWITCH_ARG, lang)])}"


async def _redirect(scope, send, lang: str, args: list[tuple[str, str]]) -> None:
    kept = urlencode([(k, v) for k, v in args if k != SWITCH_ARG])
    location = scope.get("root_path", "") + scope["path"] + (f"?{kept}" if kept else "")
    cookie = f"{COOKIE}={lang}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax"
    headers = [
        (b"location", location.encode("latin-1")),
        (b"set-cookie", cookie.encode("latin-1")),
        (b"cache-control", b"no-store"),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _with_vary(message: dict, lang: str) -> dict:
    headers = list(message.get("headers", []))
    kinds = [v for k, v in headers if k.lower() == b"content-type"]
    if not kinds or not kinds[0].startswith(b"text/html"):
        return message
    vary = [t.strip() for k, v in headers if k.lower() == b"vary" for t in v.split(b",")]
    if b"cookie" not in {t.lower() for t in vary}:
        headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
        headers.append((b"vary", b", ".join([*vary, b"Cookie"])))
    headers.append((b"content-language", lang.encode()))
    return {**message, "headers": headers}


def language_wrapper(app):
    """ASGI: `?_lang=` sets the cookie (redirect); every request renders in the cookie's
    language."""

    async def handler(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
        wanted = [v for k, v in args if k == SWITCH_ARG]
        if wanted and scope["method"] in ("GET", "HEAD"):
            lang = wanted[-1] if wanted[-1] in LANGUAGES else DEFAULT
            await _redirect(scope, send, lang, args)
            return
        lang = chosen(scope)
        token = current.set(lang)

        async def send_varied(message):
            if message["type"] == "http.response.start":
                message = _with_vary(message, lang)
            await send(message)

        try:
            await app(scope, receive, send_varied)
        finally:
            current.reset(token)

    return handler
