"""Property tests of what users hand the readers: any manifest bytes, any image bytes,
give a report or a SheetError naming the file; never another exception."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meclean.data.readers import read_dataset
from meclean.data.records import SheetError
from tests.helpers import write_frames

FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADER = b"subject,label,onset,apex\n"


@FUZZ
@given(content=st.binary(max_size=300), with_header=st.booleans())
def test_any_manifest_bytes_are_a_report_or_a_sheet_error(tmp_path, content, with_header):
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes((HEADER if with_header else b"") + content)

    try:
        report = read_dataset("manifest", manifest)
    except SheetError as error:
        assert str(manifest) in str(error)
    else:
        assert all(issue.row is not None for issue in report.skipped)


@FUZZ
@given(garbage=st.binary(max_size=200), cut=st.integers(0, 400))
def test_truncated_or_garbage_images_are_skipped_with_the_reason(tmp_path, garbage, cut):
    write_frames(tmp_path / "clip", ["f0.png", "f1.png"])
    whole = (tmp_path / "clip" / "f1.png").read_bytes()
    (tmp_path / "clip" / "f1.png").write_bytes(whole[:cut] + garbage)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("subject,label,onset,apex\np1,positive,clip/f0.png,clip/f1.png\n")

    report = read_dataset("manifest", manifest)

    if not report.samples:
        (issue,) = report.skipped
        assert issue.field == "apex" and issue.row == 2
    else:
        assert np.any(report.samples[0].apex_path.read_bytes())
