"""The studio's HTTP side: the FastAPI app over a Studio (settings, job store, planner, workers).

The server never renders, nor decodes a photo, an audio file or a video: it checks input, stores
the job, and answers; worker processes and the planning process (worker.py) do the work. The routes are module functions (routes_jobs.py for
the API, routes_files.py for videos and the page) over the Studio object (studio.py). Every
error is JSON with one sentence, {"error": "..."}: 4xx for what the user can fix, 503 or 507
for the server's own trouble (a read-only data folder, a full disk), 500 for a bug.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path

# This module is imported only by create_app in __init__.py, which turns a missing FastAPI
# into an install hint.
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import StudioError
from . import faults
from .forms import UPLOAD_IDLE_S, ApiError
from .guard import LOOPBACK_NAMES, SiteGuard, TokenGuard
from .routes_files import files_router
from .routes_jobs import jobs_router
from .studio import Studio

log = logging.getLogger("stillmotion.server")


def create_app(
    data_dir: str | Path,
    *,
    workers: int = 1,
    token: str | None = None,
    max_upload_mb: float = 50,
    start_workers: bool = True,
    allowed_hosts: tuple[str, ...] = LOOPBACK_NAMES,
    upload_idle_s: float = UPLOAD_IDLE_S,
):
    """The studio as an ASGI app. Workers start (and stale jobs are recovered) with the app's lifespan.

    allowed_hosts: the host names it answers to ("*": any; see guard.allowed_hosts_for). Raises
    StudioError, one line, for a data folder it must not use (another studio's, a damaged store).
    """
    from .. import __version__

    if token is not None and not token.strip():
        raise StudioError("an empty token would let anyone in; give a real one, or none at all")
    studio = Studio(Path(data_dir), workers=workers, max_upload_mb=max_upload_mb, start_workers=start_workers,
                    upload_idle_s=upload_idle_s)
    app = FastAPI(
        title="stillmotion studio",
        version=__version__,
        description="Turn a still photo into a short living video: submit jobs, follow their progress, fetch the videos.",
        lifespan=_lifespan,
    )
    app.state.studio = studio
    if token:
        app.add_middleware(TokenGuard, token=token)
    app.add_middleware(SiteGuard, allowed_hosts=tuple(allowed_hosts))  # outermost: before the token is even read
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OSError, server_fault)
    app.add_exception_handler(sqlite3.Error, server_fault)
    app.add_exception_handler(Exception, internal_error)  # anything else: a bug, still answered in JSON
    routers = (jobs_router(), files_router())
    for router in routers:
        app.include_router(router)
    app.state.routes = [route for router in routers for route in router.routes]  # for complete Allow headers
    return app


@asynccontextmanager
async def _lifespan(app):
    studio: Studio = app.state.studio
    for warning in studio.warnings:
        log.warning("%s", warning)
    app.state.recovered = studio.start()
    try:
        yield
    finally:
        await run_in_threadpool(studio.stop)


# --- errors: always {"error": "..."} --------------------------------------------------------
async def api_error(request, exc: ApiError):
    body = {"error": exc.message}
    if exc.field:
        body["field"] = exc.field
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def http_error(request, exc):
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 404 and message == "Not Found":
        message = f"nothing at {request.url.path}"
    if exc.status_code == 405:
        allowed = _methods_at(request)
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed at {request.url.path}; use {', '.join(allowed)}"
    return JSONResponse({"error": message}, status_code=exc.status_code, headers=headers)


def _methods_at(request) -> list[str]:
    """Every method some route takes at this path (each route knows only its own)."""
    methods: set[str] = set()
    for route in [*request.app.router.routes, *request.app.state.routes]:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def validation_error(request, exc):
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"] if p not in ("query", "path", "body"))
        parts.append(f"{where}: {error['msg']}")
    return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)


async def server_fault(request, exc: Exception):
    """The server's own trouble, in one sentence: a full disk (507), a data folder or job store that
    cannot be written (503), or a bug (500; its traceback goes to the log)."""
    known = faults.describe(exc)
    if known is None:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        known = 500, f"internal error ({exc.__class__.__name__}); the server's log has the details"
    else:
        log.warning("%s %s: %s (%s)", request.method, request.url.path, known[1], exc)
    return JSONResponse({"error": known[1]}, status_code=known[0])


async def internal_error(request, exc: Exception):
    """A bug, answered in JSON. (Starlette raises it on afterwards, so the server logs its traceback.)"""
    known = faults.describe(exc)  # a MemoryError, say, is not a bug
    status, message = known or (500, f"internal error ({exc.__class__.__name__}); the server's log has the details")
    return JSONResponse({"error": message}, status_code=status)
