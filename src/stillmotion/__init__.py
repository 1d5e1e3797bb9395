"""stillmotion: a still photo, plus an optional sentence, becomes a short living video.

    import stillmotion
    stillmotion.animate("photo.jpg", "photo.mp4", prompt="clouds drifting, slow push in")

or step by step (the plan is plain, editable data):

    photo = stillmotion.load_photo("photo.jpg")
    analysis = stillmotion.analyse(photo)
    plan = stillmotion.direct(photo, analysis, "clouds drifting", duration=10)
    stillmotion.render(plan, "photo.mp4", photo=photo, analysis=analysis)

Names are imported lazily: importing the package does no work.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "animate": "stillmotion.api",
    "render": "stillmotion.api",
    "iter_frames": "stillmotion.api",
    "make_plan": "stillmotion.api",
    "prepare": "stillmotion.api",
    "read_plan": "stillmotion.api",
    "load_plan_photo": "stillmotion.api",
    "load_photo": "stillmotion.photo",
    "Photo": "stillmotion.photo",
    "analyse": "stillmotion.analysis",
    "Analysis": "stillmotion.analysis",
    "direct": "stillmotion.director",
    "Plan": "stillmotion.plan",
    "Progress": "stillmotion.progress",
    "StillmotionError": "stillmotion.errors",
    "PhotoError": "stillmotion.errors",
    "PlanError": "stillmotion.errors",
    "OutputError": "stillmotion.errors",
    "OutputExists": "stillmotion.errors",
    "OptionError": "stillmotion.errors",
    "Cancelled": "stillmotion.errors",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stillmotion' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__():
    return __all__
