"""The studio's state and the work behind its routes, without HTTP: the `Studio` object.

Routes (routes_jobs.py, routes_files.py) are thin: they read the request, call a Studio method
and shape the answer. The Studio holds the settings, the job store, the planner and the worker
pool, and knows how to accept a photo, queue a job and make a plan now. It never renders:
worker processes (worker.py) do.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import shutil
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PhotoError, PlanError, StillmotionError, StudioError
from .forms import UPLOAD_IDLE_S, ApiError, Form, read_options, read_plan_json
from .lock import DataLock
from .store import Job, Store, new_job_id
from .worker import Planner

log = logging.getLogger("stillmotion.server")

ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
PHOTO_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp",
                    "HEIF": ".heic", "GIF": ".gif"}
# Depth providers a plan sent by a client may name: none of them is a file path of its choosing.
SAFE_DEPTHS = ("classical", "auto", "onnx", "neural", "depth-anything")
UPLOAD_SLOTS = 8  # uploads received and checked at once; more wait for a slot
UPLOAD_WAIT_S = 10.0  # how long an upload waits for a slot before it is told to come back


@dataclass
class Studio:
    """Settings, store, planner and workers of one studio; every route handler works through it.

    Made by create_app, which refuses (StudioError, one line) a data folder another studio uses
    or whose job store cannot be trusted; a read-only one is served, with a warning, but takes
    no new jobs.
    """

    data_dir: Path
    workers: int = 1
    max_upload_mb: float = 50
    start_workers: bool = True
    upload_idle_s: float = UPLOAD_IDLE_S
    store: Store = field(init=False)
    planner: Planner = field(init=False, default_factory=Planner)  # POST /api/plan: analysis in a child process
    pool: object | None = field(init=False, default=None)  # the WorkerPool, while the app runs
    read_only: str | None = field(init=False, default=None)  # why no job can be taken, when none can
    warnings: list[str] = field(init=False, default_factory=list)  # said once at start-up
    _lock: DataLock = field(init=False)
    _slots: asyncio.Semaphore | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock = DataLock(self.data_dir)
            self._lock.acquire()
        except OSError as exc:
            raise StudioError(f"{self.data_dir}: cannot use this data folder ({exc.strerror})") from None
        try:
            self.store = Store.open(self.data_dir)
        except OSError as exc:
            self._lock.release()
            raise StudioError(f"{self.data_dir}: cannot use this data folder ({exc.strerror})") from None
        except BaseException:
            self._lock.release()
            raise
        self.read_only = self.store.writable()
        if self.read_only:
            self.warnings.append(f"{self.read_only}: the studio shows its jobs but takes no new ones")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def tmp_dir(self) -> Path:
        return self.store.root / "tmp"

    # --- life ----------------------------------------------------------------------------------
    def start(self) -> list[str]:
        """Take back jobs a stopped server left running, remove files no job refers to, start the
        workers. Returns the recovered ids."""
        from .worker import WorkerPool

        self._slots = asyncio.Semaphore(UPLOAD_SLOTS)
        if self.read_only:
            return []
        recovered = self.store.recover()
        removed = self.store.remove_orphans()
        if removed:
            log.warning("removed %d file(s) no job refers to: %s", len(removed), ", ".join(removed[:5]))
        if self.start_workers:
            self.pool = WorkerPool(self.data_dir, self.workers, self.store)
            self.pool.start()
        return recovered

    def stop(self) -> None:
        self.planner.close()
        if self.pool is not None:
            self.pool.stop()
            self.pool = None
        self.store.close()
        self._lock.release()

    @asynccontextmanager
    async def upload_slot(self):
        """One of UPLOAD_SLOTS places to receive and check an upload in; 503 when none frees up in time."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(UPLOAD_SLOTS)
        try:
            await asyncio.wait_for(self._slots.acquire(), UPLOAD_WAIT_S)
        except asyncio.TimeoutError:
            raise ApiError(503, "the studio is busy receiving other photos; try again in a moment",
                           headers={"Retry-After": "5"}) from None
        try:
            yield
        finally:
            self._slots.release()

    def check_writable(self) -> None:
        """Refuse (503) a new job before its upload is read, where none can be stored."""
        if self.read_only:
            raise ApiError(503, "the studio takes no new jobs: its data folder cannot be written; ask whoever runs it to check it")

    # --- jobs --------------------------------------------------------------------------------
    def find(self, job_id: str) -> Job:
        job = self.store.get(job_id) if ID_PATTERN.match(job_id) else None
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r}")
        return job

    def submit(self, form: Form) -> Job:
        """Queue a job from a form: a photo (or an earlier job's) and options, or a full plan.

        Whatever fails, nothing is left behind: the files stored for the job are removed unless
        the job is recorded."""
        stored: list[Path] = []
        try:
            fields = form.fields
            options = read_options(fields)
            plan_text = fields.get("plan", "").strip()
            if plan_text and options.given:
                raise ApiError(422, f"send either a plan or options ({', '.join(options.given)}), not both", "plan")
            job_id = new_job_id()
            source = fields.get("photo_from", "").strip()
            if source and form.file_path is not None:
                raise ApiError(422, "send either a photo or photo_from, not both", "photo_from")
            photo = self.reuse_photo(source, job_id, stored) if source else self.accept_photo(form, job_id, stored)
            plan = self.read_plan(plan_text, photo) if plan_text else None
            prompt = plan.prompt if plan is not None else options.prompt
            # The engine fields are kept with the options; the worker hands them to render().
            job = self.store.create(job_id, photo=photo, prompt=prompt, options={**options.direct, **options.render},
                                    plan=plan.to_dict() if plan else None, fmt=options.format)
            stored.clear()  # the job owns them now
            return job
        finally:
            form.discard()
            for path in stored:
                path.unlink(missing_ok=True)

    def plan_now(self, form: Form) -> dict:
        """The plan (and its explanation) for a form's photo (or an earlier job's) and options, made
        in the planning process."""
        try:
            options = read_options(form.fields)
            source = form.fields.get("photo_from", "").strip()
            if source and form.file_path is not None:
                raise ApiError(422, "send either a photo or photo_from, not both", "photo_from")
            if source:
                path = Path(self.find(source).photo)
                shown = path.name  # as the job shows it
            else:
                self.check_photo(form)
                path, shown = form.file_path, form.filename or "photo"
            plan = self.planner.plan(str(path), options.prompt, options.direct)
        except StudioError as exc:
            raise ApiError(500, str(exc)) from None
        except PhotoError as exc:
            raise ApiError(400, _named(str(exc), form), "photo") from None
        except StillmotionError as exc:
            raise ApiError(422, _named(str(exc), form)) from None
        finally:
            form.discard()
        # The server's path means nothing to the client: show the name it sent (or the job's).
        plan["photo"] = shown
        return {"plan": plan, "explanation": plan["explanation"]}

    # --- photos and plans --------------------------------------------------------------------
    def check_photo(self, form: Form):
        """The uploaded photo's header (format, size, orientation), checked; its pixels are decoded
        by the worker (or the planning process), never in the server."""
        from ..photo import read_header

        if form.file_path is None:
            raise ApiError(422, "a photo is required: send it as the multipart file field 'photo'", "photo")
        if form.file_size == 0:
            raise ApiError(400, "the photo file is empty", "photo")
        try:
            return read_header(form.file_path)
        except PhotoError as exc:
            raise ApiError(400, _named(str(exc), form), "photo") from None
        except Exception as exc:  # Pillow can fail in many ways on hostile files
            raise ApiError(400, f"the photo cannot be read ({exc.__class__.__name__})", "photo") from None

    def accept_photo(self, form: Form, job_id: str, stored: list[Path]) -> Path:
        """Check the uploaded photo and keep it under a generated name (recorded in `stored`)."""
        header = self.check_photo(form)
        path = self.store.upload_path(job_id, PHOTO_EXTENSIONS.get(header.format, ".img"))
        os.replace(form.file_path, path)
        form.file_path = None
        stored.append(path)
        return path

    def reuse_photo(self, source_id: str, job_id: str, stored: list[Path]) -> Path:
        """The photo of an earlier job (another variant, an edited plan) for a new job, without re-uploading."""
        source = self.find(source_id)
        old = Path(source.photo)
        if not old.exists():
            raise ApiError(410, f"the photo of job {source_id!r} is gone; upload it again", "photo_from")
        path = self.store.upload_path(job_id, old.suffix)
        try:
            os.link(old, path)  # one file, two names: deleting either job keeps the other's photo
        except OSError:
            shutil.copyfile(old, path)
        stored.append(path)
        thumb = self.store.thumb_path(source_id)
        if thumb.exists():
            shutil.copyfile(thumb, self.store.thumb_path(job_id))
            stored.append(self.store.thumb_path(job_id))
        return path

    def read_plan(self, text: str, photo: Path):
        """A client's plan, checked, pointed at the stored photo."""
        from ..plan import Plan

        try:
            plan = Plan.from_dict(read_plan_json(text))
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None
        check_plan_paths(plan)
        with open(photo, "rb") as stream:
            sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
        if plan.photo_sha256 and plan.photo_sha256 != sha256:
            raise ApiError(422, "the plan was made for a different photo (its photo_sha256 differs); "
                                "send the photo it was made from", "plan")
        try:
            return plan.with_changes(photo=str(photo), photo_sha256=sha256)
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None


def _named(message: str, form: Form) -> str:
    """A photo error about the server's temporary file, told with the name the client sent."""
    return message.replace(str(form.file_path), repr(form.filename or "photo"))


def check_plan_paths(plan) -> None:
    """A plan from a client names no files on the server: no mask images, no model paths of its own.

    (The server would read them: a mask path could expose any image on this machine.)
    """
    if plan.depth not in SAFE_DEPTHS:
        from ..analysis.depth import default_model_path

        if Path(plan.depth).expanduser() != default_model_path():
            raise ApiError(422, f"depth: {plan.depth!r} is not allowed here; a plan sent to the studio may use "
                                f"{', '.join(SAFE_DEPTHS)}", "plan")
    if plan.segmentation not in ("classical", "auto", "deeplab"):
        raise ApiError(422, f"segmentation: {plan.segmentation!r} is not allowed here; a plan sent to the studio may use "
                            "classical, auto or deeplab", "plan")
    for index, effect in enumerate(plan.effects):
        for key in ("region", "freeze"):
            region = getattr(effect, key)
            if region is not None and region.mask is not None:
                raise ApiError(422, f"effects.{index}.{key}.mask: mask files cannot be sent to the studio; "
                                    "use a named region or a polygon", "plan")
