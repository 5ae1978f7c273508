"""CAS(ME)^3 Part A, 4DME and MMEW, read from trees built to their official layouts."""

from collections import Counter

from openpyxl import Workbook

from meclean.data.readers import read_dataset
from tests.helpers import write_frames


def write_sheet(path, header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def test_casme3a_names_each_micro_expression_of_a_video_by_its_onset(tmp_path):
    header = ["Subject", "Filename", "Onset", "Apex", "Offset", "AU", "Objective class", "emotion"]
    rows = [
        ["spNO.1", "a", 28, 31, 40, "12", 1, "happy"],
        ["spNO.1", "a", 120, 125, 130, "4", 3, "disgust"],
        ["spNO.1", "b", 5, 8, 12, "1+2", 5, "surprise"],
        ["spNO.1", "c", 5, 8, 12, "1+2", 5, "Others"],
        ["spNO.149", "d", 112, 83, 358, "T28+14", 2, "fear"],  # a known error: apex 123
    ]
    for subject, video, onset, apex, offset, *_ in rows:
        fixed = 123 if subject == "spNO.149" else apex
        color = tmp_path / "part_A" / "data" / "part_A_split" / "part_A" / subject / video / "color"
        write_frames(color, [f"{n}.jpg" for n in (onset, fixed, offset)])
        write_frames(color.parent / "depth", [f"{onset}.png"])
    write_sheet(
        tmp_path / "part_A" / "annotation" / "cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx",
        header,
        rows,
    )
    write_sheet(
        tmp_path / "part_A" / "annotation" / "cas(me)3_part_A_MaE_label_JpgIndex_v2.xlsx",
        header,
        [],
    )

    report = read_dataset("casme3a", tmp_path)

    assert report.skipped == []
    assert {(s.subject, s.name, s.label) for s in report.samples} == {
        ("spNO.1", "a_28", "positive"),
        ("spNO.1", "a_120", "negative"),
        ("spNO.1", "b_5", "surprise"),
        ("spNO.149", "d_112", "negative"),
    }
    assert report.excluded == {"Others": 1}
    (fix,) = report.corrections
    assert (fix.sample, fix.field) == ("spNO.149/d_112", "Apex")
    assert {s.name: s for s in report.samples}["d_112"].apex_path.name == "123.jpg"
    aus = {s.name: (s.action_units.code(), s.objective_class) for s in report.samples}
    assert aus["a_28"] == ("12", "1") and aus["d_112"] == ("T28+14", "2")


def test_4dme_prefers_cropped_frames_and_leaves_out_samples_of_several_emotions(tmp_path):
    header = ["sub_ID", "fold_name", "Onset", "Apex", "Offset", "AUs", "Emotion", "fold"]
    rows = [
        ["S01", "S01_1st_001_01_1", 1826, 1830, 1840, "AU12", "Positive", 1],
        ["S01", "S01_1st_002_01_1", 310, 314, 320, "AU4+AU7(k)", "Repression", 1],
        ["S02", "S02_1st_001_02_1", 50, 54, 60, "AU1+AU2", "Surprise+Positive", 2],
        ["S02", "S02_1st_003_01_1", 70, 74, 80, "AU4", "Others", 2],
    ]
    for subject, fold, onset, apex, offset, *_ in rows:
        for part in ("gray_micro", "gray_micro_crop"):
            write_frames(
                tmp_path / part / subject / fold,
                [f"Frame_{n:09d}.jpg" for n in (onset, apex, offset)],
            )
    write_sheet(tmp_path / "4DME_Labelling_Micro_release v1.xlsx", header, rows)
    write_sheet(tmp_path / "4DME_Labelling_Micro_extras_release v1.xlsx", header, [])

    report = read_dataset("4dme", tmp_path)

    assert report.frames == {"4dme": tmp_path / "gray_micro_crop"}
    assert {(s.name, s.label) for s in report.samples} == {
        ("S01_1st_001_01_1", "positive"),
        ("S01_1st_002_01_1", "negative"),
    }
    assert report.excluded == {"Surprise+Positive": 1, "Others": 1}
    coding = {s.name: s.action_units for s in report.samples}["S01_1st_002_01_1"]
    assert coding.code() == "4+7(k)" and coding.presence() == {4: 1.0}
    assert {s.apex_path.name for s in report.samples} == {
        "Frame_000001830.jpg",
        "Frame_000000314.jpg",
    }


def test_mmew_finds_micro_expression_folders_inside_emotion_folders(tmp_path):
    header = ["Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "remarks",
              "Action Units", "Estimated Emotion"]  # fmt: skip
    rows = [
        ["S03", "S03-01-002", 1, 15, 30, "", "AU6+AU12", "happiness"],
        ["S03", "S03-04-001", 1, 9, 22, "", "AU4", "Disgust"],
        ["S05", "S05-03-001", 1, 7, 19, "", "AU1+AU2", "surprise"],
        ["S05", "S05-07-001", 1, 7, 19, "", "AU14", "others"],
    ]
    for _, name, onset, apex, offset, _, _, emotion in rows:
        for part in ("Micro_Expression", "Macro_Expression"):
            write_frames(
                tmp_path / "MMEW_Final" / part / emotion.lower() / name,
                [f"{n}.jpg" for n in (onset, apex, offset)],
            )
    write_sheet(tmp_path / "MMEW_Final" / "MMEW_Micro_Exp.xlsx", header, rows)

    report = read_dataset("mmew", tmp_path)

    assert report.frames == {"mmew": tmp_path / "MMEW_Final" / "Micro_Expression"}
    assert report.skipped == []
    assert Counter(s.label for s in report.samples) == {
        "positive": 1,
        "negative": 1,
        "surprise": 1,
    }
    assert {s.subject for s in report.samples} == {"S03", "S05"}
    assert report.excluded == {"others": 1}
    assert {s.name: s.action_units.code() for s in report.samples}["S03-01-002"] == "6+12"


def test_casme_sq_reads_its_headerless_sheet_and_keeps_the_micro_expressions(tmp_path):
    release = tmp_path / "CAS(ME)^2"
    rows = [
        [1, "anger1_1", 557, 566, 580, "4+7", "negative", "micro-expression", "anger"],
        [1, "happy4_1", 120, 127, 0, "12", "positive", "micro-expression", "happiness"],
        [2, "disgust2_1", 40, 46, 60, "9", "others", "micro-expression", "disgust"],
        [22, "anger1_2", 900, 905, 913, "4", "negative", "macro-expression", "anger"],
    ]
    for subject, name, onset, apex, offset, *_ in rows:
        folder = {1: "15", 2: "16", 22: "40"}[subject]
        frames = [f"img{n}.jpg" for n in (onset, apex, offset) if n]
        write_frames(release / "cropped" / folder / name, frames)
        write_frames(release / "selectedpic" / f"s{folder}" / name, frames)
    write_frames(release / "rawpic" / "s15" / "15_0401girlcrashing", ["img001.jpg"])
    write_sheet(release / "CAS(ME)^2code_final.xlsx", rows[0], rows[1:])

    report = read_dataset("casmesq", tmp_path)

    assert report.frames == {"casmesq": release / "cropped"}
    assert {(s.subject, s.name, s.label) for s in report.samples} == {
        ("15", "anger1_1", "negative"),
        ("15", "happy4_1", "positive"),
    }
    assert report.excluded == {"others": 1, "macro-expression": 1}
    assert {s.name: s.action_units.code() for s in report.samples}["anger1_1"] == "4+7"
    (offset,) = [w for w in report.warnings if w.field == "column E (offset)"]
    assert offset.sample == "15/happy4_1" and "before onset" in offset.message
