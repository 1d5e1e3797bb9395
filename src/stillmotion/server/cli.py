"""stillmotion serve: the studio, a web page and a REST API, on this machine.

Open the printed address in a browser, drop a photo, press Generate. Jobs and videos live
in the data folder (SQLite plus files) and survive restarts. Beyond this machine the studio
needs a token: it refuses to listen there without one unless told --insecure-no-token.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ..cli.options import add_flag
from ..errors import StillmotionError, missing
from ..options import CLI, SETTING, Option
from .guard import LOOPBACK_NAMES, allowed_hosts_for
from .headers import HEADER_TIMEOUT_S, header_deadline_protocol


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
UPLOAD_TIMEOUT = Option("upload_timeout", float, "an upload that sends nothing for this long is dropped", SETTING, _SERVE,
                        low=0, high=3600, low_open=True, unit=" s", default=30, flags=("--upload-timeout",), metavar="SECONDS")
HEADER_TIMEOUT = Option("header_timeout", float, "a request whose headers have not all arrived this long after its "
                        "connection opened (or its last answer) is dropped", SETTING, _SERVE, low=0, high=3600,
                        low_open=True, unit=" s", default=HEADER_TIMEOUT_S, flags=("--header-timeout",), metavar="SECONDS")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the studio (web page and REST API)", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    add_flag(parser, PORT, default=PORT.default)
    parser.add_argument("--data", type=Path, default=None, help=f"folder for jobs and videos (default {default_data_dir()})")
    add_flag(parser, WORKERS, default=WORKERS.default)
    parser.add_argument("--token", default=None, help="require this token on every request (default: $STILLMOTION_TOKEN if set)")
    parser.add_argument("--allowed-hosts", default="", metavar="NAMES",
                        help="other host names the studio answers to, comma-separated, or * for any (default: the "
                             "loopback names and --host; any when --host is 0.0.0.0 or ::)")
    parser.add_argument("--insecure-no-token", action="store_true",
                        help="listen beyond this machine without a token: anyone who can reach it can use it")
    add_flag(parser, MAX_UPLOAD_MB, default=MAX_UPLOAD_MB.default)
    add_flag(parser, UPLOAD_TIMEOUT, default=UPLOAD_TIMEOUT.default)
    add_flag(parser, HEADER_TIMEOUT, default=HEADER_TIMEOUT.default)
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        import uvicorn
    except ImportError:
        raise missing("uvicorn", extra="server", needed_for="the studio") from None
    from . import create_app

    token = _token(args)
    if args.host not in LOOPBACK_NAMES and not token and not args.insecure_no_token:
        raise StillmotionError(f"listening on {args.host} without a token would let anyone who can reach it use the studio; "
                               "set --token (or STILLMOTION_TOKEN), or say --insecure-no-token")
    data = args.data or default_data_dir()
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StillmotionError(f"{data}: cannot create the data folder ({exc.strerror})") from None
    _check_port(args.host, args.port)
    extra = tuple(name.strip() for name in args.allowed_hosts.split(",") if name.strip())
    app = create_app(data, workers=args.workers, token=token, max_upload_mb=args.max_upload_mb,
                     allowed_hosts=allowed_hosts_for(args.host, extra), upload_idle_s=args.upload_timeout)
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    address = f"http://{shown}:{args.port}/{'?token=…' if token else ''}"
    print(f"stillmotion studio: {address}  (data: {data}, workers: {args.workers})", flush=True)
    if args.host not in LOOPBACK_NAMES and not token:
        print("stillmotion: warning: listening beyond this machine without a token (--insecure-no-token); "
              "anyone who can reach it can use it", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=15,
                http=header_deadline_protocol(args.header_timeout))
    return 0


def _token(args) -> str | None:
    """--token, else $STILLMOTION_TOKEN; None when neither is set. An empty one is an error, never "no token"."""
    if args.token is not None:
        if not args.token.strip():
            raise StillmotionError("--token is empty: that would let anyone in; give a real token, or leave --token out")
        return args.token
    token = os.environ.get("STILLMOTION_TOKEN")
    if token is not None and not token.strip():
        raise StillmotionError("STILLMOTION_TOKEN is set but empty: that would let anyone in; set a real token, or unset it")
    return token


def _check_port(host: str, port: int) -> None:
    """Fail with one line (not a traceback from deep in uvicorn) when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StillmotionError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port") from None
