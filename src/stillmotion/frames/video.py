"""Render and encode at the same time: frames stream through a small queue to an encoder thread.

Wall time approaches (render CPU + encode CPU) / 2 on two cores, and memory stays flat:
only a handful of frame buffers exist, reused round-robin. The soundtrack is made in the
encoder thread too, one video frame's worth of samples after each frame, so it overlaps with
rendering and never exists whole.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

from ..analysis.types import Analysis
from ..encode import FORMATS, EncoderSettings, VideoWriter
from ..photo import Photo
from ..plan import Plan
from ..progress import Reporter
from ..provenance import provenance_for
from .renderer import Renderer

BUFFERS = 4  # frames in flight between the renderer and the encoder


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
