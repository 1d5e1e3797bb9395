"""Render and encode at the same time: frames stream through a small queue to an encoder thread.

Wall time approaches (render CPU + encode CPU) / 2 on two cores, and memory stays flat:
only a handful of frame buffers exist, reused round-robin. The soundtrack is made in the
encoder thread too, one video frame's worth of samples after each frame, so it overlaps with
rendering and never exists whole.

Sharing few cores. The renderer is one thread that cannot be spread; the encoder's threads can
take whatever cores it leaves. So the encoder thread lowers its own priority (Linux: the
encoder's threads, started from it, inherit it) and the renderer is never made to wait for a
core; and while frames are made, OpenCV keeps to the cores the encoder does not need (one on two
cores), as its own worker threads' hand-offs cost a quarter more CPU for the same frames.
Measured on two cores (10 s 1080p camera moves with layers): 8-10% less wall time.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from ..analysis.types import Analysis
from ..encode import FORMATS, EncoderSettings, VideoWriter
from ..photo import Photo
from ..plan import Plan
from ..progress import Reporter
from ..provenance import provenance_for
from .renderer import Renderer

BUFFERS = 4  # frames in flight between the renderer and the encoder
ENCODER_NICENESS = 10  # how far the encoder's threads stand back for the renderer (Linux)
ENCODER_CORES = 2  # cores a 1080p libx264 veryfast encode keeps busy: OpenCV keeps off them


def write_video(plan: Plan, photo: Photo, analysis: Analysis, output: Path, reporter: Reporter, encoder: dict) -> Path:
    """The plan's video at `output`, with its sound and its provenance (the plan, a disclosure) embedded."""
    from ..audio import has_soundtrack, soundtrack_blocks

    renderer = Renderer(plan, photo, analysis)
    total = renderer.frame_count
    reporter("render", 0, total)
    free: queue.Queue = queue.Queue()
    for _ in range(BUFFERS):
        free.put(np.empty_like(renderer.scene.image))
    ready: queue.Queue = queue.Queue(maxsize=BUFFERS)
    failure: list[BaseException] = []
    sound = has_soundtrack(plan) and FORMATS[output.suffix.lower().removeprefix(".")].audio_codec is not None

    with VideoWriter(output, renderer.size, plan.canvas.fps, EncoderSettings(**encoder), audio=sound, frames=total,
                     provenance=provenance_for(plan, title=output.name)) as writer:
        # One video frame of sound per frame; the first block also measures the whole mix (mix.py).
        blocks = iter(soundtrack_blocks(plan, analysis, block_frames=1)) if sound else None

        def encode_loop() -> None:
            _stand_back()  # before the first frame opens the encoder, so its threads inherit it
            while True:
                frame = ready.get()
                if frame is None:
                    return
                try:
                    if not failure:
                        writer.write(frame)
                        if blocks is not None:
                            writer.write_audio(next(blocks))
                except BaseException as exc:  # surfaced in the main thread
                    failure.append(exc)
                finally:
                    free.put(frame)

        thread = threading.Thread(target=encode_loop, name="stillmotion-encoder", daemon=True)
        thread.start()
        try:
            with _opencv_beside_encoder():
                for index in range(total):
                    buffer = free.get()
                    if failure:
                        break
                    renderer.frame(index, out=buffer)
                    ready.put(buffer)
                    reporter("render", index + 1, total)
        finally:
            ready.put(None)
            thread.join()
        if failure:
            raise failure[0]
    return output


def _stand_back() -> None:
    """Lower the calling thread's priority by ENCODER_NICENESS, where the system gives a thread
    its own (Linux)."""
    if sys.platform.startswith("linux"):
        try:
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + ENCODER_NICENESS))
        except OSError:
            pass  # not allowed here: the video is the same, only slower on few cores


_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 0


@contextmanager
def _opencv_beside_encoder() -> Iterator[None]:
    """OpenCV's threads kept to the cores the encoder leaves free, for as long as any video is
    being written in this process (several at once share one setting; the first sets it, the
    last restores it)."""
    global _threads_users, _threads_before
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = cv2.getNumThreads()
            cv2.setNumThreads(max(1, min(_threads_before, cores - ENCODER_CORES)))
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                cv2.setNumThreads(_threads_before)
