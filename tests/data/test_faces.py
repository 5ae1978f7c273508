"""Faces in raw frames, on a real photograph: NASA's portrait of Eileen Collins, which
scikit-image ships (``skimage.data.astronaut``)."""

import cv2
import numpy as np
import pytest

from meclean.data.faces import FaceCrop, locate_face, read_frame
from meclean.data.flow import FlowSettings, flow_features
from meclean.data.readers import ImportOptions, read_dataset
from tests.data.helpers import ROOM, in_a_room, make_manifest, portrait


def test_the_face_of_a_raw_frame_is_found_with_its_eyes():
    frame = in_a_room(portrait())

    face = locate_face(frame)

    assert face is not None and abs(face.angle) < 4
    # The portrait's eyes lie near (220, 103) of its 512x512 image.
    pivot_in_portrait = (face.pivot[0] - 250, face.pivot[1] - 150)
    assert abs(pivot_in_portrait[0] - 220) < 12 and abs(pivot_in_portrait[1] - 103) < 12
    *_, width, height = face.box
    assert 80 < width < 160 and height == pytest.approx(width * 170 / 140, abs=1)


def test_the_face_is_chosen_over_a_larger_face_like_patch_on_the_shirt():
    # Placed here, the detector also finds the mission patch, a box larger than the face.
    frame = in_a_room(portrait(), at=(140, 290))

    face = locate_face(frame)

    eyes_y = face.pivot[1] - 140
    assert abs(eyes_y - 103) < 12, "the box is on the shirt, not the face"


def test_a_turned_head_is_cropped_with_its_eyes_level():
    frame = in_a_room(portrait(), tilt=12)

    face = locate_face(frame)

    assert face is not None and abs(abs(face.angle) - 12) < 4
    again = locate_face(cv2.resize(face.apply(frame), None, fx=3, fy=3))
    assert again is not None and abs(again.angle) < 4


def test_a_frame_without_a_face_has_no_box():
    assert locate_face(np.full(ROOM, 128, np.uint8)) is None


def test_flow_of_a_cropped_face_ignores_motion_in_the_room(tmp_path):
    onset = in_a_room(portrait())
    apex = onset.copy()
    # Something moves behind the subject, far from the face: 6 px to the right.
    apex[450:650, 40:240] = onset[450:650, 34:234]
    face = locate_face(onset)
    settings = FlowSettings()

    whole = flow_features(onset, apex, settings)
    cropped = flow_features(face.apply(onset), face.apply(apex), settings)

    # Flow is measured at the 170x140 working size: 6 px of 900 is about one pixel there.
    assert np.abs(whole[0]).max() > 0.2, "the room's motion shows in the whole frame"
    assert np.abs(cropped[0]).max() < 0.02, "the face did not move"


@pytest.fixture
def mixed_release(tmp_path):
    """One raw frame, one frame already cropped to the face, one without a face."""
    face = portrait()[40:200, 150:290]
    return make_manifest(
        tmp_path,
        {
            "raw": in_a_room(portrait()),
            "crop": cv2.resize(face, (280, 340)),
            "empty": np.full(ROOM, 90, np.uint8),
        },
    )


def test_an_import_crops_raw_frames_leaves_face_crops_whole_and_says_which(mixed_release):
    report = read_dataset("manifest", mixed_release)

    by_name = {s.name: s for s in report.samples}
    assert by_name["raw"].face is not None
    assert by_name["crop"].face is None and by_name["empty"].face is None
    assert [i.sample for i in report.faces] == [by_name["raw"].sample_id]
    assert "cropped to" in report.faces[0].message and "level the eyes" in report.faces[0].message
    assert report.face_counts == {
        "cropped to the face": 1,
        "already a face crop": 1,
        "no face found (kept whole)": 1,
    }
    assert read_frame(by_name["raw"].apex_path, by_name["raw"].face).shape == (
        by_name["raw"].face.box[3],
        by_name["raw"].face.box[2],
    )


def test_asked_to_crop_every_face_an_import_warns_of_frames_without_one(mixed_release):
    report = read_dataset("manifest", mixed_release, ImportOptions(faces="crop"))

    assert sorted(s.name for s in report.samples if s.face) == ["crop", "raw"]
    (warning,) = report.warnings
    assert warning.sample.endswith("/empty") and "no face found" in warning.message


def test_asked_to_keep_frames_whole_an_import_looks_for_no_face(mixed_release):
    report = read_dataset("manifest", mixed_release, ImportOptions(faces="keep"))

    assert all(s.face is None for s in report.samples) and not report.face_counts


def test_a_face_box_survives_the_database_round_trip():
    face = FaceCrop(-3.25, (412.5, 260.0), (360, 180, 130, 158))

    assert FaceCrop.from_dict(face.as_dict()) == face
    assert FaceCrop.from_dict(None) is None
