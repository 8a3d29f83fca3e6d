"""The screening scales scored against their published rules: known answer sets computed by
hand, every band's boundaries, refusals of wrong answers, properties over every possible answer
set (hypothesis), and the checks that refuse a broken scale file at start-up."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nuanxin.hotline import scales

GAD7 = scales.get("GAD-7")
PHQ9 = scales.get("PHQ-9")
SAS = scales.get("SAS")
SAS_REVERSED = (5, 9, 13, 17, 19)


def outcome(scale, answers):
    r = scale.score(answers)
    return (r.score, r.standard_score, r.band, r.flagged, r.crisis)


def test_the_three_scales_are_loaded_in_order():
    assert [s.code for s in scales.all()] == ["GAD-7", "PHQ-9", "SAS"]
    assert [s.code for s in scales.public()] == ["GAD-7", "PHQ-9"]
    assert [len(s.items) for s in scales.all()] == [7, 9, 20]
    assert scales.get("gad-7") is GAD7  # codes are case-insensitive
    with pytest.raises(KeyError):
        scales.get("BDI")


def test_the_official_chinese_texts():
    assert str(GAD7.items[0].text.zh) == "感觉紧张，焦虑或急切"
    assert GAD7.items[6].text.zh == "感到似乎将有可怕的事情发生而害怕"
    assert [o.label.zh for o in GAD7.items[0].options] == ["完全不会", "好几天", "一半以上的日子", "几乎每天"]
    assert PHQ9.items[8].text.zh == "有不如死掉或用某种方式伤害自己的念头"
    assert SAS.items[4].text.zh == "我觉得一切都很好，也不会发生什么不幸"
    assert [o.label.zh for o in SAS.items[0].options] == [
        "没有或很少时间",
        "小部分时间",
        "相当多时间",
        "绝大部分或全部时间",
    ]
    assert [i.number for i in SAS.items if i.reversed] == list(SAS_REVERSED)


# --- GAD-7: 7 items 0–3, total 0–21; minimal 0–4, mild 5–9, moderate 10–14, severe 15–21; flag ≥ 10 ---


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0], (0, None, "minimal", False, False)),
        ([1, 1, 1, 1, 0, 0, 0], (4, None, "minimal", False, False)),
        ([1, 1, 1, 1, 1, 0, 0], (5, None, "mild", False, False)),
        ([1, 2, 3, 0, 1, 2, 0], (9, None, "mild", False, False)),
        ([2, 2, 2, 1, 1, 1, 1], (10, None, "moderate", True, False)),
        ([3, 3, 2, 2, 2, 1, 1], (14, None, "moderate", True, False)),
        ([3, 3, 3, 3, 3, 0, 0], (15, None, "severe", True, False)),
        ([3, 3, 3, 3, 3, 3, 3], (21, None, "severe", True, False)),
    ],
)
def test_gad7_known_answers(answers, expected):
    assert outcome(GAD7, answers) == expected


# --- PHQ-9: 9 items 0–3, total 0–27; 0–4, 5–9, 10–14, 15–19, 20–27; flag ≥ 10; item 9 > 0 = crisis ---


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], (0, None, "minimal", False, False)),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], (4, None, "minimal", False, False)),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], (5, None, "mild", False, False)),
        ([1, 1, 1, 1, 1, 1, 1, 1, 0], (8, None, "mild", False, False)),
        ([2, 2, 2, 2, 1, 0, 0, 0, 0], (9, None, "mild", False, False)),
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], (10, None, "moderate", True, False)),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], (14, None, "moderate", True, False)),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], (15, None, "mod_severe", True, False)),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], (19, None, "mod_severe", True, False)),
        ([3, 3, 3, 3, 3, 2, 2, 1, 0], (20, None, "severe", True, False)),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3], (27, None, "severe", True, True)),
    ],
)
def test_phq9_known_answers(answers, expected):
    assert outcome(PHQ9, answers) == expected


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_0_is_a_crisis_whatever_the_total(item9):
    result = PHQ9.score([0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert (result.score, result.band, result.flagged, result.crisis) == (item9, "minimal", False, True)
    assert [r.en for r in result.crisis_reasons] == [
        "PHQ-9 question 9 (thoughts of death or self-harm) answered above 0"
    ]


def test_phq9_item9_at_0_is_no_crisis_even_when_severe():
    result = PHQ9.score([3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.score, result.band, result.flagged, result.crisis, result.crisis_reasons) == (
        24,
        "severe",
        True,
        False,
        (),
    )


# --- SAS: 20 items 1–4, items 5, 9, 13, 17, 19 reversed (5 − x), raw 20–80, standard int(raw × 1.25);
#     < 50 normal, 50–59 mild, 60–69 moderate, ≥ 70 severe; flag ≥ 50 ---


def sas_answers(raw: int) -> list[int]:
    """Printed answers whose raw sum is ``raw``: start from the calmest (1 on the plain items, 4
    on the reversed ones: raw 20) and add one step of distress to item after item."""
    answers = [4 if n in SAS_REVERSED else 1 for n in range(1, 21)]
    for step in range(raw - 20):
        index = step % 20
        answers[index] += -1 if index + 1 in SAS_REVERSED else 1
    return answers


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # all 1: 15 plain items × 1 + 5 reversed × (5 − 1) = 35; 35 × 1.25 = 43.75 → 43
        ([1] * 20, (35, 43, "normal", False, False)),
        # all 2: 15 × 2 + 5 × 3 = 45; 56.25 → 56
        ([2] * 20, (45, 56, "mild", True, False)),
        # all 3: 15 × 3 + 5 × 2 = 55; 68.75 → 68
        ([3] * 20, (55, 68, "moderate", True, False)),
        # all 4: 15 × 4 + 5 × 1 = 65; 81.25 → 81
        ([4] * 20, (65, 81, "severe", True, False)),
        # the calmest answers: plain 1, reversed 4 → 20 × 1 = 20 → 25
        ([4 if n in SAS_REVERSED else 1 for n in range(1, 21)], (20, 25, "normal", False, False)),
        # the most anxious: plain 4, reversed 1 → 20 × 4 = 80 → 100
        ([1 if n in SAS_REVERSED else 4 for n in range(1, 21)], (80, 100, "severe", True, False)),
        # a mixed set (see the next test): 28 + 11 = 39; 48.75 → 48, just below the cut-off
        ([2, 2, 3, 1, 3, 2, 2, 1, 2, 2, 3, 2, 4, 1, 2, 1, 3, 2, 2, 2], (39, 48, "normal", False, False)),
    ],
)
def test_sas_known_answers(answers, expected):
    assert outcome(SAS, answers) == expected


def test_sas_mixed_set_by_hand():
    answers = [2, 2, 3, 1, 3, 2, 2, 1, 2, 2, 3, 2, 4, 1, 2, 1, 3, 2, 2, 2]
    plain = [a for n, a in enumerate(answers, 1) if n not in SAS_REVERSED]
    reversed_scores = [5 - a for n, a in enumerate(answers, 1) if n in SAS_REVERSED]
    assert sum(plain) == 28
    assert reversed_scores == [2, 3, 1, 2, 3]  # items 5, 9, 13, 17, 19 answered 3, 2, 4, 3, 2
    assert SAS.score(answers).score == 28 + 11


@pytest.mark.parametrize(
    ("raw", "standard", "band", "flagged"),
    [
        (20, 25, "normal", False),
        (39, 48, "normal", False),  # 48.75
        (40, 50, "mild", True),  # the cut-off
        (47, 58, "mild", True),  # 58.75
        (48, 60, "moderate", True),
        (55, 68, "moderate", True),  # 68.75
        (56, 70, "severe", True),
        (80, 100, "severe", True),
    ],
)
def test_sas_band_boundaries(raw, standard, band, flagged):
    result = SAS.score(sas_answers(raw))
    assert (result.score, result.standard_score, result.band, result.flagged) == (raw, standard, band, flagged)


@pytest.mark.parametrize(
    ("scale", "boundaries"),
    [
        (
            GAD7,
            [
                (0, "minimal"),
                (4, "minimal"),
                (5, "mild"),
                (9, "mild"),
                (10, "moderate"),
                (14, "moderate"),
                (15, "severe"),
                (21, "severe"),
            ],
        ),
        (
            PHQ9,
            [
                (0, "minimal"),
                (4, "minimal"),
                (5, "mild"),
                (9, "mild"),
                (10, "moderate"),
                (14, "moderate"),
                (15, "mod_severe"),
                (19, "mod_severe"),
                (20, "severe"),
                (27, "severe"),
            ],
        ),
    ],
)
def test_every_band_boundary(scale, boundaries):
    for total, band in boundaries:
        answers = [0] * len(scale.items)
        left = total
        for i in range(len(answers) - 1):  # keep PHQ-9's item 9 at 0 (no crisis) while possible
            answers[i] = min(3, left)
            left -= answers[i]
        answers[-1] = left
        result = scale.score(answers)
        assert (result.score, result.band, result.flagged) == (total, band, total >= 10), total


def test_band_labels_follow_the_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert GAD7.score([3] * 7).band_label == "重度焦虑"
    with translation.override("en"):
        assert GAD7.score([3] * 7).band_label == "Severe anxiety"
        assert PHQ9.score([2, 2, 2, 2, 2, 2, 2, 1, 0]).band_label == "Moderately severe depression"


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "answers", "message"),
    [
        (GAD7, [0] * 6, "GAD-7 has 7 questions: answer each of them once (6 answers were given)."),
        (GAD7, [0] * 8, "GAD-7 has 7 questions: answer each of them once (8 answers were given)."),
        (PHQ9, [], "PHQ-9 has 9 questions: answer each of them once (0 answers were given)."),
        (GAD7, [0, 0, 0, 4, 0, 0, 0], "The answer to question 4 must be one of 0, 1, 2, 3, not 4."),
        (GAD7, [0, 0, 0, 0, 0, 0, -1], "The answer to question 7 must be one of 0, 1, 2, 3, not -1."),
        (SAS, [0] + [1] * 19, "The answer to question 1 must be one of 1, 2, 3, 4, not 0."),
        (SAS, [1] * 19 + [5], "The answer to question 20 must be one of 1, 2, 3, 4, not 5."),
        (GAD7, [0, 0, 1.5, 0, 0, 0, 0], "The answer to question 3 must be one of 0, 1, 2, 3, not 1.5."),
        (GAD7, [0, 0, True, 0, 0, 0, 0], "The answer to question 3 must be one of 0, 1, 2, 3, not True."),
        (GAD7, [0, 0, "x", 0, 0, 0, 0], "The answer to question 3 must be one of 0, 1, 2, 3, not x."),
        (GAD7, [0, None, 0, 0, 0, 0, 0], "Answer question 2."),
        (GAD7, "0000000", "The answers must be a list of numbers, one per question."),
        (GAD7, 7, "The answers must be a list of numbers, one per question."),
        (GAD7, {"1": 0}, "The answers must be a list of numbers, one per question."),
    ],
)
def test_wrong_answers_are_refused_with_a_clear_message(english, scale, answers, message):
    with pytest.raises(scales.ScaleError) as refused:
        scale.score(answers)
    assert refused.value.message == message
    assert refused.value.field == "answers"


def test_answers_as_digits_and_whole_floats_are_read():
    assert GAD7.score(["1", "2", "3", "0", 1.0, 2, 0]).score == 9


# --- properties over every possible answer set -------------------------------------------------


def answer_sets(scale):
    return st.tuples(*[st.sampled_from(item.values) for item in scale.items]).map(list)


@pytest.mark.parametrize("scale", [GAD7, PHQ9, SAS], ids=lambda s: s.code)
def test_scores_stay_in_range_and_bands_hold_them(scale):
    @settings(max_examples=300, deadline=None)
    @given(answer_sets(scale))
    def check(answers):
        result = scale.score(answers)
        low, high = scale.raw_range
        assert low <= result.score <= high
        banded = result.banded_score
        band = scale.band(result.band)
        assert band.min <= banded <= band.max
        assert result.flagged == (banded >= scale.flag_at)
        if scale.multiplier is not None:
            assert result.standard_score == int(result.score * 1.25)
        assert result.crisis == any(answers[r.item - 1] > r.above for r in scale.crisis_rules)

    check()


@pytest.mark.parametrize("scale", [GAD7, PHQ9, SAS], ids=lambda s: s.code)
def test_more_distress_never_lowers_the_score_or_the_band(scale):
    order = [b.code for b in scale.bands]

    @settings(max_examples=300, deadline=None)
    @given(answer_sets(scale), st.integers(min_value=0, max_value=len(scale.items) - 1))
    def check(answers, index):
        item = scale.items[index]
        # One step more distress: a higher printed answer, or a lower one on a reversed item.
        step = -1 if item.reversed else 1
        worse = list(answers)
        worse[index] += step
        if worse[index] not in item.values:
            return
        before, after = scale.score(answers), scale.score(worse)
        assert after.score == before.score + 1
        assert after.banded_score >= before.banded_score
        assert order.index(after.band) >= order.index(before.band)
        assert after.flagged >= before.flagged
        assert after.crisis >= before.crisis

    check()


# --- scale files: a new scale is a file; a broken one is refused at start-up -------------------------


HERE = Path(scales.__file__).parent


def write(directory: Path, name: str, data) -> Path:
    path = directory / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def gad7_data() -> dict:
    return json.loads((HERE / "gad7.json").read_text(encoding="utf-8"))


def test_a_new_scale_is_added_as_a_file(tmp_path):
    for name in ("gad7.json", "phq9.json", "sas.json"):
        shutil.copy(HERE / name, tmp_path / name)
    who5 = {
        "code": "WHO-5",
        "order": 4,
        "public": False,
        "name": {"zh-hans": "世界卫生组织五项身心健康指标", "en": "WHO-5 Well-Being Index"},
        "short_name": {"zh-hans": "WHO-5", "en": "WHO-5"},
        "instructions": {"zh-hans": "请根据过去两周的感受作答。", "en": "Answer for the last two weeks."},
        "source": "WHO Regional Office for Europe, 1998.",
        "options": [{"value": v, "label": {"zh-hans": str(v), "en": str(v)}} for v in range(6)],
        "items": [{"number": n, "text": {"zh-hans": f"第{n}题", "en": f"Item {n}"}} for n in range(1, 6)],
        "scoring": {
            "method": "sum",
            "reversed": [1, 2, 3, 4, 5],
            "reverse_from": 5,
            "multiplier": 4,
            "rounding": "floor",
        },
        "flag_at": 52,
        "bands": [
            {
                "code": "good",
                "min": 0,
                "max": 51,
                "callback": "mild",
                "label": {"zh-hans": "良好", "en": "Good"},
                "guidance": {"zh-hans": "保持。", "en": "Keep it up."},
            },
            {
                "code": "poor",
                "min": 52,
                "max": 100,
                "callback": "moderate",
                "label": {"zh-hans": "较差", "en": "Poor"},
                "guidance": {"zh-hans": "请联系热线。", "en": "Call the hotline."},
            },
        ],
        "crisis": [],
    }
    write(tmp_path, "who5.json", who5)
    loaded = scales.load(tmp_path)
    assert list(loaded) == ["GAD-7", "PHQ-9", "SAS", "WHO-5"]
    # Reversed (distress = 5 − wellbeing), × 4: all 5 → 0; all 2 → 15 × 4 = 60, flagged.
    assert outcome(loaded["WHO-5"], [5] * 5) == (0, 0, "good", False, False)
    assert outcome(loaded["WHO-5"], [2] * 5) == (15, 60, "poor", True, False)


def broken(mutate) -> dict:
    data = copy.deepcopy(gad7_data())
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d.pop("bands"), "missing keys ['bands']"),
        (lambda d: d.update(extra=1), "unknown keys ['extra']"),
        (lambda d: d["bands"][1].update(min=6), "band 'mild' must start at 5 (the bands cover 0–21 once, in order)"),
        (lambda d: d["bands"][1].update(min=4), "band 'mild' must start at 5 (the bands cover 0–21 once, in order)"),
        (lambda d: d["bands"][3].update(max=20), "the last band must end at 21, the highest possible score"),
        (
            lambda d: d["bands"][3].update(callback="soon"),
            "bands[3].callback must be one of ['severe', 'moderate', 'mild']",
        ),
        (
            lambda d: d["bands"][0].update(code="Minimal!"),
            "bands[0].code must be 1 to 16 lower-case letters, digits or _",
        ),
        (lambda d: d.update(flag_at=22), "flag_at must lie above 0 and at most 21"),
        (
            lambda d: d["items"][2].update(number=4),
            "items[2].number must be 3 (items are numbered 1, 2, 3... in order)",
        ),
        (
            lambda d: d["items"][0]["text"].pop("en"),
            "items[0].text must be an object with exactly the languages ['zh-hans', 'en']",
        ),
        (lambda d: d["items"][0]["text"].update(en=" "), "items[0].text['en'] must be a non-empty text"),
        (
            lambda d: d["scoring"].update(reversed=[8], reverse_from=3),
            "scoring.reversed names item 8, which the scale does not have",
        ),
        (
            lambda d: d["scoring"].update(reversed=[1]),
            "scoring.reverse_from must be a whole number when items are reversed",
        ),
        (
            lambda d: d["scoring"].update(multiplier=1.25),
            "scoring.rounding must be one of ['ceil', 'floor', 'round'] with a multiplier",
        ),
        (lambda d: d["scoring"].update(method="mean"), "scoring.method must be \"sum\", not 'mean'"),
        (
            lambda d: d.update(crisis=[{"item": 9, "above": 0, "reason": {"zh-hans": "x", "en": "x"}}]),
            "crisis[0].item names item 9, which the scale does not have",
        ),
        (
            lambda d: d.update(crisis=[{"item": 1, "above": 3, "reason": {"zh-hans": "x", "en": "x"}}]),
            "crisis[0].above must lie between 0 and 2",
        ),
        (lambda d: d["options"][1].update(value=0), "options: option values must differ ([0, 0, 2, 3])"),
        (
            lambda d: d.update(code="A-VERY-LONG-SCALE-CODE"),
            "code must be a text of 1 to 16 characters without surrounding spaces",
        ),
    ],
)
def test_a_broken_scale_file_is_named_with_its_problem(tmp_path, mutate, problem):
    write(tmp_path, "gad7.json", broken(mutate))
    with pytest.raises(scales.ScaleFileError) as refused:
        scales.load(tmp_path)
    assert problem in refused.value.problems
    assert refused.value.path.endswith("gad7.json")


def test_a_file_that_is_not_json_or_a_code_used_twice_is_refused(tmp_path):
    write(tmp_path, "a.json", "{not json")
    with pytest.raises(scales.ScaleFileError) as refused:
        scales.load(tmp_path)
    assert refused.value.problems[0].startswith("not readable as UTF-8 JSON: ")
    (tmp_path / "a.json").unlink()
    write(tmp_path, "a.json", gad7_data())
    write(tmp_path, "b.json", {**gad7_data(), "code": "gad-7"})
    with pytest.raises(scales.ScaleFileError) as refused:
        scales.load(tmp_path)
    assert refused.value.problems == ["the code 'gad-7' is used by another file"]


def test_the_system_check_reports_a_broken_file_and_passes_the_shipped_ones(tmp_path, monkeypatch):
    assert scales.check_scale_files() == []
    write(tmp_path, "gad7.json", broken(lambda d: d["bands"][1].update(min=6)))
    monkeypatch.setattr(scales, "HERE", tmp_path)
    errors = scales.check_scale_files()
    assert [e.id for e in errors] == ["hotline.E001"]
    assert errors[0].msg == (
        f"The screening scale file {tmp_path / 'gad7.json'} is broken: "
        "band 'mild' must start at 5 (the bands cover 0–21 once, in order)"
    )


def test_the_check_runs_with_django_checks(tmp_path, monkeypatch):
    from django.core import checks

    assert [m for m in checks.run_checks() if m.id == "hotline.E001"] == []
    write(tmp_path, "x.json", "[]")
    monkeypatch.setattr(scales, "HERE", tmp_path)
    found = [m for m in checks.run_checks() if m.id == "hotline.E001"]
    assert len(found) == 1 and "the file must hold one JSON object" in found[0].msg


def test_the_api_description_of_a_scale():
    described = SAS.as_dict()
    assert described["code"] == "SAS"
    assert described["score_range"] == [20, 80]
    assert described["standard_score"] is True
    assert described["flag_at"] == 50
    assert [b["code"] for b in described["bands"]] == ["normal", "mild", "moderate", "severe"]
    assert described["items"][4]["reversed"] is True
    assert [o["value"] for o in described["items"][0]["options"]] == [1, 2, 3, 4]
    assert PHQ9.as_dict()["crisis"] == [{"item": 9, "above": 0}]
