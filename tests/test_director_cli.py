"""`stillmotion plan PHOTO -p TEXT --json` and `--explain`, on a small PNG written here."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from stillmotion.cli import main


@pytest.fixture
def png(tmp_path):
    pixels = np.zeros((48, 64, 3), np.uint8)
    pixels[:16] = (120, 170, 230)  # a sky-blue top
    pixels[16:] = (50, 90, 40)
    path = tmp_path / "small.png"
    Image.fromarray(pixels).save(path)
    return path


def test_plan_json_has_camera_effects_and_unsupported(png, capsys):
    code = main(["plan", str(png), "-p", "heavy rain, keep the camera still, the couple kisses", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["camera"]["type"] == "static"
    assert [e["type"] for e in data["effects"]] == ["rain"]
    assert data["effects"][0]["strength"] > 0.5
    assert [u["phrase"] for u in data["unsupported"]] == ["the couple kisses"]
    assert data["explanation"]


def test_explain_with_json_keeps_stdout_clean(png, capsys):
    main(["plan", str(png), "-p", "snoww, no rain, slow zoom out", "--json", "--explain"])
    out, err = capsys.readouterr()
    data = json.loads(out)  # stdout is only the JSON
    assert data["camera"]["type"] == "zoom_out"
    assert {e["type"] for e in data["effects"]} == {"snow"}
    assert 'why (prompt: "snoww, no rain, slow zoom out"):' in err
    assert '- read "snoww" as "snow" (typo)' in err
    assert '- "no rain": rain excluded, as asked' in err


def test_explain_in_plain_words(png, capsys):
    main(["plan", str(png), "-p", "waves crashing, they dance, zeppelin", "--explain"])
    out = capsys.readouterr().out
    assert "camera:" in out and "effects:" in out
    assert "not possible on the CPU: they dance" in out
    assert "ignored: zeppelin" in out
    assert "the photo looks like" in out


def test_empty_prompt_explains_the_defaults(png, capsys):
    main(["plan", str(png), "--explain"])
    out = capsys.readouterr().out
    assert "why (no prompt):" in out
    assert "an empty prompt on" in out and "gets its defaults" in out


def test_an_empty_prompt_flag_is_the_empty_prompt(png, capsys):
    """`-p ""` (a script passing an empty sentence) plans exactly what no -p plans, and says so."""
    main(["plan", str(png), "--json"])
    without = json.loads(capsys.readouterr().out)
    assert main(["plan", str(png), "-p", "", "--json"]) == 0
    empty = json.loads(capsys.readouterr().out)
    assert empty == without
    main(["plan", str(png), "-p", "  ", "--explain"])
    assert "why (no prompt):" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # other options still need a value
        main(["plan", str(png), "-d", ""])
