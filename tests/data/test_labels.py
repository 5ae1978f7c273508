import pytest

from meclean.data.labels import UnknownEmotion, emotion_to_class


@pytest.mark.parametrize(
    ("dataset", "emotion", "label"),
    [
        ("casme2", "happiness", "positive"),
        ("casme2", "repression", "negative"),
        ("casme2", "Disgust", "negative"),
        ("casme2", "surprise", "surprise"),
        ("samm", "Contempt", "negative"),
        ("samm", "Fear", "negative"),
        ("samm", "Happiness", "positive"),
        ("smic", "sur", "surprise"),
        ("smic", "negative", "negative"),
    ],
)
def test_emotions_map_to_the_papers_three_classes(dataset, emotion, label):
    assert emotion_to_class(dataset, emotion) == label


@pytest.mark.parametrize(
    ("dataset", "emotion"),
    [("casme2", "others"), ("casme2", "fear"), ("casme2", "sadness"), ("samm", "Other")],
)
def test_emotions_outside_the_task_are_excluded(dataset, emotion):
    assert emotion_to_class(dataset, emotion) is None


def test_an_unknown_emotion_is_an_error_that_lists_the_known_ones():
    with pytest.raises(UnknownEmotion, match=r"happpiness.*known: .*happiness"):
        emotion_to_class("casme2", "happpiness")
