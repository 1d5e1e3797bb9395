"""The studio: a web page and a REST API over the library, with a durable job queue.

`stillmotion serve` starts it; `create_app(data_dir)` gives the ASGI app (FastAPI).
Needs the `server` extra: pip install 'stillmotion[server]'.
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    """The studio's FastAPI app (see app.create_app); imported lazily: FastAPI is optional."""
    from ..errors import MissingDependency

    try:
        from .app import create_app as _create_app
    except ImportError as exc:
        raise MissingDependency(f"the studio needs {exc.name}: pip install 'stillmotion[server]'") from None
    return _create_app(*args, **kwargs)
