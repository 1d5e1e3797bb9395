"""stillmotion serve: the studio, a web page and a REST API, on this machine.

Open the printed address in a browser, drop a photo, press Generate. Jobs and videos live
in the data folder (SQLite plus files) and survive restarts.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ..cli.options import add_flag
from ..errors import StillmotionError, missing
from ..options import CLI, SETTING, Option


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "stillmotion" / "studio"


# The studio's own settings (not options of a video): read with the same rules as those.
_SERVE = frozenset({CLI})
PORT = Option("port", int, "port", SETTING, _SERVE, low=1, high=65535, default=8000, flags=("--port",))
WORKERS = Option("workers", int, "renders at the same time, each in its own process", SETTING, _SERVE, low=1, high=64,
                 unit=" workers", default=1, flags=("--workers",), metavar="N")
MAX_UPLOAD_MB = Option("max_upload_mb", float, "largest photo accepted", SETTING, _SERVE, low=0, high=10_000,
                       low_open=True, unit=" MB", default=50, flags=("--max-upload-mb",), metavar="MB")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the studio (web page and REST API)", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    add_flag(parser, PORT, default=PORT.default)
    parser.add_argument("--data", type=Path, default=None, help=f"folder for jobs and videos (default {default_data_dir()})")
    add_flag(parser, WORKERS, default=WORKERS.default)
    parser.add_argument("--token", default=None, help="require this token on every request (default: $STILLMOTION_TOKEN if set)")
    add_flag(parser, MAX_UPLOAD_MB, default=MAX_UPLOAD_MB.default)
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        import uvicorn
    except ImportError:
        raise missing("uvicorn", extra="server", needed_for="the studio") from None
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
    address = f"http://{shown}:{args.port}/{'?token=…' if token else ''}"
    print(f"stillmotion studio: {address}  (data: {data}, workers: {args.workers})", flush=True)
    if args.host not in ("127.0.0.1", "::1", "localhost") and not token:
        print("stillmotion: warning: listening beyond this machine without a token; anyone who can reach it can use it", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=15)
    return 0


def _check_port(host: str, port: int) -> None:
    """Fail with one line (not a traceback from deep in uvicorn) when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StillmotionError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port") from None
