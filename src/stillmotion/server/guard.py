"""The studio's token check: a small ASGI wrapper in front of every route (pages, API, docs)."""

from __future__ import annotations

import hmac

TOKEN_COOKIE = "stillmotion_token"


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
        from urllib.parse import parse_qs

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
