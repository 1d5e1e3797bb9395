"""stillmotion serve: the studio, a web page and a REST API, on this machine.

Open the printed address in a browser, drop a photo, press Generate. Jobs and videos live
in the data folder (SQLite plus files) and survive restarts.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ..cli.options import ranged


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "stillmotion" / "studio"


_workers = ranged(int, 1, 64, " workers")
_megabytes = ranged(float, 0, 10_000, " MB", low_open=True)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the studio (web page and REST API)", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--data", type=Path, default=None, help=f"folder for jobs and videos (default {default_data_dir()})")
    parser.add_argument("--workers", type=_workers, default=1, help="renders at the same time, each in its own process (default 1)")
    parser.add_argument("--token", default=None, help="require this token on every request (default: $STILLMOTION_TOKEN if set)")
    parser.add_argument("--max-upload-mb", type=_megabytes, default=50, help="largest photo accepted, in MB (default 50)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..errors import MissingDependency, StillmotionError

    try:
        import uvicorn
    except ImportError:
        raise MissingDependency("the studio needs uvicorn and fastapi: pip install 'stillmotion[server]'") from None
    from . import create_app

    token = args.token or os.environ.get("STILLMOTION_TOKEN") or None
    data = args.data or default_data_dir()
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StillmotionError(f"{data}: cannot create the data folder ({exc.strerror})") from None
    _check_port(args.host, args.port)
    app = create_app(data, workers=args.workers, token=token, max_upload_mb=args.max_upload_mb)
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    print(f"stillmotion studio: http://{shown}:{args.port}/{'?token=…' if token else ''}  (data: {data}, workers: {args.workers})", flush=True)
    if args.host not in ("127.0.0.1", "::1", "localhost") and not token:
        print("stillmotion: warning: listening beyond this machine without a token; anyone who can reach it can use it", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=15)
    return 0


def _check_port(host: str, port: int) -> None:
    """Fail with one line (not a traceback from deep in uvicorn) when the port is taken."""
    from ..errors import StillmotionError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StillmotionError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port") from None
