from meclean.data.labels import CLASSES
from meclean.ml.au_evidence import DISPUTED_BELOW, au_judgements, clashes, typical_action_units

RECIPES = {"positive": {12: 1.0}, "negative": {4: 1.0}, "surprise": {1: 1.0, 2: 1.0}}


def coded_release(subjects=6, source="casme2"):
    """Each subject: one sample of each class, coded by its class's recipe."""
    presence, labels, subject_of, sources = [], [], [], []
    for s in range(subjects):
        for label, aus in RECIPES.items():
            presence.append(dict(aus))
            labels.append(label)
            subject_of.append(f"s{s}")
            sources.append(source)
    return presence, labels, subject_of, sources


def test_a_label_its_aus_contradict_gets_a_low_probability_and_says_why():
    presence, labels, subjects, sources = coded_release()
    presence[0], labels[0] = {12: 1.0}, "negative"  # subject s0: AU12 labelled negative

    judged = au_judgements(presence, labels, subjects, sources, CLASSES)

    suspect = judged[0]
    assert suspect.probability < DISPUTED_BELOW and suspect.disputed
    assert suspect.likeliest == "positive"
    assert suspect.reason.startswith("AU12 appears in 5 of 5 positive samples of other subjects")
    assert "in 0 of 5 negative ones; this sample is labelled negative" in suspect.reason
    supported = [j for j in judged[1:] if j is not None]
    assert all(j.probability > 0.5 and not j.disputed for j in supported)


def test_a_subjects_own_samples_never_judge_its_labels():
    presence, labels, subjects, sources = coded_release()
    # s0 codes AU12 as negative over and over: only s0 itself could make that look right.
    presence += [{12: 1.0}] * 5
    labels += ["negative"] * 5
    subjects += ["s0"] * 5
    sources += ["casme2"] * 5

    judged = au_judgements(presence, labels, subjects, sources, CLASSES)

    assert all(j.disputed for j in judged[-5:])


def test_samples_without_aus_or_without_other_subjects_are_not_judged():
    presence, labels, subjects, sources = coded_release(subjects=2)
    presence.append(None)
    labels.append("positive")
    subjects.append("s9")
    sources.append("casme2")

    judged = au_judgements(presence, labels, subjects, sources, CLASSES)

    assert judged[-1] is None  # no AUs
    assert all(j is None for j in judged)  # 3 samples of one other subject: too few


def test_each_source_dataset_is_judged_by_its_own_coders():
    casme2 = coded_release(source="casme2")
    samm = coded_release(source="samm")
    # SAMM's coders code positive as AU6 alone: CASME II's habits must not dispute them.
    samm[0][:] = [
        {6: 1.0} if label == "positive" else p for p, label in zip(samm[0], samm[1], strict=True)
    ]
    presence, labels, subjects, sources = (a + b for a, b in zip(casme2, samm, strict=True))

    judged = au_judgements(presence, labels, subjects, sources, CLASSES)

    assert not any(j.disputed for j in judged)


def test_au_sets_carrying_several_labels_are_listed_with_their_samples():
    presence, labels, _, sources = coded_release()
    presence[0], labels[0] = {12: 1.0}, "negative"
    ambiguous = [False] * len(labels)

    (clash,) = clashes(presence, labels, sources, ambiguous)

    assert clash.action_units == (12,) and clash.labels == {"negative": 1, "positive": 5}
    assert clash.samples[0] == 0 and len(clash.samples) == 6
    ambiguous[0] = True
    assert clashes(presence, labels, sources, ambiguous) == []


def test_the_typical_aus_of_a_class_are_those_it_codes_more_than_the_others():
    presence, labels, _, _ = coded_release()

    typical = typical_action_units(presence, labels, CLASSES)

    assert typical["positive"] == [(12, 1.0, 0.0)]
    assert [au for au, _, _ in typical["surprise"]] == [1, 2]


def test_an_au_one_of_two_codings_offers_counts_by_its_share():
    presence, labels, subjects, sources = coded_release()
    labels[0] = "negative"
    chances = []
    for coded in ({12: 1.0}, {12: 0.5, 4: 0.5}):
        presence[0] = coded
        chances.append(au_judgements(presence, labels, subjects, sources, CLASSES)[0].probability)

    assert chances[0] < chances[1]  # "AU12 or AU4" disputes a negative label less
