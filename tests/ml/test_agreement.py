import numpy as np
import pytest

from meclean.ml.agreement import category_counts, fleiss_kappa, pair_agreement, weighted_consensus

# Fleiss (1971) as Wikipedia's "Fleiss' kappa" article works it: 10 subjects, 14 raters
# each, 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
TEXTBOOK = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_matches_the_textbook_example():
    result = fleiss_kappa(TEXTBOOK)

    assert result.kappa == pytest.approx(0.20993, abs=1e-5)
    assert result.samples == 10 and result.reason is None


def test_fleiss_kappa_with_a_varying_number_of_raters_matches_a_hand_computation():
    # P_i: 1, 0, 1/3 (the single-rater sample is left out); P-bar = 4/9.
    # p = (5/7, 2/7, 0); P_e = 29/49; kappa = (4/9 - 29/49) / (20/49) = -13/36.
    counts = category_counts(
        [["clean", "clean"], ["clean", "noisy"], ["clean", "clean", "noisy"], ["unsure"]]
    )

    result = fleiss_kappa(counts)

    assert counts[2] == [2, 1, 0]
    assert result.kappa == pytest.approx(-13 / 36)
    assert result.samples == 3


def test_fleiss_kappa_is_one_when_every_sample_is_unanimous():
    assert fleiss_kappa([[2, 0, 0], [0, 3, 0], [0, 0, 2]]).kappa == pytest.approx(1.0)


def test_fleiss_kappa_is_undefined_without_two_raters_or_with_one_verdict():
    alone = fleiss_kappa([[1, 0, 0], [0, 1, 0]])
    same = fleiss_kappa([[2, 0, 0], [3, 0, 0]])

    assert alone.kappa is None and alone.samples == 0 and "two experts" in alone.reason
    assert same.kappa is None and same.samples == 2 and "same" in same.reason


def test_cohen_kappa_and_the_confusion_match_a_hand_computation():
    first = ["clean", "clean", "noisy", "noisy", "clean", "unsure"]
    second = ["clean", "noisy", "noisy", "noisy", "clean", "clean"]
    # P_o = 4/6; marginals (3, 2, 1) and (3, 3, 0): P_e = 15/36; kappa = (2/3 - 5/12) / (7/12).

    pair = pair_agreement(first, second)

    assert pair.confusion == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]  # rows: the first expert
    assert pair.shared == 6
    assert pair.percent == pytest.approx(400 / 6)
    assert pair.kappa == pytest.approx(3 / 7)
    assert pair.kappa_reason is None


def test_cohen_kappa_is_undefined_on_one_sample_or_one_shared_verdict():
    one = pair_agreement(["clean"], ["noisy"])
    unanimous = pair_agreement(["noisy"] * 3, ["noisy"] * 3)
    none = pair_agreement([], [])

    assert one.kappa is None and "fewer than two" in one.kappa_reason
    assert one.percent == 0 and one.confusion[0][1] == 1
    assert unanimous.kappa is None and "noisy" in unanimous.kappa_reason
    assert unanimous.percent == 100
    assert none.percent is None and none.shared == 0


def test_two_experts_who_never_agree_have_a_kappa_below_zero():
    pair = pair_agreement(["clean", "noisy"], ["noisy", "clean"])

    assert pair.percent == 0
    assert pair.kappa == pytest.approx(-1.0)


def test_verdicts_outside_the_categories_are_refused():
    with pytest.raises(ValueError, match="retracted"):
        pair_agreement(["clean", "retracted"], ["clean", "clean"])
    with pytest.raises(ValueError, match="one per shared sample"):
        pair_agreement(["clean"], ["clean", "noisy"])
    with pytest.raises(ValueError, match="retracted"):
        category_counts([["retracted"]])


def test_the_weighted_consensus_trusts_the_expert_who_agrees_with_others_and_the_model():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 40)
    p_noisy = {
        s: float(np.clip(0.15 + 0.7 * t + rng.normal(0, 0.1), 0.01, 0.99))
        for s, t in enumerate(truth)
    }
    careful = {s: ("noisy" if t else "clean") for s, t in enumerate(truth)}
    careless = {s: ("noisy" if rng.random() < 0.5 else "clean") for s in range(40)}
    second = {s: v for s, v in careful.items() if s % 2} | {0: "unsure"}

    weighed = weighted_consensus({1: careful, 2: careless, 3: second}, p_noisy)

    assert weighed.annotator_quality[1] > weighed.annotator_quality[2]
    assert weighed.annotator_quality[3] > weighed.annotator_quality[2]
    assert weighed.agreement_with_consensus[1] > 0.9
    assert set(weighed.verdicts) == set(range(40))
    agree = np.mean([weighed.verdicts[s] == careful[s] for s in range(40)])
    assert agree > 0.9


def test_no_clean_or_noisy_verdict_gives_an_empty_consensus():
    assert weighted_consensus({1: {3: "unsure"}}, {3: 0.5}).verdicts == {}
