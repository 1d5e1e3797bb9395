"""The studio's HTTP side: the REST API and the page, over the job store and the worker pool.

The server never renders: it checks input, stores the job, and answers; worker processes
(worker.py) do the work. Every error the user can fix is a 4xx with {"error": "one sentence"}.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import re
import shutil
import time
from datetime import datetime, timezone
from contextlib import asynccontextmanager
from pathlib import Path

# This module is imported only by create_app in __init__.py, which turns a missing FastAPI
# into an install hint; FastAPI resolves the handlers' annotations from these globals.
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .forms import ApiError, Form, check_known, read_engine, read_form, read_format, read_options, read_prompt
from .store import Job, Store, new_job_id
from .worker import Planner

STATIC = Path(__file__).parent / "static"
ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
MEDIA_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}
PHOTO_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp", "HEIF": ".heic", "GIF": ".gif"}
TOKEN_COOKIE = "stillmotion_token"


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
    from ..plan import ASPECTS, CAMERA_TYPES, FPS_CHOICES, RESOLUTIONS
    from .worker import WorkerPool

    store = Store(data_dir)
    max_bytes = int(max_upload_mb * 1024 * 1024)
    planner = Planner()  # POST /api/plan: analysis in a child process, one request at a time

    @asynccontextmanager
    async def lifespan(app):
        recovered = store.recover()
        app.state.recovered = recovered
        pool = WorkerPool(data_dir, workers, store) if start_workers else None
        app.state.pool = pool
        if pool:
            pool.start()
        try:
            yield
        finally:
            planner.close()
            if pool:
                await run_in_threadpool(pool.stop)

    app = FastAPI(
        title="stillmotion studio",
        version=__version__,
        description="Turn a still photo into a short living video: submit jobs, follow their progress, fetch the videos.",
        lifespan=lifespan,
    )
    app.state.store = store
    if token:
        app.add_middleware(TokenGuard, token=token)

    # --- errors: always {"error": "..."} ------------------------------------------------
    @app.exception_handler(ApiError)
    async def api_error(request, exc: ApiError):
        body = {"error": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc):
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"] if p not in ("query", "path", "body"))
            parts.append(f"{where}: {error['msg']}")
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)

    # --- helpers ---------------------------------------------------------------------------
    def find(job_id: str) -> Job:
        job = store.get(job_id) if ID_PATTERN.match(job_id) else None
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r}")
        return job

    def accept_photo(form: Form, job_id: str | None):
        """Check the uploaded file is a usable photo; keep it under a generated name (and a thumbnail)."""
        from PIL import Image

        from ..errors import PhotoError
        from ..photo import load_photo

        if form.file_path is None:
            raise ApiError(422, "a photo is required: send it as the multipart file field 'photo'", "photo")
        if form.file_size == 0:
            form.discard()
            raise ApiError(400, "the photo file is empty", "photo")
        try:
            photo = load_photo(form.file_path)
            with Image.open(form.file_path) as image:
                ext = PHOTO_EXTENSIONS.get(image.format or "", ".img")
        except PhotoError as exc:
            form.discard()
            message = str(exc).replace(str(form.file_path), repr(form.filename or "photo"))
            raise ApiError(400, message, "photo") from None
        except Exception as exc:  # Pillow can fail in many ways on hostile files
            form.discard()
            raise ApiError(400, f"the photo cannot be read ({exc.__class__.__name__})", "photo") from None
        if job_id is None:
            return photo, form.file_path
        stored = store.upload_path(job_id, ext)
        os.replace(form.file_path, stored)
        form.file_path = None
        save_thumbnail(photo.pixels, store.thumb_path(job_id))
        return photo, stored

    def read_plan(text: str, photo, stored: Path):
        from ..errors import PlanError
        from ..plan import Plan

        try:
            plan = Plan.from_json(text)
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None
        check_plan_paths(plan)
        if plan.photo_sha256 and plan.photo_sha256 != photo.sha256:
            raise ApiError(422, "the plan was made for a different photo (its photo_sha256 differs); send the photo it was made from", "plan")
        try:
            plan = plan.with_changes(photo=str(stored), photo_sha256=photo.sha256)
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None
        return plan

    def reuse_photo(source_id: str, job_id: str):
        """The photo of an earlier job (another variant, an edited plan) for a new job, without re-uploading."""
        from ..photo import load_photo

        source = find(source_id)
        old = Path(source.photo)
        if not old.exists():
            raise ApiError(410, f"the photo of job {source_id!r} is gone; upload it again", "photo_from")
        stored = store.upload_path(job_id, old.suffix)
        try:
            os.link(old, stored)  # one file, two names: deleting either job keeps the other's photo
        except OSError:
            shutil.copyfile(old, stored)
        if store.thumb_path(source_id).exists():
            shutil.copyfile(store.thumb_path(source_id), store.thumb_path(job_id))
        return load_photo(stored), stored

    def submit(form: Form) -> Job:
        fields = form.fields
        try:
            check_known(fields)
            prompt, fmt = read_prompt(fields), read_format(fields)
            plan_text = fields.get("plan", "").strip()
            options = read_options(fields)
            if plan_text and options:
                raise ApiError(422, f"send either a plan or options ({', '.join(options)}), not both", "plan")
            options.update(read_engine(fields))  # kept with the options; the worker hands them to render()
            job_id = new_job_id()
            source = fields.get("photo_from", "").strip()
            if source and form.file_path is not None:
                raise ApiError(422, "send either a photo or photo_from, not both", "photo_from")
            photo, stored = reuse_photo(source, job_id) if source else accept_photo(form, job_id)
        finally:
            form.discard()
        try:
            plan = read_plan(plan_text, photo, stored) if plan_text else None
        except ApiError:
            stored.unlink(missing_ok=True)
            store.thumb_path(job_id).unlink(missing_ok=True)
            raise
        if plan is not None:
            prompt = plan.prompt
        return store.create(job_id, photo=stored, prompt=prompt, options=options, plan=plan.to_dict() if plan else None, fmt=fmt)

    def make_plan_now(form: Form) -> dict:
        from ..errors import StillmotionError

        try:
            check_known(form.fields)
            prompt, options = read_prompt(form.fields), read_options(form.fields)
            photo, path = accept_photo(form, None)
            plan = planner.plan(str(path), prompt, options)
        except StillmotionError as exc:
            raise ApiError(422, str(exc)) from None
        except RuntimeError as exc:
            raise ApiError(500, str(exc)) from None
        finally:
            form.discard()
        # The server's temporary path means nothing to the client: show the name it sent.
        plan["photo"] = form.filename or "photo"
        return {"plan": plan, "explanation": plan["explanation"]}

    # --- the API ---------------------------------------------------------------------------
    form_doc = {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "photo": {"type": "string", "format": "binary", "description": "JPEG, PNG, WebP, TIFF, BMP or HEIC"},
                            "prompt": {"type": "string", "description": "what should move, in words"},
                            "duration": {"type": "number", "minimum": 1, "maximum": 60},
                            "aspect": {"type": "string", "enum": list(ASPECTS)},
                            "resolution": {"type": "integer", "enum": list(RESOLUTIONS)},
                            "fps": {"type": "integer", "enum": list(FPS_CHOICES)},
                            "seed": {"type": "integer", "minimum": 0, "maximum": 2**32 - 1},
                            "loop": {"type": "boolean"},
                            "camera": {"type": "string", "enum": list(CAMERA_TYPES)},
                            "strength": {"type": "number", "minimum": 0, "maximum": 1},
                            "fit": {"type": "string", "enum": ["crop", "blur"]},
                            "format": {"type": "string", "enum": ["mp4", "webm", "gif"]},
                            "plan": {"type": "string", "description": "a full plan as JSON (instead of the options)"},
                            "photo_from": {"type": "string", "description": "id of an earlier job whose photo to use (instead of 'photo')"},
                        },
                    }
                }
            },
        }
    }

    @app.post("/api/jobs", status_code=202, openapi_extra=form_doc, tags=["jobs"])
    async def create_job(request: Request):
        """Queue a video: a photo and options (or a full plan). Answers 202 with the job's id."""
        form = await read_form(request, store.root / "tmp", max_bytes)
        job = await run_in_threadpool(submit, form)
        return JSONResponse(
            {"id": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"},
            status_code=202,
            headers={"Location": f"/api/jobs/{job.id}"},
        )

    @app.get("/api/jobs", tags=["jobs"])
    def list_jobs(limit: int = 20, offset: int = 0):
        """Jobs, newest first, `limit` (1 to 100) at a time from `offset`."""
        if not 1 <= limit <= 100:
            raise ApiError(422, f"limit: {limit} is out of range; use 1 to 100", "limit")
        if offset < 0:
            raise ApiError(422, f"offset: {offset} must not be negative", "offset")
        jobs, total = store.list(limit=limit, offset=offset)
        following = offset + limit
        return {
            "jobs": [job_json(j) for j in jobs],
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": f"/api/jobs?limit={limit}&offset={following}" if following < total else None,
        }

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    async def get_job(job_id: str):
        """A job's status, progress (0 to 1), error, plan and video URL."""
        # The hottest call, answered on the event loop: one indexed read on a kept-open WAL
        # connection (~0.2 ms; readers never wait for writers), no hop to a worker thread.
        return JSONResponse(job_json(find(job_id)))

    @app.get("/api/jobs/{job_id}/events", tags=["jobs"])
    async def job_events(job_id: str, request: Request):
        """Server-sent events: the job (as GET /api/jobs/{id} gives it) each time it changes, until it ends."""
        await run_in_threadpool(find, job_id)

        async def stream():
            yield "retry: 2000\n\n"
            last, beat = None, time.monotonic()
            while True:
                job = store.get(job_id)  # as in get_job: a read this cheap stays on the loop
                if job is None:
                    yield 'event: gone\ndata: {"error": "the job was deleted"}\n\n'
                    return
                data = json.dumps(job_json(job))
                if data != last:
                    yield f"data: {data}\n\n"
                    last, beat = data, time.monotonic()
                if job.final:
                    yield f"event: end\ndata: {data}\n\n"
                    return
                if time.monotonic() - beat > 15:
                    yield ": still working\n\n"  # keeps proxies from closing a quiet stream
                    beat = time.monotonic()
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.25)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/api/jobs/{job_id}/video", tags=["jobs"])
    def job_video(job_id: str, download: bool = False):
        """The finished video (range requests supported, so players can seek)."""
        job = find(job_id)
        if job.status != "done" or not job.video:
            raise ApiError(409, f"job {job_id} has no video yet (status: {job.status})")
        path = Path(job.video)
        if not path.exists():
            raise ApiError(410, f"the video of job {job_id} is missing from the data folder")
        return FileResponse(
            path,
            media_type=MEDIA_TYPES[job.format],
            filename=f"stillmotion-{job_id}.{job.format}",
            content_disposition_type="attachment" if download else "inline",
        )

    @app.get("/api/jobs/{job_id}/thumbnail", tags=["jobs"])
    def job_thumbnail(job_id: str):
        """A small JPEG of the job's photo (for galleries)."""
        path = store.thumb_path(find(job_id).id)
        if not path.exists():
            raise ApiError(404, f"job {job_id} has no thumbnail")
        return FileResponse(path, media_type="image/jpeg")

    @app.delete("/api/jobs/{job_id}", tags=["jobs"])
    def delete_job(job_id: str):
        """Cancel a queued or running job (a running render stops within a moment); delete a finished one."""
        job = find(job_id)
        if job.final:
            store.delete(job.id)
            return {"id": job.id, "status": "deleted"}
        job = store.cancel(job.id)
        if job.status == "running":
            return JSONResponse({"id": job.id, "status": "cancelling"}, status_code=202)
        return {"id": job.id, "status": job.status}

    @app.post("/api/plan", openapi_extra=form_doc, tags=["plan"])
    async def plan(request: Request):
        """The plan (and its explanation) for a photo, prompt and options, without rendering."""
        form = await read_form(request, store.root / "tmp", max_bytes)
        return await run_in_threadpool(make_plan_now, form)

    @app.get("/api/info", tags=["server"])
    def info():
        """What this server accepts (for clients building forms) and how busy it is."""
        return {
            "version": __version__,
            "workers": workers,
            "max_upload_mb": max_upload_mb,
            "jobs": store.counts(),
            "choices": {
                "aspect": list(ASPECTS), "resolution": list(RESOLUTIONS), "fps": list(FPS_CHOICES),
                "camera": list(CAMERA_TYPES), "format": ["mp4", "webm", "gif"],
            },
        }

    # --- the page ----------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index():
        if not (STATIC / "index.html").is_file():
            raise ApiError(500, "the studio page's files are missing from this installation; reinstall: pip install 'stillmotion[server]'")
        return FileResponse(STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise ApiError(404, f"no file {name!r}")
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return app


SAFE_DEPTHS = ("classical", "auto", "onnx", "neural", "depth-anything")


def check_plan_paths(plan) -> None:
    """A plan from a client names no files on the server: no mask images, no model paths of its own.

    (The server would read them: a mask path could expose any image on this machine.)
    """
    if plan.depth not in SAFE_DEPTHS:
        from ..analysis.depth import default_model_path

        if Path(plan.depth).expanduser() != default_model_path():
            raise ApiError(422, f"depth: {plan.depth!r} is not allowed here; a plan sent to the studio may use {', '.join(SAFE_DEPTHS)}", "plan")
    for index, effect in enumerate(plan.effects):
        for key in ("region", "freeze"):
            region = getattr(effect, key)
            if region is not None and region.mask is not None:
                raise ApiError(422, f"effects.{index}.{key}.mask: mask files cannot be sent to the studio; use a named region or a polygon", "plan")


def job_json(job: Job) -> dict:
    done = job.status == "done"
    return {
        "id": job.id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "stage": job.stage,
        "error": job.error if job.status in ("failed", "cancelled") else None,
        "note": job.error if job.status not in ("failed", "cancelled") else None,
        "created": _iso(job.created),
        "started": _iso(job.started),
        "finished": _iso(job.finished),
        "prompt": job.prompt,
        "options": job.options,
        "format": job.format,
        "plan": _public_plan(job.plan),
        "attempts": job.attempts,
        "video_url": f"/api/jobs/{job.id}/video" if done else None,
        "thumbnail_url": f"/api/jobs/{job.id}/thumbnail",
    }


def _public_plan(plan: dict | None) -> dict | None:
    # The server's storage path is not the client's business: show the stored name only.
    if plan is None:
        return None
    return {**plan, "photo": Path(plan["photo"]).name}


def _iso(stamp: float | None) -> str | None:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if stamp else None


def save_thumbnail(pixels, path: Path, long_side: int = 480) -> None:
    import cv2

    h, w = pixels.shape[:2]
    scale = min(1.0, long_side / max(h, w))
    small = cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(path), cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 82])


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
