"""The studio's state and the work behind its routes, without HTTP: the `Studio` object.

Routes (routes_jobs.py, routes_files.py) are thin: they read the request, call a Studio method
and shape the answer. The Studio holds the settings, the job store, the planner and the worker
pool, and knows how to accept a photo, queue a job and make a plan now. It never renders:
worker processes (worker.py) do.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PhotoError, PlanError, StillmotionError, StudioError
from .forms import ApiError, Form, read_options
from .store import Job, Store, new_job_id
from .worker import Planner

ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
PHOTO_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp",
                    "HEIF": ".heic", "GIF": ".gif"}
# Depth providers a plan sent by a client may name: none of them is a file path of its choosing.
SAFE_DEPTHS = ("classical", "auto", "onnx", "neural", "depth-anything")


@dataclass
class Studio:
    """Settings, store, planner and workers of one studio; every route handler works through it."""

    data_dir: Path
    workers: int = 1
    max_upload_mb: float = 50
    start_workers: bool = True
    store: Store = field(init=False)
    planner: Planner = field(init=False, default_factory=Planner)  # POST /api/plan: analysis in a child process
    pool: object | None = field(init=False, default=None)  # the WorkerPool, while the app runs

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.store = Store(self.data_dir)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def tmp_dir(self) -> Path:
        return self.store.root / "tmp"

    # --- life ----------------------------------------------------------------------------------
    def start(self) -> list[str]:
        """Take back jobs a stopped server left running, and start the workers. Returns the recovered ids."""
        from .worker import WorkerPool

        recovered = self.store.recover()
        if self.start_workers:
            self.pool = WorkerPool(self.data_dir, self.workers, self.store)
            self.pool.start()
        return recovered

    def stop(self) -> None:
        self.planner.close()
        if self.pool is not None:
            self.pool.stop()
            self.pool = None

    # --- jobs --------------------------------------------------------------------------------
    def find(self, job_id: str) -> Job:
        job = self.store.get(job_id) if ID_PATTERN.match(job_id) else None
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r}")
        return job

    def submit(self, form: Form) -> Job:
        """Queue a job from a form: a photo (or an earlier job's) and options, or a full plan."""
        fields = form.fields
        try:
            options = read_options(fields)
            plan_text = fields.get("plan", "").strip()
            if plan_text and options.given:
                raise ApiError(422, f"send either a plan or options ({', '.join(options.given)}), not both", "plan")
            job_id = new_job_id()
            source = fields.get("photo_from", "").strip()
            if source and form.file_path is not None:
                raise ApiError(422, "send either a photo or photo_from, not both", "photo_from")
            photo, stored = self.reuse_photo(source, job_id) if source else self.accept_photo(form, job_id)
        finally:
            form.discard()
        try:
            plan = self.read_plan(plan_text, photo, stored) if plan_text else None
        except ApiError:
            stored.unlink(missing_ok=True)
            self.store.thumb_path(job_id).unlink(missing_ok=True)
            raise
        prompt = plan.prompt if plan is not None else options.prompt
        # The engine fields are kept with the options; the worker hands them to render().
        return self.store.create(job_id, photo=stored, prompt=prompt, options={**options.direct, **options.render},
                                 plan=plan.to_dict() if plan else None, fmt=options.format)

    def plan_now(self, form: Form) -> dict:
        """The plan (and its explanation) for a form's photo and options, made in the planning process."""
        try:
            options = read_options(form.fields)
            photo, path = self.accept_photo(form, None)
            plan = self.planner.plan(str(path), options.prompt, options.direct)
        except StudioError as exc:
            raise ApiError(500, str(exc)) from None
        except StillmotionError as exc:
            raise ApiError(422, str(exc)) from None
        finally:
            form.discard()
        # The server's temporary path means nothing to the client: show the name it sent.
        plan["photo"] = form.filename or "photo"
        return {"plan": plan, "explanation": plan["explanation"]}

    # --- photos and plans --------------------------------------------------------------------
    def accept_photo(self, form: Form, job_id: str | None):
        """Check the uploaded file is a usable photo; keep it under a generated name (and a thumbnail)."""
        from PIL import Image

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
        stored = self.store.upload_path(job_id, ext)
        os.replace(form.file_path, stored)
        form.file_path = None
        save_thumbnail(photo.pixels, self.store.thumb_path(job_id))
        return photo, stored

    def reuse_photo(self, source_id: str, job_id: str):
        """The photo of an earlier job (another variant, an edited plan) for a new job, without re-uploading."""
        from ..photo import load_photo

        source = self.find(source_id)
        old = Path(source.photo)
        if not old.exists():
            raise ApiError(410, f"the photo of job {source_id!r} is gone; upload it again", "photo_from")
        stored = self.store.upload_path(job_id, old.suffix)
        try:
            os.link(old, stored)  # one file, two names: deleting either job keeps the other's photo
        except OSError:
            shutil.copyfile(old, stored)
        if self.store.thumb_path(source_id).exists():
            shutil.copyfile(self.store.thumb_path(source_id), self.store.thumb_path(job_id))
        return load_photo(stored), stored

    def read_plan(self, text: str, photo, stored: Path):
        """A client's plan, checked, pointed at the stored photo."""
        from ..plan import Plan

        try:
            plan = Plan.from_json(text)
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None
        check_plan_paths(plan)
        if plan.photo_sha256 and plan.photo_sha256 != photo.sha256:
            raise ApiError(422, "the plan was made for a different photo (its photo_sha256 differs); "
                                "send the photo it was made from", "plan")
        try:
            return plan.with_changes(photo=str(stored), photo_sha256=photo.sha256)
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None


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


def save_thumbnail(pixels, path: Path, long_side: int = 480) -> None:
    import cv2

    h, w = pixels.shape[:2]
    scale = min(1.0, long_side / max(h, w))
    small = cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(path), cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 82])
