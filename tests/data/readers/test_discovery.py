import pytest

from meclean.data.readers import ImportOptions
from meclean.data.readers.casme2 import read_casme2
from meclean.data.records import SheetError
from tests.helpers import write_csv, write_frames

HEADER = ["Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "Estimated Emotion"]
ROW = [1, "EP02_01f", 10, 13, 16, "happiness"]


def frames_in(folder, prefix="reg_img"):
    write_frames(folder / "sub01" / "EP02_01f", [f"{prefix}{n}.jpg" for n in (10, 13, 16)])


@pytest.fixture
def release(tmp_path):
    write_csv(tmp_path / "CASME2-coding-20140508.csv", [HEADER, ROW])
    return tmp_path


def test_cropped_frames_win_over_raw_ones_and_the_choice_is_said(release):
    frames_in(release / "CASME2_RAW_selected", prefix="img")
    frames_in(release / "Cropped")

    report = read_casme2(release)

    assert report.frames == {"casme2": release / "Cropped"}
    (note,) = report.warnings
    assert "CASME2_RAW_selected" in note.message and "--frames" in note.message


def test_two_equally_likely_frame_folders_are_an_error_that_asks_for_frames(release):
    frames_in(release / "copy_a")
    frames_in(release / "copy_b")

    with pytest.raises(SheetError, match=r"several folders of frames.*--frames"):
        read_casme2(release)


def test_frames_may_be_named_where_the_search_would_not_look(release, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("disk2")
    frames_in(elsewhere / "a" / "b" / "c" / "d" / "e")

    report = read_casme2(release, ImportOptions(frames=elsewhere / "a" / "b" / "c" / "d" / "e"))

    assert len(report.samples) == 1


def test_frames_four_levels_down_are_found_and_video_folders_passed_over(release):
    videos = release / "CASME2_compressed" / "sub01"
    videos.mkdir(parents=True)
    (videos / "EP02_01f.avi").write_bytes(b"RIFF")
    frames_in(release / "a" / "b" / "c" / "Cropped")

    report = read_casme2(release)

    assert report.frames == {"casme2": release / "a" / "b" / "c" / "Cropped"}


def test_no_frames_at_all_names_the_folder_and_the_option(release):
    with pytest.raises(SheetError, match=r"no subject folders with image frames.*--frames"):
        read_casme2(release)


def test_macos_resource_files_beside_the_frames_are_not_frames(release):
    frames_in(release / "Cropped")
    (release / "Cropped" / "sub01" / "EP02_01f" / "._reg_img13.jpg").write_bytes(b"\0\5\26\7")

    (sample,) = read_casme2(release).samples

    assert sample.apex_path.name == "reg_img13.jpg"


def test_a_symlink_back_up_the_release_is_not_a_second_copy_of_its_frames(release):
    frames_in(release / "Cropped")
    (release / "backup").symlink_to(release)
    (release / "Cropped" / "sub01" / "up").symlink_to("..")

    report = read_casme2(release)

    assert report.frames == {"casme2": release / "Cropped"}
    assert len(report.samples) == 1 and report.warnings == []
