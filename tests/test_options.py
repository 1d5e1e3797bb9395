"""The option schema: one set of ranges and choices, read from the plan, and every shell agreeing with it.

Each option is probed with values at and just beyond its limits, every choice and a non-choice;
the plan itself, the CLI (every command that has the flag), the studio's form, its OpenAPI and
/api/info, and a batch manifest must all give the same verdict. A shell that restated a range
or a list differently fails here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import threading

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import ValidationError

from conftest import scene_image
from stillmotion import options as schema
from stillmotion.batch.inputs import manifest_columns, read_input
from stillmotion.cli import build_parser
from stillmotion.errors import OptionError, OutputExists, StillmotionError
from stillmotion.options import CLI, FORM, MANIFEST, all_options, option, options_for
from stillmotion.plan import Camera, Canvas, Plan
from stillmotion.server import create_app
from stillmotion.server.forms import ApiError, read_options

# Where the plan keeps each option it validates: (model, field).
PLAN_FIELDS = {
    "duration": (Canvas, "duration"), "aspect": (Canvas, "aspect"), "resolution": (Canvas, "resolution"),
    "fps": (Canvas, "fps"), "fit": (Canvas, "fit"), "seed": (Plan, "seed"), "loop": (Plan, "loop"),
    "camera": (Camera, "type"), "strength": (Camera, "strength"),
}
# The positional arguments each command needs before its flags.
COMMAND_ARGS = {"animate": ["p.jpg"], "plan": ["p.jpg"], "render": ["plan.json"], "batch": ["in", "-o", "out"]}


def probes(opt) -> list:
    """Values at and just beyond the option's limits, its choices and a value that is none of them."""
    if opt.kind is bool:
        return [True, False]
    values = list(opt.choices)
    if opt.kind in (int, float):
        step = 1 if opt.kind is int else 0.01
        for limit, outside in ((opt.low, -step), (opt.high, step)):
            if limit is not None:
                values += [opt.kind(limit), opt.kind(limit + outside)]
        if opt.choices:
            values.append(max(opt.choices) + 1)
    elif opt.choices:
        values.append("not-" + str(opt.choices[0]))
    if opt.max_chars:
        values += ["x" * opt.max_chars, "x" * (opt.max_chars + 1)]
    return values or ["some text"]


def text_of(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def schema_verdict(opt, value):
    try:
        return opt.parse(text_of(value), known_only=True)
    except OptionError:
        return "refused"


def plan_verdict(name: str, value):
    model, field = PLAN_FIELDS[name]
    extra = {"photo": "p.jpg"} if model is Plan else {}
    try:
        return getattr(model(**extra, **{field: value}), field)
    except ValidationError:
        return "refused"


def cli_verdict(command: str, opt, value):
    argv = [command, *COMMAND_ARGS[command]]
    argv += [opt.flags[-1]] if opt.kind is bool else [opt.flags[-1], text_of(value)]
    if opt.kind is bool and value is False:
        return None  # a switch: absent means not given
    try:
        return getattr(build_parser().parse_args(argv), opt.name)
    except SystemExit:
        return "refused"


def form_verdict(opt, value):
    try:
        read = read_options({opt.name: text_of(value)})
    except ApiError as error:
        assert error.status == 422 and error.field == opt.name
        return "refused"
    found = {"prompt": read.prompt, "format": read.format, **read.direct, **read.render}
    return found[opt.name]


def manifest_verdict(tmp_path, opt, value):
    path = tmp_path / f"{opt.name}.jsonl"
    path.write_text(json.dumps({"photo": "a.jpg", opt.name: text_of(value)}) + "\n")
    (source,), _ = read_input(path)
    if source.error:
        assert opt.name in source.error
        return "refused"
    return {"prompt": source.prompt, "depth": source.depth, "format": source.format, **source.options}[opt.name]


def commands_with(opt) -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [name for name in COMMAND_ARGS if opt.name in {a.dest for a in subparsers.choices[name]._actions}]


# --- the schema reads the plan ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PLAN_FIELDS))
def test_the_schema_accepts_exactly_what_the_plan_accepts(name):
    opt = option(name)
    for value in probes(opt):
        expected = plan_verdict(name, value)
        assert schema_verdict(opt, value) == expected, (name, value)


def test_the_director_takes_exactly_the_schemas_director_options():
    from stillmotion.director import OPTION_NAMES

    assert set(OPTION_NAMES) == {o.name for o in all_options() if o.stage == schema.DIRECT} - {"prompt"}


def test_formats_engines_and_models_come_from_their_owners():
    from stillmotion.encode import FORMATS
    from stillmotion.engines import ENGINES
    from stillmotion.engines.models import MODELS

    assert option("format").choices == tuple(FORMATS)
    assert option("engine").choices == ENGINES
    assert option("model").choices == tuple(MODELS)


# --- every shell agrees with the schema --------------------------------------------------------
@pytest.mark.parametrize("opt", options_for(CLI), ids=lambda o: o.name)
def test_every_cli_option_is_in_the_help_of_its_commands_with_the_same_rule(opt):
    commands = commands_with(opt)
    assert commands, f"{opt.name} is a CLI option but no command has it"
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in commands:
        help_text = " ".join(subparsers.choices[command].format_help().split())
        assert all(flag in help_text for flag in opt.flags), (command, opt.name)
        assert " ".join(opt.describe().split()) in help_text, (command, opt.name)
        for value in probes(opt):
            expected = schema_verdict(opt, value) if not opt.open_choices else opt.parse(text_of(value))
            assert cli_verdict(command, opt, value) == (None if value is False else expected), (command, opt.name, value)


@pytest.mark.parametrize("opt", options_for(FORM), ids=lambda o: o.name)
def test_every_form_option_is_read_with_the_same_rule(opt):
    for value in probes(opt):
        assert form_verdict(opt, value) == schema_verdict(opt, value), (opt.name, value)


@pytest.mark.parametrize("opt", options_for(MANIFEST), ids=lambda o: o.name)
def test_every_manifest_column_is_read_with_the_same_rule(tmp_path, opt):
    assert opt.name in manifest_columns()
    for value in probes(opt):
        expected = schema_verdict(opt, value) if not opt.open_choices else opt.parse(text_of(value))  # a file, as on the CLI
        assert manifest_verdict(tmp_path, opt, value) == expected, (opt.name, value)


def test_openapi_and_info_describe_the_plans_own_ranges_and_choices(tmp_path):
    """Compared with pydantic's own JSON schema of the plan, not with the schema module."""
    from stillmotion.encode import FORMATS

    with TestClient(create_app(tmp_path / "data", start_workers=False), base_url="http://localhost") as client:
        openapi = client.get("/openapi.json").json()
        info = client.get("/api/info").json()
    body = openapi["paths"]["/api/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert openapi["paths"]["/api/plan"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"] == body
    plan_schemas = {model: model.model_json_schema()["properties"] for model in (Canvas, Camera, Plan)}
    for name, (model, field) in PLAN_FIELDS.items():
        truth = plan_schemas[model][field]
        for described in (body[name], info["options"][name]):
            for key in ("minimum", "maximum", "enum", "type"):
                assert described.get(key) == truth.get(key), (name, key)
    assert body["format"]["enum"] == info["options"]["format"]["enum"] == info["choices"]["format"] == list(FORMATS)
    assert set(body) == {o.name for o in options_for(FORM)} | {"photo", "plan", "photo_from", "audio_file"}


# --- the yes/no reading, errors -----------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("TRUE", True), (" on ", True), ("1", True), ("y", True), (True, True),
    ("no", False), ("False", False), ("off", False), ("0", False), (False, False),
    ("maybe", None), ("", None), ("2", None),
])
def test_one_yes_no_reading(text, expected):
    assert schema.parse_yes_no(text) is expected


def test_env_flag_is_on_only_for_a_yes_word():
    assert schema.env_flag("X", {"X": "yes"}) is True
    assert schema.env_flag("X", {"X": "0"}) is False
    assert schema.env_flag("X", {"X": "banana"}) is False
    assert schema.env_flag("X", {}) is False


def test_option_errors_name_the_option_and_survive_a_process_boundary():
    with pytest.raises(OptionError) as info:
        option("duration").parse("0")
    error = info.value
    assert str(error) == "duration: 0 s is out of range; use 1 to 60 s" and isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.option, again.reason) == (OptionError, str(error), "duration", error.reason)
    exists = pickle.loads(pickle.dumps(OutputExists("x.mp4: already exists", fix=(("force", True),))))
    assert exists.fix == (("force", True),) and isinstance(exists, FileExistsError)


@pytest.mark.parametrize("value, words", [
    ("nan", "is not a number of seconds"), ("inf", "is not a number of seconds"), ("12 s", None), ("12s", None),
])
def test_numbers_are_finite_and_may_carry_their_unit(value, words):
    if words is None:
        assert option("duration").parse(value) == 12.0
    else:
        with pytest.raises(OptionError, match=words):
            option("duration").parse(value)


def test_the_cli_words_a_library_fix_as_its_flags():
    from stillmotion.cli import with_flags

    assert with_flags((("force", True), ("output", None))) == " (--force or -o OUT)"
    assert with_flags((("engine", "cpu"), ("resolution", 720))) == " (--engine cpu or -r 720)"
    assert with_flags(()) == ""
    error = StillmotionError("the neural engine needs a GPU", fix=(("engine", "auto"),))
    assert "--" not in str(error)  # the library's own message names no flag


def test_missing_gives_the_install_line():
    from stillmotion.errors import MissingDependency, missing

    error = missing("fastapi", extra="server", needed_for="the studio")
    assert isinstance(error, MissingDependency) and isinstance(error, ImportError)
    assert str(error) == "the studio needs fastapi: pip install 'stillmotion[server]'" and error.name == "fastapi"
    assert str(missing("mediapipe", pip="pip install --no-deps mediapipe==0.10.14")).endswith("mediapipe==0.10.14")


# --- prepare(): every shell starts from the same plan and pixels -------------------------------
@pytest.fixture
def wide_photo(tmp_path):
    """2600 x 700: loaded at 2560 for 'any resolution', the director then picks 480p, which needs
    only 2048: the photo must be loaded again, as `render plan.json` loads it."""
    path = tmp_path / "wide.png"
    Image.fromarray(scene_image(2600, 700, seed=4)).save(path)
    return path


def test_every_shell_renders_the_same_plan_from_the_same_pixels(wide_photo, tmp_path, monkeypatch, capsys):
    import stillmotion.api as api
    from stillmotion.batch.inputs import Source
    from stillmotion.batch.jobs import Defaults, make_items, process_item
    from stillmotion.cli import main
    from stillmotion.server.store import Store
    from stillmotion.server.worker import run_job

    seen: dict[str, tuple] = {}
    shell = {"name": ""}

    def record(plan, photo, analysis, output, reporter, encoder):
        data = plan.to_dict()
        data.pop("photo")
        seen[shell["name"]] = (data, photo.pixels.shape, hashlib.sha256(photo.pixels.tobytes()).hexdigest())
        return output

    monkeypatch.setattr(api, "write_video", record)  # where the library calls it
    prompt, flags = "clouds drifting", ["-d", "2", "--seed", "3"]

    shell["name"] = "cli animate"
    assert main(["animate", str(wide_photo), "-p", prompt, *flags, "-o", str(tmp_path / "a.mp4"), "-q"]) == 0
    shell["name"] = "cli plan + render"
    capsys.readouterr()
    assert main(["plan", str(wide_photo), "-p", prompt, *flags, "--json"]) == 0
    (tmp_path / "plan.json").write_text(capsys.readouterr().out)
    assert main(["render", str(tmp_path / "plan.json"), "-o", str(tmp_path / "b.mp4"), "-q"]) == 0
    shell["name"] = "batch"
    defaults = Defaults(prompt=prompt, options={"duration": 2.0, "seed": 3})
    (item,) = make_items([Source(photo=wide_photo, shown="wide.png", rel="wide")], defaults)
    assert process_item(item, tmp_path / "batch").status == "done"
    shell["name"] = "studio"
    store = Store(tmp_path / "studio")
    store.create("0123456789abcdef", photo=wide_photo, prompt=prompt, options={"duration": 2.0, "seed": 3}, plan=None, fmt="mp4")
    assert run_job(store, store.claim(pid=0), threading.Event()) == "done"

    assert set(seen) == {"cli animate", "cli plan + render", "batch", "studio"}
    reference = seen["cli plan + render"]
    assert reference[1][1] == 2048 and reference[0]["canvas"]["resolution"] == 480  # the reload happened
    for name, got in seen.items():
        assert got == reference, f"{name} renders another plan or other pixels than `render plan.json`"


def test_prepare_with_a_photo_object_keeps_it(wide_photo):
    from stillmotion.api import prepare
    from stillmotion.photo import load_photo

    photo = load_photo(wide_photo, max_side=1000)
    plan, same, analysis = prepare(photo, "", duration=2.0)
    assert same is photo and plan.canvas.duration == 2.0 and analysis.depth.ndim == 2
    assert np.array_equal(same.pixels, photo.pixels)
