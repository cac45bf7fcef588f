"""The routing classifier: text features, predictions, learning, serialisation, shipped data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console import errors
from console.routing import DEPARTMENTS, Classifier, InvalidModel, starter_model
from console.routing._data import CHANNELS, read_examples, shipped_examples
from console.routing._text import FeatureSpec, Lexicon, features, jamo, normalise
from console.routing.classifier import examples_digest, train
from console.routing.evaluate import bench, evaluate
from console.routing.train import ROUTING_DIR


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    """The starter model; tests that learn work on a copy."""
    return starter_model()


@pytest.fixture
def model(shipped: Classifier) -> Classifier:
    return shipped.copy()


# -- text -----------------------------------------------------------------------------------


def test_normalise_folds_width_case_repeats_digits_emoji_and_spacing() -> None:
    assert normalise("ＢＯＴＯＸ  가격!!!!") == "botox 가격"
    assert normalise("쌍수ㅋㅋㅋㅋㅋ 300만원 😊😊😊") == normalise("쌍수ㅋㅋ 150만원 🙏🙏")
    assert normalise("see https://example.com/x now") == "see \u2318 now"
    assert normalise("  \u200b ") == ""


def test_features_ignore_spacing_and_share_jamo_across_typos() -> None:
    spec = FeatureSpec(words=False)
    assert spec.features(normalise("쌍수 가격")) == spec.features(normalise("쌍수가격"))
    assert jamo("쌍a") == "\u110a\u1161\u11bca"
    right, typo = features("쌍꺼풀 수술"), features("쌍커풀 수술")
    jamo_right = {f for f in right if f[0] >= "\u1100" and f[0] <= "\u11ff"}
    jamo_typo = {f for f in typo if f[0] >= "\u1100" and f[0] <= "\u11ff"}
    assert jamo_right & jamo_typo  # the typo still shares sub-syllable features


def test_lexicon_latin_forms_match_whole_words_and_prefixes_only() -> None:
    lexicon = Lexicon({"greeting": ["hi"], "ortho": ["orthodont*"], "botox": ["보톡스"]})
    spec = FeatureSpec(lexicon=lexicon)
    assert "\u00a7greeting" in spec.features(normalise("Hi there"))
    assert "\u00a7greeting" not in spec.features(normalise("which one is this"))
    assert "\u00a7ortho" in spec.features(normalise("an orthodontist please"))
    assert "\u00a7botox" in spec.features(normalise("사각턱보톡스 가격"))
    assert "\u00a7botox" in spec.features(normalise("보 톡 스"))  # spaces are ignored


def test_feature_spec_round_trips() -> None:
    spec = FeatureSpec(unspaced=(1, 2), jamo=(), lexicon=Lexicon({"x": ["엑스"]}, 2))
    assert FeatureSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


# -- prediction -----------------------------------------------------------------------------

CLEAR = [
    ("쌍꺼풀 수술 상담 받고 싶어요", "plastic"),
    ("잇몸이 붓고 이가 흔들려요", "dental"),
    ("여드름 흉터 레이저 가격", "derm"),
    ("위고비 처방 가능한가요", "obesity"),
    ("토요일 진료시간 알려주세요", "general"),
    ("How long is the recovery after rhinoplasty?", "plastic"),
    ("My wisdom tooth hurts", "dental"),
    ("How much is lip filler?", "derm"),
    ("Can I get Saxenda here?", "obesity"),
    ("I need an itemized receipt for my insurer", "general"),
    ("二重手術の費用はいくらですか", "plastic"),
    ("歯が痛いです", "dental"),
    ("ニキビ跡のレーザー", "derm"),
    ("痩せる薬はありますか", "obesity"),
    ("駐車場はありますか", "general"),
    ("双眼皮手术多少钱", "plastic"),
    ("种植牙多少钱", "dental"),
    ("祛痘多少钱", "derm"),
    ("减肥针多少钱", "obesity"),
    ("几点关门", "general"),
]


@pytest.mark.parametrize(("text", "department"), CLEAR)
def test_clear_messages_in_every_language(shipped: Classifier, text: str, department: str) -> None:
    prediction = shipped.predict(text)
    assert prediction.department == department
    assert prediction.confidence >= 0.5
    assert set(prediction.scores) == set(DEPARTMENTS)
    assert sum(prediction.scores.values()) == pytest.approx(1.0)
    assert prediction.scores[department] == prediction.confidence


@pytest.mark.parametrize("text", ["", "   ", "\u200b"])
def test_text_without_features_goes_to_general_with_no_confidence(
    shipped: Classifier, text: str
) -> None:
    department, confidence, scores = shipped.predict(text)
    assert (department, confidence) == ("general", 0.0)
    assert list(scores.values()) == [pytest.approx(0.2)] * 5


# -- learning -------------------------------------------------------------------------------


def test_a_correction_moves_that_text_and_similar_ones_but_not_others(model: Classifier) -> None:
    text = "리투오 시술 가격 알려주세요"
    similar = "리투오 몇 번 맞아야 해요?"
    unrelated = [t for t, _ in CLEAR]
    before = [model.predict(t).department for t in unrelated]
    assert model.predict(text).department != "derm"
    assert model.predict(similar).department != "derm"

    steps = model.learn(text, "derm")

    assert steps >= 1
    after = model.predict(text)
    assert after.department == "derm" and after.confidence >= 0.9
    assert model.predict(similar).department == "derm"
    assert [model.predict(t).department for t in unrelated] == before
    assert model.meta["corrections"] == 1
    assert model.learn(text, "derm") == 0  # already agrees


def test_learning_a_long_message_leaves_the_original_alone(shipped: Classifier) -> None:
    """How fast a correction is learnt is ``sotong bench``'s ``learn_ms``, not a test's."""
    learner = shipped.copy()
    text = "인모드 FX 받으려는데 붓기 있나요 " * 20  # a long message
    assert learner.learn(text, "plastic", confidence=0.99) >= 1
    assert learner.predict(text).department == "plastic"
    assert shipped.predict(text).department == "derm"
    assert learner.meta["corrections"] == 1 and shipped.meta.get("corrections", 0) == 0


def test_learn_refuses_unknown_departments_and_bad_confidence(model: Classifier) -> None:
    with pytest.raises(errors.UnknownDepartment):
        model.learn("치과 예약", "cardiology")
    with pytest.raises(errors.InvalidInput):
        model.learn("치과 예약", "dental", confidence=1.0)
    assert model.learn("", "dental") == 0


# -- serialisation --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["model.json", "model.json.gz"])
def test_save_and_load_round_trip_keeps_learnt_weights(
    model: Classifier, tmp_path: Path, name: str
) -> None:
    model.learn("리투오 시술 가격 알려주세요", "derm")
    path = tmp_path / "sub" / name
    model.save(path)
    loaded = Classifier.load(path)
    assert loaded.to_dict() == model.to_dict()
    for text, _ in [*CLEAR, ("리투오 시술 가격 알려주세요", "")]:
        assert loaded.predict(text) == model.predict(text)
    assert not list(path.parent.glob("*.tmp"))
    assert path.stat().st_mode & 0o444 == 0o444  # readable by all, like any shipped file


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[]", b'{"format": "other", "version": 1}', b"\x1f\x8b broken gzip"],
)
def test_unreadable_model_files_raise_invalid_model(raw: bytes) -> None:
    with pytest.raises(InvalidModel):
        Classifier.from_bytes(raw)


def test_inconsistent_model_raises_invalid_model(shipped: Classifier) -> None:
    data = shipped.to_dict()
    data["bias"] = data["bias"][:2]
    with pytest.raises(InvalidModel):
        Classifier.from_dict(data)


def test_training_is_deterministic_and_checks_labels() -> None:
    examples = [(e.text, e.department) for e in shipped_examples("train")[::10]]
    first = train(examples, folds=3)
    second = train(examples, folds=3)
    assert first.to_dict() == second.to_dict()
    assert first.meta["examples"] == len(examples)
    with pytest.raises(errors.UnknownDepartment):
        train([("치과", "dental"), ("심장", "cardiology")])


# -- shipped data and model -----------------------------------------------------------------


def test_shipped_data_is_valid_and_train_and_test_do_not_overlap() -> None:
    train_set, test_set = shipped_examples("train"), shipped_examples("test")
    assert len(train_set) >= 1500 and len(test_set) >= 360
    for examples in (train_set, test_set):
        texts = [e.text for e in examples]
        assert len(set(texts)) == len(texts)
        assert {e.channel for e in examples} <= CHANNELS
        general = sum(e.department == "general" for e in examples)
        assert general / len(examples) >= 0.15
    assert not {e.text for e in train_set} & {e.text for e in test_set}


def test_read_examples_reports_the_bad_line() -> None:
    good = json.dumps({"text": "안녕", "department": "general", "channel": "sms"})
    bad = json.dumps({"text": "안녕", "department": "cardiology", "channel": "sms"})
    with pytest.raises(errors.InvalidInput) as caught:
        read_examples([good, "", bad])
    assert caught.value.params == {"line": 3, "reason": "department"}


def test_starter_model_was_built_from_the_shipped_training_data(shipped: Classifier) -> None:
    """Fails when train.jsonl changed without running ``python -m console.routing.train``."""
    pairs = [(e.text, e.department) for e in shipped_examples("train")]
    assert shipped.meta["data_sha256"] == examples_digest(pairs)
    assert (ROUTING_DIR / "starter_model.json").is_file()


def test_accuracy_floor_on_the_shipped_test_set(shipped: Classifier) -> None:
    report = evaluate(shipped, shipped_examples("test"))
    assert report.accuracy >= 0.92, report
    assert min(report.per_department.values()) >= 0.85, report.per_department
    assert sum(map(sum, (row.values() for row in report.confusion.values()))) == report.examples
    assert report.auto_accuracy >= 0.95


def test_bench_reports_speed(shipped: Classifier) -> None:
    figures = bench(shipped, [t for t, _ in CLEAR], rounds=1)
    assert figures["classify_per_s"] > 1000  # loose: shared CI machines are slow
    assert 0 < figures["learn_ms"] < 50
