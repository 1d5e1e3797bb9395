"""Render and encode at the same time: frames stream through a small queue to an encoder thread.

Wall time approaches (render CPU + encode CPU) / 2 on two cores, and memory stays flat:
only a handful of frame buffers exist, reused round-robin.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

from ..analysis.types import Analysis
from ..encode import EncoderSettings, VideoWriter
from ..photo import Photo
from ..plan import Plan
from ..progress import Reporter
from .renderer import Renderer

BUFFERS = 4  # frames in flight between the renderer and the encoder


def write_video(plan: Plan, photo: Photo, analysis: Analysis, output: Path, reporter: Reporter, encoder: dict) -> Path:
    renderer = Renderer(plan, photo, analysis)
    total = renderer.frame_count
    reporter("render", 0, total)
    free: queue.Queue = queue.Queue()
    for _ in range(BUFFERS):
        free.put(np.empty_like(renderer.scene.image))
    ready: queue.Queue = queue.Queue(maxsize=BUFFERS)
    failure: list[BaseException] = []

    with VideoWriter(output, renderer.size, plan.canvas.fps, EncoderSettings(**encoder)) as writer:

        def encode_loop() -> None:
            while True:
                frame = ready.get()
                if frame is None:
                    return
                try:
                    if not failure:
                        writer.write(frame)
                except BaseException as exc:  # surfaced in the main thread
                    failure.append(exc)
                finally:
                    free.put(frame)

        thread = threading.Thread(target=encode_loop, name="stillmotion-encoder", daemon=True)
        thread.start()
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
        if failure:
            raise failure[0]
    return output
