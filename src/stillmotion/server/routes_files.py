"""The studio's files: finished videos (with range requests), thumbnails, and the page itself.

Module functions over the Studio (studio.py); create_app registers them with files_router().
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from ..encode import FORMATS
from .forms import ApiError, error_responses
from .routes_jobs import studio_of
from .studio import Studio

STATIC = Path(__file__).parent / "static"
# The page runs only its own script and style, shows its own (and the chosen photo's) images,
# talks only to the studio, and cannot be framed by another site.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def job_video(job_id: str, download: bool = False, studio: Studio = Depends(studio_of)):
    """The finished video (range requests supported, so players can seek)."""
    job = studio.find(job_id)
    if job.status != "done" or not job.video:
        raise ApiError(409, f"job {job_id} has no video yet (status: {job.status})")
    path = Path(job.video)
    if not path.exists():
        raise ApiError(410, f"the video of job {job_id} is missing from the data folder")
    return FileResponse(
        path,
        media_type=FORMATS[job.format].media_type,
        filename=f"stillmotion-{job_id}.{job.format}",
        content_disposition_type="attachment" if download else "inline",
    )


def job_thumbnail(job_id: str, studio: Studio = Depends(studio_of)):
    """A small JPEG of the job's photo (for galleries); made when a worker takes the job."""
    path = studio.store.thumb_path(studio.find(job_id).id)
    if not path.exists():
        raise ApiError(404, f"job {job_id} has no thumbnail yet (it is made when the job starts)")
    return FileResponse(path, media_type="image/jpeg")


def index():
    if not (STATIC / "index.html").is_file():
        raise ApiError(500, "the studio page's files are missing from this installation; reinstall: pip install 'stillmotion[server]'")
    return FileResponse(STATIC / "index.html", media_type="text/html",
                        headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY})


def static(name: str):
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise ApiError(404, f"no file {name!r}")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


def files_router() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/api/jobs/{job_id}/video", job_video, methods=["GET"], tags=["jobs"],
                         responses={200: {"description": "the video (range requests: 206)"},
                                    **error_responses(400, 401, 404, 409, 410, 416)})
    router.add_api_route("/api/jobs/{job_id}/thumbnail", job_thumbnail, methods=["GET"], tags=["jobs"],
                         responses={200: {"description": "a small JPEG of the job's photo"}, **error_responses(400, 401, 404)})
    # HEAD wherever GET is (players ask for a video's size first); HTTP implies it, the schema need not repeat it.
    for path, endpoint in (("/api/jobs/{job_id}/video", job_video), ("/api/jobs/{job_id}/thumbnail", job_thumbnail)):
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)
    router.add_api_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/static/{name}", static, methods=["GET", "HEAD"], include_in_schema=False)
    return router
