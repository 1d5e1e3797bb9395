"""The studio's guards: small ASGI wrappers in front of every route (pages, API, docs).

SiteGuard answers only to the studio's own host names (a DNS-rebinding page cannot reach it),
refuses changes (POST, DELETE) that a page from another site asks for, and adds the headers
that stop browsers guessing content types or leaking addresses. TokenGuard asks for the token.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs, urlsplit

TOKEN_COOKIE = "stillmotion_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# On every answer: no content-type guessing (an upload is never run as a script), no Referer
# sent from the studio's pages (its addresses may carry a token).
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


def allowed_hosts_for(listen: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The host names a studio listening on `listen` answers to: the loopback names, the address it
    listens on, and `extra`; "*" (any) when it listens on every address, where no list could be
    known in advance (such a studio needs a token)."""
    if listen in ("0.0.0.0", "::", ""):
        return ("*",)
    return tuple(dict.fromkeys(name.lower().strip("[]") for name in (*LOOPBACK_NAMES, listen, *extra) if name))


class SiteGuard:
    """Host allow-list, same-origin changes, and safety headers on every answer."""

    def __init__(self, app, allowed_hosts: tuple[str, ...] = LOOPBACK_NAMES):
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.allowed = frozenset(name.lower().strip("[]") for name in allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        refusal = None
        if not self.any_host and _hostname(host) not in self.allowed:
            refusal = (400, f"this studio does not answer to the host name {host[:80]!r}; "
                            "open it by the address it prints when it starts")
        elif scope["method"] not in SAFE_METHODS:
            refusal = _cross_site(headers, host)
        if refusal is not None:
            return await _send_json(send, *refusal)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _hostname(host: str) -> str:
    """The name in a Host header, without its port: 'localhost:8000' -> 'localhost', '[::1]:80' -> '::1'."""
    try:
        return (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:
        return ""


def _cross_site(headers: dict[str, str], host: str) -> tuple[int, str] | None:
    """A change asked by a page of another site: refused. Browsers name the page's origin (Origin, or
    at least Referer) on every POST and DELETE; clients without a browser send neither and pass."""
    origin = headers.get("origin")
    if origin is None and headers.get("referer"):
        parts = urlsplit(headers["referer"])
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin is None:
        return None
    try:
        netloc = urlsplit(origin).netloc.lower() if origin != "null" else None
    except ValueError:
        netloc = None
    if netloc == host.lower():  # the studio's own page (any scheme: a TLS proxy may sit in front)
        return None
    return 403, (f"refused: a page from another site ({origin[:80]}) asked this studio for a change; "
                 "use the studio's own page, or a client that is not a browser")


async def _send_json(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class TokenGuard:
    """Every request needs the token: `Authorization: Bearer T`, the studio cookie, or `?token=T`.

    Opening the page once as /?token=T sets the cookie and drops the token from the address,
    so the page's own requests (video, events) carry it without putting it in every URL.
    """

    def __init__(self, app, token: str):
        self.app = app
        self.token = token.encode()

    def _matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), self.token)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.requests import Request
        from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

        request = Request(scope)
        header = request.headers.get("authorization", "")
        query = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        if self._matches(query) and request.method == "GET" and scope["path"] == "/":
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, query, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        if (
            self._matches(header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None)
            or self._matches(request.cookies.get(TOKEN_COOKIE))
            or self._matches(query)
        ):
            return await self.app(scope, receive, send)
        message = "this studio needs a token: send 'Authorization: Bearer TOKEN', or open the page as /?token=TOKEN"
        if scope["path"] == "/":
            response = HTMLResponse(
                "<!doctype html><meta charset=utf-8><title>stillmotion studio</title>"
                "<body style='font:16px system-ui;margin:3em'><h1>stillmotion studio</h1>"
                "<p>This studio is protected by a token. Open it as <code>/?token=YOUR_TOKEN</code>.</p>",
                status_code=401,
            )
        else:
            response = JSONResponse({"error": message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)
