"""The studio's HTTP side: the FastAPI app over a Studio (settings, job store, planner, workers).

The server never renders: it checks input, stores the job, and answers; worker processes
(worker.py) do the work. The routes are module functions (routes_jobs.py for the API,
routes_files.py for videos and the page) over the Studio object (studio.py). Every error the
user can fix is a 4xx with {"error": "one sentence"}.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

# This module is imported only by create_app in __init__.py, which turns a missing FastAPI
# into an install hint.
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .forms import ApiError
from .guard import TokenGuard
from .routes_files import files_router
from .routes_jobs import jobs_router
from .studio import Studio


def create_app(
    data_dir: str | Path,
    *,
    workers: int = 1,
    token: str | None = None,
    max_upload_mb: float = 50,
    start_workers: bool = True,
):
    """The studio as an ASGI app. Workers start (and stale jobs are recovered) with the app's lifespan."""
    from .. import __version__

    studio = Studio(Path(data_dir), workers=workers, max_upload_mb=max_upload_mb, start_workers=start_workers)
    app = FastAPI(
        title="stillmotion studio",
        version=__version__,
        description="Turn a still photo into a short living video: submit jobs, follow their progress, fetch the videos.",
        lifespan=_lifespan,
    )
    app.state.studio = studio
    if token:
        app.add_middleware(TokenGuard, token=token)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.include_router(jobs_router())
    app.include_router(files_router())
    return app


@asynccontextmanager
async def _lifespan(app):
    studio: Studio = app.state.studio
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
    return JSONResponse(body, status_code=exc.status)


async def http_error(request, exc):
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and message == "Not Found":
        message = f"nothing at {request.url.path}"
    return JSONResponse({"error": message}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def validation_error(request, exc):
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"] if p not in ("query", "path", "body"))
        parts.append(f"{where}: {error['msg']}")
    return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)
