"""The studio's REST API for jobs and plans: queue, follow, list, cancel, plan without rendering.

Module functions over the Studio (studio.py); create_app registers them with jobs_router().
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..encode import FORMATS
from .forms import ApiError, form_openapi, read_form
from .store import Job
from .studio import Studio


async def studio_of(request: Request) -> Studio:
    """The Studio this request's app serves (a FastAPI dependency; async, so FastAPI resolves it on
    the event loop instead of sending every request through a worker thread for it)."""
    return request.app.state.studio


async def create_job(request: Request, studio: Studio = Depends(studio_of)):
    """Queue a video: a photo and options (or a full plan). Answers 202 with the job's id."""
    form = await read_form(request, studio.tmp_dir, studio.max_upload_bytes)
    job = await run_in_threadpool(studio.submit, form)
    return JSONResponse(
        {"id": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"},
        status_code=202,
        headers={"Location": f"/api/jobs/{job.id}"},
    )


def list_jobs(limit: int = 20, offset: int = 0, studio: Studio = Depends(studio_of)):
    """Jobs, newest first, `limit` (1 to 100) at a time from `offset`."""
    if not 1 <= limit <= 100:
        raise ApiError(422, f"limit: {limit} is out of range; use 1 to 100", "limit")
    if offset < 0:
        raise ApiError(422, f"offset: {offset} must not be negative", "offset")
    jobs, total = studio.store.list(limit=limit, offset=offset)
    following = offset + limit
    return {
        "jobs": [job_json(j) for j in jobs],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": f"/api/jobs?limit={limit}&offset={following}" if following < total else None,
    }


async def get_job(job_id: str, studio: Studio = Depends(studio_of)):
    """A job's status, progress (0 to 1), error, plan and video URL."""
    # The hottest call, answered on the event loop: one indexed read on a kept-open WAL
    # connection (~0.2 ms; readers never wait for writers), no hop to a worker thread.
    return JSONResponse(job_json(studio.find(job_id)))


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
    form = await read_form(request, studio.tmp_dir, studio.max_upload_bytes)
    return await run_in_threadpool(studio.plan_now, form)


def info(studio: Studio = Depends(studio_of)):
    """What this server accepts (each form option's type, range, choices and default, for clients
    building forms) and how busy it is."""
    from .. import __version__
    from ..options import FORM, options_for

    form = options_for(FORM)
    return {
        "version": __version__,
        "workers": studio.workers,
        "max_upload_mb": studio.max_upload_mb,
        "jobs": studio.store.counts(),
        "options": {o.name: o.json_schema(known_only=True) for o in form},
        "choices": {o.name: list(o.choices) for o in form if o.choices},
    }


def jobs_router() -> APIRouter:
    router = APIRouter()
    form = form_openapi()
    router.add_api_route("/api/jobs", create_job, methods=["POST"], status_code=202, openapi_extra=form, tags=["jobs"])
    router.add_api_route("/api/jobs", list_jobs, methods=["GET"], tags=["jobs"])
    router.add_api_route("/api/jobs/{job_id}", get_job, methods=["GET"], tags=["jobs"])
    router.add_api_route("/api/jobs/{job_id}/events", job_events, methods=["GET"], tags=["jobs"])
    router.add_api_route("/api/jobs/{job_id}", delete_job, methods=["DELETE"], tags=["jobs"])
    router.add_api_route("/api/plan", plan, methods=["POST"], openapi_extra=form, tags=["plan"])
    router.add_api_route("/api/info", info, methods=["GET"], tags=["server"])
    return router


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
        "media_type": FORMATS[job.format].media_type,  # an image/ type (GIF) is shown as an image
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
