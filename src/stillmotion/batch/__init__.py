"""Batch: many photos into videos, resumable, on a local process pool or on Ray.

    from stillmotion.batch import run_batch, Defaults
    summary = run_batch("album/", "videos/", Defaults(options={"resolution": 720}))

A thin shell over the library (stillmotion.api.make_plan and render): no rendering logic lives here.
"""

from __future__ import annotations

from .jobs import Defaults, Item, Result, process_item
from .runner import Summary, run_batch

__all__ = ["Defaults", "Item", "Result", "Summary", "process_item", "run_batch"]
