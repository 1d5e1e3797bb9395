"""The studio: a web page and a REST API over the library, with a durable job queue.

`stillmotion serve` starts it; `create_app(data_dir)` gives the ASGI app (FastAPI).
Needs the `server` extra: pip install 'stillmotion[server]'.

Modules: app.py (the FastAPI app), studio.py (the Studio object: settings, store, planner,
workers, and the work behind the routes), routes_jobs.py and routes_files.py (the routes),
forms.py (request reading, by the option schema), guard.py (host names, other sites' pages,
safety headers, the token), store.py (SQLite jobs), lock.py (one studio per data folder),
faults.py (the server's own troubles in words: a full disk, a read-only folder), worker.py
(render processes, and the planning process, which also reads what the server must not parse:
an uploaded audio file, a video's embedded plan), cli.py (`stillmotion serve`), launch.py (a studio in a child
process, for tests and scripts).
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    """The studio's FastAPI app (see app.create_app); imported lazily: FastAPI is optional."""
    from ..errors import missing

    try:
        from .app import create_app as _create_app
    except ImportError as exc:
        raise missing(exc.name or "fastapi", extra="server", needed_for="the studio") from None
    return _create_app(*args, **kwargs)
