"""The studio's REST API for jobs and plans: queue, follow, list, cancel, plan without rendering.

Module functions over the Studio (studio.py); create_app registers them with jobs_router().
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..encode import FORMATS
from .forms import ApiError, error_responses, form_openapi, read_form, video_openapi
from .store import Job
from .studio import VIDEO_UPLOAD_FACTOR, Studio

MAX_LIMIT = 100
MAX_OFFSET = 2**31 - 1


async def studio_of(request: Request) -> Studio:
    """The Studio this request's app serves (a FastAPI dependency; async, so FastAPI resolves it on
    the event loop instead of sending every request through a worker thread for it)."""
    return request.app.state.studio


async def create_job(request: Request, studio: Studio = Depends(studio_of)):
    """Queue a video: a photo and options (or a full plan). Answers 202 with the job's id."""
    studio.check_writable()
    async with studio.upload_slot():
        form = await read_form(request, studio.tmp_dir, studio.job_files, idle_s=studio.upload_idle_s)
        job = await run_in_threadpool(studio.submit, form)
    return JSONResponse(
        {"id": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"},
        status_code=202,
        headers={"Location": f"/api/jobs/{job.id}"},
    )


def list_jobs(limit: int = 20, offset: int = 0, studio: Studio = Depends(studio_of)):
    """Jobs, newest first, `limit` (1 to 100) at a time from `offset` (0 to 2^31 - 1)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, f"limit: {limit} is out of range; use 1 to {MAX_LIMIT}", "limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise ApiError(422, f"offset: {str(offset)[:20]} is out of range; use 0 to {MAX_OFFSET}", "offset")
    jobs, total = studio.store.list(limit=limit, offset=offset)
    following = offset + limit
    return {
        "jobs": [job_json(j, studio) for j in jobs],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": f"/api/jobs?limit={limit}&offset={following}" if following < total else None,
    }


async def get_job(job_id: str, studio: Studio = Depends(studio_of)):
    """A job's status, progress (0 to 1), error, plan and video URL."""
    # The hottest call, answered on the event loop: one indexed read on a kept-open WAL
    # connection (~0.2 ms; readers never wait for writers), no hop to a worker thread.
    return JSONResponse(job_json(studio.find(job_id), studio))


async def job_events(job_id: str, request: Request, studio: Studio = Depends(studio_of)):
    """Server-sent events: the job (as GET /api/jobs/{id} gives it) each time it changes, until it ends."""
    await run_in_threadpool(studio.find, job_id)
    return StreamingResponse(_events(studio, job_id, request), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(studio: Studio, job_id: str, request: Request):
    yield "retry: 2000\n\n"
    last, beat = None, time.monotonic()
    while True:
        job = studio.store.get(job_id)  # as in get_job: a read this cheap stays on the loop
        if job is None:
            yield 'event: gone\ndata: {"error": "the job was deleted"}\n\n'
            return
        data = json.dumps(job_json(job, studio))
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


def delete_job(job_id: str, studio: Studio = Depends(studio_of)):
    """Cancel a queued or running job (a running render stops within a moment); delete a finished one."""
    job = studio.find(job_id)
    if job.final:
        studio.store.delete(job.id)
        return {"id": job.id, "status": "deleted"}
    job = studio.store.cancel(job.id)
    if job.status == "running":
        return JSONResponse({"id": job.id, "status": "cancelling"}, status_code=202)
    return {"id": job.id, "status": job.status}


async def plan(request: Request, studio: Studio = Depends(studio_of)):
    """The plan (and its explanation) for a photo, prompt and options, without rendering."""
    async with studio.upload_slot():
        form = await read_form(request, studio.tmp_dir, studio.job_files, idle_s=studio.upload_idle_s)
    return await run_in_threadpool(studio.plan_now, form)


async def plan_from_video(request: Request, studio: Studio = Depends(studio_of)):
    """The plan a video made by stillmotion carries (MP4, WebM or GIF), to edit and render again:
    with `photo_job`, a stored job whose photo the plan was made from (null: send the photo), and
    `audio_found`, whether the plan's own audio file is one the studio stored. Only the container's
    metadata is read; the video is not kept."""
    async with studio.upload_slot():
        form = await read_form(request, studio.tmp_dir, studio.video_files, idle_s=studio.upload_idle_s)
    return await run_in_threadpool(studio.plan_from_video, form)


def info(studio: Studio = Depends(studio_of)):
    """What this server accepts (each form option's type, range, choices and default, for clients
    building forms; the neural models and which make sound) and how busy it is."""
    from .. import __version__
    from ..engines.models import MODELS
    from ..options import FORM, options_for

    form = options_for(FORM)
    return {
        "version": __version__,
        "workers": studio.workers,
        "max_upload_mb": studio.max_upload_mb,
        "max_video_mb": studio.max_upload_mb * VIDEO_UPLOAD_FACTOR,
        "jobs": studio.store.counts(),
        "options": {o.name: o.json_schema(known_only=True) for o in form},
        "choices": {o.name: list(o.choices) for o in form if o.choices},
        # The page offers the neural engine only where it is installed, and "the model's sound" only
        # for models that make one.
        "neural_installed": neural_installed(),
        "models": {name: {"audio": spec.audio, "note": spec.note} for name, spec in MODELS.items()},
    }


@cache
def neural_installed() -> bool:
    """torch and diffusers are importable (looked up, not imported: the server never loads them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "diffusers"))


def jobs_router() -> APIRouter:
    router = APIRouter()
    # Every answer may be refused by the guards (400 host, 403 other site, 401 token) or fail on
    # the server's side (500, 503; 507 where something is stored).
    common = (400, 401, 500, 503)
    upload = (*common, 403, 408, 413, 415, 422, 507)
    router.add_api_route("/api/jobs", create_job, methods=["POST"], status_code=202, tags=["jobs"],
                         openapi_extra=form_openapi(), responses=error_responses(*upload, 404, 410))
    router.add_api_route("/api/jobs", list_jobs, methods=["GET"], tags=["jobs"], responses=error_responses(*common, 422))
    router.add_api_route("/api/jobs/{job_id}", get_job, methods=["GET"], tags=["jobs"], responses=error_responses(*common, 404))
    router.add_api_route("/api/jobs/{job_id}/events", job_events, methods=["GET"], tags=["jobs"],
                         responses=error_responses(*common, 404))
    router.add_api_route("/api/jobs/{job_id}", delete_job, methods=["DELETE"], tags=["jobs"],
                         responses=error_responses(*common, 403, 404))
    router.add_api_route("/api/plan", plan, methods=["POST"], tags=["plan"], openapi_extra=form_openapi(),
                         responses=error_responses(*upload, 404, 410))
    router.add_api_route("/api/plan/from-video", plan_from_video, methods=["POST"], tags=["plan"],
                         openapi_extra=video_openapi(), responses=error_responses(*upload))
    router.add_api_route("/api/info", info, methods=["GET"], tags=["server"], responses=error_responses(*common))
    return router


def job_json(job: Job, studio: Studio) -> dict:
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
        "media_type": FORMATS[job.format].media_type,  # an image/ type (GIF) is shown as an image
        "plan": _public_plan(job.plan),
        "attempts": job.attempts,
        "video_url": f"/api/jobs/{job.id}/video" if done else None,
        # The worker makes the thumbnail when it takes the job (the server never decodes a photo).
        "thumbnail_url": f"/api/jobs/{job.id}/thumbnail" if studio.store.thumb_path(job.id).exists() else None,
    }


def _public_plan(plan: dict | None) -> dict | None:
    # The server's storage paths are not the client's business: show the stored names only
    # (a plan sent back names its audio file so, and the studio finds it among its own).
    if plan is None:
        return None
    public = {**plan, "photo": Path(plan["photo"]).name}
    if plan.get("audio", {}).get("file"):
        public["audio"] = {**plan["audio"], "file": Path(plan["audio"]["file"]).name}
    return public


def _iso(stamp: float | None) -> str | None:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if stamp else None
