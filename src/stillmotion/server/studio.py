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

from ..errors import AudioError, PhotoError, PlanError, StillmotionError, StudioError
from .forms import (
    AUDIO_FIELD,
    PHOTO_FIELD,
    STORED_AUDIO,
    UPLOAD_IDLE_S,
    VIDEO_FIELD,
    ApiError,
    Form,
    FormOptions,
    Upload,
    read_options,
    read_plan_json,
)
from .lock import DataLock
from .store import Job, Store, new_job_id
from .worker import Planner

log = logging.getLogger("stillmotion.server")

ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
PHOTO_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp",
                    "HEIF": ".heic", "GIF": ".gif"}
# Depth providers a plan sent by a client may name: none of them is a file path of its choosing.
SAFE_DEPTHS = ("classical", "auto", "onnx", "neural", "depth-anything")
# A user's audio keeps its own extension when it is one of these (FFmpeg reads the content either way).
AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".webm", ".mp4",
                              ".mka", ".aif", ".aiff", ".wma", ".caf"})
# A video sent for its plan: the formats stillmotion writes, told by their first bytes.
VIDEO_SIGNATURES = ((b"GIF87a", ".gif"), (b"GIF89a", ".gif"), (b"\x1aE\xdf\xa3", ".webm"))
VIDEO_UPLOAD_FACTOR = 4  # a video may be this many times the photo limit (a minute of 1080p is ~30 MB)
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
    def job_files(self) -> dict[str, int]:
        """The files a job (or a plan preview) may bring, with their size limits: a photo and an audio file."""
        return {PHOTO_FIELD: self.max_upload_bytes, AUDIO_FIELD: self.max_upload_bytes}

    @property
    def video_files(self) -> dict[str, int]:
        return {VIDEO_FIELD: self.max_upload_bytes * VIDEO_UPLOAD_FACTOR}

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
        """Queue a job from a form: a photo (or an earlier job's) and options, or a full plan, and
        optionally the user's own audio file (or an earlier job's, by its stored name).

        Whatever fails, nothing is left behind: the files stored for the job are removed unless
        the job is recorded."""
        stored: list[Path] = []
        try:
            fields, options, audio_name, upload, source = _read_job_form(form)
            plan_text = fields.get("plan", "").strip()
            given = options.given + (["audio"] if audio_name else [])
            if plan_text and given:
                raise ApiError(422, f"send either a plan or options ({', '.join(given)}), not both", "plan")
            job_id = new_job_id()
            photo, sha256 = self.reuse_photo(source, job_id, stored) if source else self.accept_photo(form, job_id, stored)
            audio = None
            if upload is not None:
                audio = self.accept_audio(form, job_id, stored)
            elif audio_name:
                audio = self.reuse_audio(audio_name, job_id, stored)
            plan = self.read_plan(plan_text, photo, sha256, audio, job_id, stored) if plan_text else None
            if plan is not None:
                audio = Path(plan.audio.file) if plan.audio.mode == "file" else None
            _check_model_sound(plan.audio.mode if plan else options.direct.get("audio"), options)
            prompt = plan.prompt if plan is not None else options.prompt
            # The engine fields are kept with the options; the worker hands them to render(). The
            # options name the job's audio file as the studio stores it (a client may name it again).
            kept = {**options.direct, **options.render, **({"audio": audio.name} if audio and not plan else {})}
            job = self.store.create(job_id, photo=photo, prompt=prompt, options=kept,
                                    plan=plan.to_dict() if plan else None, fmt=options.format, audio=audio,
                                    photo_sha256=sha256)
            stored.clear()  # the job owns them now
            return job
        finally:
            form.discard()
            for path in stored:
                path.unlink(missing_ok=True)

    def plan_now(self, form: Form) -> dict:
        """The plan (and its explanation) for a form's photo (or an earlier job's), options and audio
        file, made in the planning process. The audio file is checked there too, and not kept."""
        try:
            _, options, audio_name, upload, source = _read_job_form(form)
            if source:
                path = Path(self.find(source).photo)
                shown = path.name  # as the job shows it
            else:
                self.check_photo(form)
                path, shown = form.files[PHOTO_FIELD].path, form.files[PHOTO_FIELD].filename or "photo"
            direct = dict(options.direct)
            if upload is not None:
                self.check_audio(form)
                direct["audio"] = str(upload.path)
            elif audio_name:
                direct["audio"] = str(self._stored_audio(audio_name))
            _check_model_sound(direct.get("audio"), options)
            plan = self.planner.plan(str(path), options.prompt, direct)
        except StudioError as exc:
            raise ApiError(500, str(exc)) from None
        except PhotoError as exc:
            raise ApiError(400, form.named(str(exc)), "photo") from None
        except StillmotionError as exc:
            raise ApiError(422, form.named(str(exc))) from None
        finally:
            form.discard()
        # The server's path means nothing to the client: show the name it sent (or the job's).
        plan["photo"] = shown
        if plan.get("audio", {}).get("file"):
            plan["audio"]["file"] = upload.filename if upload is not None else audio_name
        return {"plan": plan, "explanation": plan["explanation"]}

    def plan_from_video(self, form: Form) -> dict:
        """The plan a stillmotion video carries, for the plan editor, with where its files are: the
        newest stored job whose photo has the plan's photo_sha256 (or none: the user gives the
        photo), and whether its audio file is one of the studio's. Read in the planning process,
        from the container's metadata only; the video is not kept."""
        try:
            upload = form.files.get(VIDEO_FIELD)
            if upload is None:
                raise ApiError(422, "a video is required: send it as the multipart file field 'video'", VIDEO_FIELD)
            if form.fields:
                raise ApiError(422, f"send the video alone; unexpected field(s) {', '.join(sorted(form.fields))}",
                               next(iter(form.fields)))
            if upload.size == 0:
                raise ApiError(400, "the video file is empty", VIDEO_FIELD)
            upload.path = _named_by_kind(upload.path)  # GIFs are told by their extension
            plan = self.planner.video_plan(str(upload.path))
        except StudioError as exc:
            raise ApiError(400, f"{upload.filename!r}: the video cannot be read ({exc})", VIDEO_FIELD) from None
        except StillmotionError as exc:
            raise ApiError(422, form.named(str(exc)), VIDEO_FIELD) from None
        finally:
            form.discard()
        job = self.store.with_photo(plan["photo_sha256"]) if plan.get("photo_sha256") and not self.read_only else None
        audio_name = plan.get("audio", {}).get("file")
        return {
            "plan": plan,
            "explanation": plan.get("explanation", []),
            "photo_job": job.id if job else None,  # a job whose photo this plan was made from
            "audio_found": bool(audio_name) and self._stored_audio(audio_name, required=False) is not None,
        }

    def check_audio(self, form: Form) -> Upload:
        """The uploaded audio file, checked by PyAV in the planning process (never decoded here)."""
        upload = form.files[AUDIO_FIELD]
        if upload.size == 0:
            raise ApiError(400, "the audio file is empty", AUDIO_FIELD)
        try:
            self.planner.check_audio(str(upload.path))
        except AudioError as exc:
            raise ApiError(400, form.named(str(exc)), AUDIO_FIELD) from None
        except StudioError as exc:
            raise ApiError(400, f"{upload.filename!r}: the audio file cannot be read ({exc})", AUDIO_FIELD) from None
        return upload

    # --- photos, audio files and plans ----------------------------------------------------------
    def check_photo(self, form: Form):
        """The uploaded photo's header (format, size, orientation), checked; its pixels are decoded
        by the worker (or the planning process), never in the server."""
        from ..photo import read_header

        upload = form.files.get(PHOTO_FIELD)
        if upload is None:
            raise ApiError(422, "a photo is required: send it as the multipart file field 'photo'", "photo")
        if upload.size == 0:
            raise ApiError(400, "the photo file is empty", "photo")
        try:
            return read_header(upload.path)
        except PhotoError as exc:
            raise ApiError(400, form.named(str(exc)), "photo") from None
        except Exception as exc:  # Pillow can fail in many ways on hostile files
            raise ApiError(400, f"the photo cannot be read ({exc.__class__.__name__})", "photo") from None

    def accept_photo(self, form: Form, job_id: str, stored: list[Path]) -> tuple[Path, str]:
        """Check the uploaded photo and keep it under a generated name (recorded in `stored`).
        Returns its path and content hash."""
        header = self.check_photo(form)
        upload = form.files.pop(PHOTO_FIELD)
        path = self.store.upload_path(job_id, PHOTO_EXTENSIONS.get(header.format, ".img"))
        _keep(upload.path, path, stored)
        return path, upload.sha256

    def reuse_photo(self, source_id: str, job_id: str, stored: list[Path]) -> tuple[Path, str]:
        """The photo of an earlier job (another variant, an edited plan) for a new job, without re-uploading."""
        source = self.find(source_id)
        old = Path(source.photo)
        if not old.exists():
            raise ApiError(410, f"the photo of job {source_id!r} is gone; upload it again", "photo_from")
        path = self.store.upload_path(job_id, old.suffix)
        _share(old, path, stored)
        thumb = self.store.thumb_path(source_id)
        if thumb.exists():
            shutil.copyfile(thumb, self.store.thumb_path(job_id))
            stored.append(self.store.thumb_path(job_id))
        return path, source.photo_sha256 or _sha256(path)

    def accept_audio(self, form: Form, job_id: str, stored: list[Path]) -> Path:
        """Check the uploaded audio file and keep it under a generated name (recorded in `stored`)."""
        self.check_audio(form)
        upload = form.files.pop(AUDIO_FIELD)
        suffix = Path(upload.filename).suffix.lower()
        path = self.store.audio_path(job_id, suffix if suffix in AUDIO_EXTENSIONS else ".audio")
        _keep(upload.path, path, stored)
        return path

    def reuse_audio(self, name: str, job_id: str, stored: list[Path], where: str = "audio") -> Path:
        """An audio file the studio stored for an earlier job (named as its job shows it), for a new job."""
        old = self._stored_audio(name, where=where)
        path = self.store.audio_path(job_id, old.suffix)
        _share(old, path, stored)
        return path

    def _stored_audio(self, name: str, required: bool = True, where: str = "audio") -> Path | None:
        """The studio's own stored audio file of this name; anything else is refused (422), or None."""
        path = self.store.root / "uploads" / name
        if STORED_AUDIO.match(name) and path.is_file():
            return path
        if not required:
            return None
        raise ApiError(422, f"{where}: {name[:80]!r} is not one of this studio's audio files; send the file as "
                            f"{AUDIO_FIELD!r}, or use auto, none or model", "plan" if where.startswith("plan") else "audio")

    def read_plan(self, text: str, photo: Path, sha256: str, audio: Path | None, job_id: str, stored: list[Path]):
        """A client's plan, checked, pointed at the stored photo and at its audio file: the one sent
        with it (which replaces the plan's), else one the studio stored (by the name the plan gives)."""
        from ..plan import Plan

        try:
            plan = Plan.from_dict(read_plan_json(text))
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None
        check_plan_paths(plan)
        if plan.photo_sha256 and plan.photo_sha256 != sha256:
            raise ApiError(422, "the plan was made for a different photo (its photo_sha256 differs); "
                                "send the photo it was made from", "plan")
        if audio is None and plan.audio.mode == "file":
            audio = self.reuse_audio(plan.audio.file, job_id, stored, where="plan: audio.file")
        try:
            plan = plan.with_changes(photo=str(photo), photo_sha256=sha256)
            return plan.with_audio(str(audio)) if audio is not None else plan
        except PlanError as exc:
            raise ApiError(422, str(exc), "plan") from None


def _read_job_form(form: Form) -> tuple[dict[str, str], FormOptions, str | None, Upload | None, str]:
    """A job's (or a plan preview's) form: its fields, its options, the stored audio file it names,
    the audio file it brings, and the earlier job whose photo it reuses; checked against each other."""
    fields = dict(form.fields)
    audio_name = _stored_audio_field(fields)
    options = read_options(fields)
    upload = form.files.get(AUDIO_FIELD)
    if upload is not None and (audio_name or "audio" in options.direct):
        raise ApiError(422, "send either an audio file or the audio option (auto, none, model), not both", "audio")
    source = fields.get("photo_from", "").strip()
    if source and PHOTO_FIELD in form.files:
        raise ApiError(422, "send either a photo or photo_from, not both", "photo_from")
    return fields, options, audio_name, upload, source


def _stored_audio_field(fields: dict[str, str]) -> str | None:
    """The `audio` field when it names an audio file the studio stored (as a job's options show
    it), taken out of the fields: the option schema knows only auto, none and model."""
    value = fields.get("audio", "").strip()
    if STORED_AUDIO.match(value):
        del fields["audio"]
        return value
    return None


def _check_model_sound(audio: str | None, options: FormOptions) -> None:
    """The model's own sound needs the neural engine and a model that makes sound: said now, not by a failed job."""
    if audio == "model":
        from ..engines import check_audio

        try:
            check_audio(options.render.get("engine", "cpu"), options.render.get("model"), "model")
        except PlanError as exc:
            raise ApiError(422, str(exc), "audio") from None


def _keep(temporary: Path, path: Path, stored: list[Path]) -> None:
    """Move an upload from the tmp folder to its stored name (recorded in `stored`)."""
    os.replace(temporary, path)
    stored.append(path)


def _share(old: Path, path: Path, stored: list[Path]) -> None:
    """One stored file under a second job's name: a hard link, so deleting either job keeps the other's."""
    try:
        os.link(old, path)
    except OSError:
        shutil.copyfile(old, path)
    stored.append(path)


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _named_by_kind(path: Path) -> Path:
    """A video upload renamed with the extension its first bytes say (MP4 otherwise: FFmpeg reads
    the container from its content; the extension only matters for GIFs, read without FFmpeg)."""
    with open(path, "rb") as stream:
        head = stream.read(8)
    suffix = next((ext for magic, ext in VIDEO_SIGNATURES if head.startswith(magic)), ".mp4")
    named = path.with_suffix(suffix)
    os.replace(path, named)
    return named


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
