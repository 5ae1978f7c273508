import re

import pytest

from meclean.data.action_units import ActionUnit, ActionUnitError, parse_action_units


def codes(text):
    coding = parse_action_units(text)
    return None if coding is None else coding.code()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("4+7+L2", "4+7+L2"),
        ("R12A+L14", "R12A+L14"),
        ("AU4", "4"),
        ("1+2+R25", "1+2+R25"),
        ("AU1+AU2+AU5B", "1+2+5B"),
        ("R12 + R15", "R12+R15"),
        ("12+15 ", "12+15"),
        ("L4\uff0cL7", "L4+L7"),
        ("4, 7", "4+7"),
        ("au12c", "12C"),
        ("AUL12", "L12"),
        ("2+1", "2+1"),
        ("AU4+AU7(k)+AU43", "4+7(k)+43"),
        ("A12+A7", "A12+A7"),
        ("T23+B18+25", "T23+B18+25"),
        ("A1B+A2C", "A1B+A2C"),
        ("4A/B", "4A/B"),
        ("A/L12", "A/L12"),
        ("ref(7B)+43", "ref(7B)+43"),
        ("ref(L10)+A12B", "ref(L10)+A12B"),
        ("4+4", "4"),
        (12.0, "12"),
        (12, "12"),
    ],
)
def test_every_notation_of_the_releases_reads_to_the_same_codes(cell, expected):
    assert codes(cell) == expected


def test_side_intensity_and_mark_are_kept_apart_from_the_number():
    coding = parse_action_units("R12A+L14+AU7(k)+ref(43)")
    assert coding is not None and not coding.ambiguous
    assert coding.alternatives == (
        (
            ActionUnit(12, "R", "A"),
            ActionUnit(14, "L"),
            ActionUnit(7, mark="k"),
            ActionUnit(43, mark="ref"),
        ),
    )
    assert coding.text == "R12A+L14+AU7(k)+ref(43)"


@pytest.mark.parametrize(
    ("cell", "alternatives"),
    [
        ("R12 or R14A", ["R12", "R14A"]),
        ("L12 or L14", ["L12", "L14"]),
        ("R14A or 17A or 24A", ["R14A", "17A", "24A"]),
        ("(R6 or R12)+R15", ["R6+R15", "R12+R15"]),
        ("(R6 or R12) + R15", ["R6+R15", "R12+R15"]),
        ("4+(L12 or L14)+ref(43)", ["4+L12+ref(43)", "4+L14+ref(43)"]),
    ],
)
def test_a_cell_offering_several_codings_keeps_each_as_an_alternative(cell, alternatives):
    coding = parse_action_units(cell)
    assert coding is not None and coding.ambiguous
    assert coding.code().split(" or ") == alternatives


def test_presence_shares_an_au_among_the_alternatives_and_leaves_out_the_marked():
    assert parse_action_units("R12 or R14A").presence() == {12: 0.5, 14: 0.5}
    assert parse_action_units("(R6 or R12)+R15").presence() == {6: 0.5, 12: 0.5, 15: 1.0}
    assert parse_action_units("L12+R12+AU4(k)+ref(7)").presence() == {12: 1.0}


def test_free_text_beside_the_aus_is_left_out_and_named():
    coding = parse_action_units("R14+17+soft focus")
    assert coding is not None
    assert coding.code() == "R14+17"
    assert coding.unread == ("soft", "focus")


@pytest.mark.parametrize(
    ("cell", "kept", "unread"),
    [
        ("AU12 (2 frames)", "12", ("(2 frames)",)),
        ("<img src=x onerror=alert(1)> 4", "4", ("<img", "src=x", "onerror=alert", "(1)", ">")),
    ],
)
def test_numbers_in_a_bracketed_remark_are_not_read_as_aus(cell, kept, unread):
    coding = parse_action_units(cell)
    assert coding is not None and coding.code() == kept
    assert coding.unread == unread


@pytest.mark.parametrize("cell", [None, "", "  ", "/", "-", "nan", float("nan")])
def test_an_empty_cell_is_no_coding(cell):
    assert parse_action_units(cell) is None


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        ("?", "'?'"),
        ("smile", "'smile'"),
        ("LR12", "'LR12'"),
        ("AU0", "'AU0'"),
        ("12F", "'12F'"),
        ("+", "'+'"),
        ("x" * 500, "500 characters"),
        ("(R6 or R12", "not closed"),
        ("R6)", "closes no bracket"),
        ("(1 or 2)+(3 or 4)+(5 or 6)+(7 or 8)", "more than 8"),
    ],
)
def test_a_cell_without_any_au_is_refused_naming_what_it_holds(cell, named):
    with pytest.raises(ActionUnitError, match=re.escape(named)):
        parse_action_units(cell)


def test_an_au_is_described_with_its_facs_name_side_and_intensity():
    assert ActionUnit(12, "R", "A").describe() == "AU12 lip corner puller, right, intensity A"
    assert ActionUnit(4).describe() == "AU4 brow lowerer"
    assert ActionUnit(10, "A/L", "A/B").describe() == (
        "AU10 upper lip raiser, asymmetric or left, intensity A or B"
    )
    assert "unnamed" in ActionUnit(3).describe()
