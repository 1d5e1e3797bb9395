"""smoke: the steam plume's look made grey, denser, wider and taller (see steam.py)."""

from __future__ import annotations

from .steam import Steam


class Smoke(Steam):
    smoke = True
