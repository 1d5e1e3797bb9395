"""Render and encode at the same time: frames stream through a small queue to an encoder thread.

Wall time approaches (render CPU + encode CPU) / 2 on two cores, and memory stays flat:
only a handful of frame buffers exist, reused round-robin. The soundtrack is made in the
encoder thread too, one video frame's worth of samples after each frame, so it overlaps with
rendering and never exists whole.
"""

from __future__ import annotations

import os
import queue
import threading
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


def render_threads() -> int:
    """OpenCV threads for rendering while the encoder runs: half the cores. The encoder's work per
    frame is about the renderer's and keeps the other half busy; more OpenCV threads would only
    contend with it, their waiting and handing over costing CPU on the many small calls of a frame."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // 2)


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
        opencv_threads = cv2.getNumThreads()
        cv2.setNumThreads(min(opencv_threads, render_threads()))
        try:
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
            cv2.setNumThreads(opencv_threads)
        if failure:
            raise failure[0]
    return output
