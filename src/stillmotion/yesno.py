"""Yes or no, read one way everywhere: studio forms, batch manifests and environment variables."""

from __future__ import annotations

import os
import typing
from typing import Any

TRUE_WORDS = ("1", "true", "yes", "y", "on")
FALSE_WORDS = ("0", "false", "no", "n", "off")


def parse_yes_no(value: Any) -> bool | None:
    """True or False from a bool or a word (true/false, yes/no, on/off, 1/0, y/n; any case);
    None for anything else. The one yes/no reading: forms, manifests and environment variables."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def env_flag(name: str, environ: typing.Mapping[str, str] | None = None) -> bool:
    """An environment variable read as yes/no: set to a yes word means on; unset or anything else, off."""
    return parse_yes_no((environ if environ is not None else os.environ).get(name, "")) is True
