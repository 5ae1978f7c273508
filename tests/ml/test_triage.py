import numpy as np
import pytest

from meclean.ml.triage import (
    label_quality,
    nearest_neighbours,
    out_of_fold_loss,
    percentile_ranks,
    share_below,
    small_data_caveats,
    suspicion,
)

PROBABILITIES = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
LABELS = np.array([0, 1, 1, 2])


def run(loss, flag_rate, quality):
    return {
        "loss": np.array(loss, float),
        "flag_rate": np.array(flag_rate, float),
        "label_quality": np.array(quality, float),
    }


def test_the_out_of_fold_loss_is_the_cross_entropy_of_the_given_label():
    np.testing.assert_allclose(
        out_of_fold_loss(LABELS, PROBABILITIES), -np.log([0.8, 0.8, 0.2, 0.4])
    )


def test_label_quality_is_lowest_where_another_class_is_preferred():
    quality = label_quality(LABELS, PROBABILITIES)

    assert np.argmin(quality) == 2  # labelled 1, but the model prefers class 0
    assert ((quality >= 0) & (quality <= 1)).all()


def test_a_sample_worst_on_every_signal_comes_first():
    score = suspicion([run([0.1, 3.0, 0.5], [0.0, 0.9, 0.2], [0.9, 0.1, 0.5])], np.zeros(3))

    assert list(np.argsort(-score)) == [1, 2, 0]


def test_a_signal_equal_for_every_sample_leaves_the_order_to_the_others():
    one = run([0.1, 3.0, 0.5], [0.0, 0.9, 0.2], [0.9, 0.1, 0.5])

    without = suspicion([one], np.zeros(3, bool))
    with_disagreement = suspicion([one], np.array([False, False, True]))

    assert list(np.argsort(-without)) == [1, 2, 0]
    assert with_disagreement[2] > without[2]  # experts disagreeing raise a sample


def test_runs_are_averaged_per_signal():
    first = run([1.0, 2.0], [0.1, 0.2], [0.5, 0.4])
    second = run([2.0, 1.0], [0.2, 0.1], [0.4, 0.5])

    score = suspicion([first, second], np.zeros(2))

    assert score[0] == pytest.approx(score[1])


def test_percentile_ranks_share_ties():
    np.testing.assert_allclose(
        percentile_ranks(np.array([1.0, 5.0, 5.0, 2.0])), [0.25, 0.875, 0.875, 0.5]
    )


def test_the_share_below_counts_the_other_members_of_the_group_only():
    values = np.array([1.0, 9.0, 2.0, 3.0, 2.0])
    groups = ["a", "b", "a", "a", "a"]

    assert share_below(values, groups, 3) == 1.0  # above all three others of group a
    assert share_below(values, groups, 2) == pytest.approx(1 / 3)  # a tie is not below
    assert share_below(values, groups, 1) is None  # alone in group b


def test_nearest_neighbours_exclude_the_sample_and_come_nearest_first():
    embedding = np.array([[0.0, 0.0], [5.0, 0.0], [1.0, 0.0], [0.0, 2.0]])

    assert nearest_neighbours(embedding, 0, 2) == [(2, 1.0), (3, 2.0)]
    assert len(nearest_neighbours(embedding, 0, 10)) == 3


def test_small_classes_and_subjects_are_named_as_caveats():
    assert small_data_caveats(200, 20, "negative", "casme2/sub01") == []
    rare, small = small_data_caveats(7, 2, "surprise", "samm/006")
    assert "only 7 samples are labelled surprise" in rare
    assert "samm/006 has only 2 samples" in small


def test_the_au_signal_ranks_disputed_labels_first_and_unjudged_ones_in_the_middle():
    one = run([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.5, 0.5, 0.5])
    doubt = np.array([0.1, np.nan, 0.9])

    score = suspicion([one], np.zeros(3, bool), doubt)
    alone = suspicion([], np.zeros(3, bool), doubt, use={"au_evidence"})

    assert score[2] > score[1] > score[0]
    assert list(np.argsort(-alone)) == [2, 1, 0] and alone[1] == 0.5


def test_only_the_chosen_signals_rank():
    one = run([3.0, 0.1], [0.0, 0.0], [0.5, 0.5])
    doubt = np.array([0.0, 1.0])

    by_loss = suspicion([one], np.zeros(2, bool), doubt, use={"loss"})
    by_aus = suspicion([one], np.zeros(2, bool), doubt, use={"au_evidence"})

    assert by_loss[0] > by_loss[1] and by_aus[1] > by_aus[0]
