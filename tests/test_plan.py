import json

import pytest

from stillmotion.errors import PlanError
from stillmotion.plan import CAMERA_TYPES, EFFECT_TYPES, Plan


def test_defaults_and_round_trip():
    plan = Plan(photo="a.jpg")
    assert plan.schema_version == 1
    assert plan.canvas.duration == 10 and plan.canvas.fps == 30 and plan.canvas.frame_count == 300
    again = Plan.from_json(plan.to_json())
    assert again == plan


def test_unknown_key_names_key_and_allowed_keys():
    with pytest.raises(PlanError) as err:
        Plan.from_dict({"photo": "a.jpg", "camera": {"type": "orbit", "speeed": 2}})
    message = str(err.value)
    assert "camera.speeed" in message and "strength" in message and "\n" not in message


def test_unknown_value_lists_allowed_values():
    with pytest.raises(PlanError) as err:
        Plan.from_dict({"photo": "a.jpg", "camera": {"type": "zoomin"}})
    assert "zoomin" in str(err.value) and "zoom_in" in str(err.value)
    with pytest.raises(PlanError, match="fps"):
        Plan.from_dict({"photo": "a.jpg", "canvas": {"fps": 29}})


@pytest.mark.parametrize("canvas", [{"duration": 0.5}, {"duration": 61}, {"resolution": 1000}, {"aspect": "3:2"}])
def test_canvas_ranges(canvas):
    with pytest.raises(PlanError):
        Plan.from_dict({"photo": "a.jpg", "canvas": canvas})


def test_effects_validated():
    plan = Plan.from_dict({"photo": "a.jpg", "effects": [{"type": "rain", "strength": 0.8, "direction": "left"}]})
    assert plan.effects[0].type == "rain"
    with pytest.raises(PlanError, match="effects.0.type"):
        Plan.from_dict({"photo": "a.jpg", "effects": [{"type": "tornado"}]})
    with pytest.raises(PlanError, match="end"):
        Plan.from_dict({"photo": "a.jpg", "effects": [{"type": "rain", "start": 3, "end": 2}]})
    with pytest.raises(PlanError, match="style"):
        Plan.from_dict({"photo": "a.jpg", "effects": [{"type": "rain", "style": "warm"}]})
    with pytest.raises(PlanError, match="region"):
        Plan.from_dict({"photo": "a.jpg", "effects": [{"type": "water", "region": {}}]})


def test_vocabulary_is_complete():
    # Other tools rely on these names.
    assert set(CAMERA_TYPES) >= {"static", "zoom_in", "dolly_in", "pan_left", "orbit", "dolly_zoom", "ken_burns"}
    assert {"water", "clouds", "rain", "grade", "blink", "head_turn"} <= set(EFFECT_TYPES)


def test_bad_json_and_missing_file(tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text("{not json")
    with pytest.raises(PlanError, match="not valid JSON"):
        Plan.load(bad)
    with pytest.raises(PlanError, match="not found"):
        Plan.load(tmp_path / "missing.json")


def test_with_changes_returns_new_validated_plan():
    plan = Plan(photo="a.jpg")
    other = plan.with_changes(seed=7, loop=True)
    assert other.seed == 7 and other.loop and plan.seed == 0 and not plan.loop
    with pytest.raises(PlanError):
        plan.with_changes(seed=-1)
    assert json.loads(other.to_json())["seed"] == 7


def test_a_deeply_nested_plan_is_one_clear_error(tmp_path):
    nested = '{"photo": "p.jpg", "camera": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(PlanError, match="nested too deeply"):
        Plan.from_json(nested)
    path = tmp_path / "plan.json"
    path.write_text(nested)
    with pytest.raises(PlanError, match="nested too deeply"):
        Plan.load(path)
