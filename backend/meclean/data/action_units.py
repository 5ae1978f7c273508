"""Action units (FACS) as the releases' sheets code them: one parser for every notation.

A cell lists the AUs of one sample joined by ``+`` (or commas): ``4+7+L2``, ``R12A+L14``,
``AU4``, ``1+2+R25``. Each may carry a side before its number (``L``/``R``, SAMM's and
CAS(ME)³'s ``T`` top, ``B`` bottom and ``A`` asymmetric, or two joined by ``/``), an
intensity after it (``A``-``E``, or a range ``A/B``), and a mark: 4DME's ``(k)`` or SAMM's
``ref(...)``. Some cells offer several codings joined by "or", the whole cell
(``L12 or L14``) or a bracketed part (``(R6 or R12)+R15``): each coding is kept as an
alternative. Other brackets are remarks, and nothing in them is read as an AU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import product

FACS_NAMES: dict[int, str] = {
    1: "inner brow raiser",
    2: "outer brow raiser",
    4: "brow lowerer",
    5: "upper lid raiser",
    6: "cheek raiser",
    7: "lid tightener",
    8: "lips toward each other",
    9: "nose wrinkler",
    10: "upper lip raiser",
    11: "nasolabial deepener",
    12: "lip corner puller",
    13: "sharp lip puller",
    14: "dimpler",
    15: "lip corner depressor",
    16: "lower lip depressor",
    17: "chin raiser",
    18: "lip pucker",
    20: "lip stretcher",
    21: "neck tightener",
    22: "lip funneler",
    23: "lip tightener",
    24: "lip pressor",
    25: "lips part",
    26: "jaw drop",
    27: "mouth stretch",
    28: "lip suck",
    29: "jaw thrust",
    30: "jaw sideways",
    31: "jaw clencher",
    32: "lip bite",
    33: "cheek blow",
    34: "cheek puff",
    35: "cheek suck",
    36: "tongue bulge",
    37: "lip wipe",
    38: "nostril dilator",
    39: "nostril compressor",
    41: "lid droop",
    42: "slit",
    43: "eyes closed",
    44: "squint",
    45: "blink",
    46: "wink",
    51: "head turn left",
    52: "head turn right",
    53: "head up",
    54: "head down",
    55: "head tilt left",
    56: "head tilt right",
    57: "head forward",
    58: "head back",
    61: "eyes turn left",
    62: "eyes turn right",
    63: "eyes up",
    64: "eyes down",
}
"""Each AU's name in the FACS manual (Ekman, Friesen and Hager 2002)."""

MAX_AU = 99
MAX_TEXT = 200
"""A sheet's AU cell longer than this is not a coding."""
MAX_ALTERNATIVES = 8

SIDES = {"L": "left", "R": "right", "T": "top", "B": "bottom", "A": "asymmetric"}
_UNIT = re.compile(
    r"(?P<side>[LRTBA](?:/[LRTBA])?)?(?:AU)?(?P<side_after>[LRTBA](?:/[LRTBA])?)?"
    r"(?P<number>\d{1,2})(?P<intensity>[A-E](?:/[A-E])?)?(?P<k>\(K\))?",
    re.IGNORECASE,
)
_TOKENS = re.compile(
    r"\s*(?:(?P<ref>ref\()|(?P<open>\()|(?P<close>\))|(?P<join>[+,\uff0c;&])"
    r"|(?P<or>or(?![\w/]))|(?P<word>[^\s()+,\uff0c;&]+(?:\(k\))?))",
    re.IGNORECASE,
)  # \uff0c: the full-width comma of CAS(ME)³ Part C
_NO_CODING = {"", "-", "/", "NAN", "NONE", "N/A", "NA"}


@dataclass(frozen=True, order=True)
class ActionUnit:
    """One coded AU: its number, side (None: both or unstated), intensity (None: not
    coded) and mark ('k' for 4DME's ``(k)``, 'ref' for SAMM's ``ref(...)``)."""

    number: int
    side: str | None = None
    intensity: str | None = None
    mark: str | None = None

    def code(self) -> str:
        """Compact, as sheets write it: ``R12A``, ``4A/B``, ``7(k)``, ``ref(43)``."""
        core = f"{self.side or ''}{self.number}{self.intensity or ''}"
        return {"k": f"{core}(k)", "ref": f"ref({core})"}.get(self.mark or "", core)

    def describe(self) -> str:
        """In words: 'AU12 lip corner puller, right, intensity A'."""
        words = [f"AU{self.number} {FACS_NAMES.get(self.number, 'unnamed in FACS')}"]
        if self.side:
            words.append(" or ".join(SIDES[s] for s in self.side.split("/")))
        if self.intensity:
            words.append(f"intensity {' or '.join(self.intensity.split('/'))}")
        if self.mark:
            words.append(f"marked {'(k)' if self.mark == 'k' else 'ref(...)'} in the sheet")
        return ", ".join(words)


@dataclass(frozen=True)
class ActionUnitCoding:
    """A sample's AUs as its sheet coded them: one alternative, or several where the
    coders offered more than one ("or")."""

    text: str
    """The sheet's cell, as written."""
    alternatives: tuple[tuple[ActionUnit, ...], ...]
    unread: tuple[str, ...] = ()
    """Parts of the cell that are no AU (free text such as 'soft focus'), left out."""

    @property
    def ambiguous(self) -> bool:
        return len(self.alternatives) > 1

    def presence(self) -> dict[int, float]:
        """AU number -> share of the alternatives that code it (1 in an unambiguous
        coding); marked AUs (``(k)``, ``ref(...)``) count as absent, as MEB reads 4DME."""
        counts: dict[int, float] = {}
        for alternative in self.alternatives:
            for number in {u.number for u in alternative if not u.mark}:
                counts[number] = counts.get(number, 0.0) + 1.0
        return {n: c / len(self.alternatives) for n, c in sorted(counts.items())}

    def code(self) -> str:
        """Compact and normalised: ``4+7+L2``, alternatives joined by ' or '."""
        return " or ".join("+".join(u.code() for u in alt) for alt in self.alternatives)


class ActionUnitError(ValueError):
    """A cell that is not an AU coding; the message quotes the part that is not."""


def parse_action_units(text: object) -> ActionUnitCoding | None:
    """The coding in a sheet's AU cell; None for an empty cell (no coding). Words that are
    no AU are left out and listed in ``unread``.

    Raises ``ActionUnitError`` for a cell with no AU at all, or one that cannot be read."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    raw = str(int(text)) if isinstance(text, float) and text.is_integer() else str(text)
    if raw.strip().upper() in _NO_CODING:
        return None
    if len(raw) > MAX_TEXT:
        raise ActionUnitError(f"{len(raw)} characters: longer than any AU coding")
    tokens = [(m.lastgroup or "", m.group(m.lastgroup or 0)) for m in _TOKENS.finditer(raw)]
    unread: list[str] = []
    alternatives, end = _coding(tokens, 0, unread)
    if end < len(tokens):
        raise ActionUnitError(f"{raw.strip()!r}: a ')' closes no bracket")
    alternatives = [alt for alt in alternatives if alt]
    if not alternatives:
        what = " ".join(unread) or raw.strip()
        raise ActionUnitError(f"{what!r} is not an action unit (like 12, R12A, AU4)")
    if len(alternatives) > MAX_ALTERNATIVES:
        raise ActionUnitError(f"{raw.strip()!r} offers more than {MAX_ALTERNATIVES} codings")
    return ActionUnitCoding(raw, tuple(tuple(alt) for alt in alternatives), tuple(unread))


Alternatives = list[list[ActionUnit]]


def _coding(tokens: list[tuple[str, str]], at: int, unread: list[str]) -> tuple[Alternatives, int]:
    """The alternatives of ``tokens[at:]`` up to an unmatched ')', and where it stopped."""
    branches: Alternatives = []
    current: Alternatives = [[]]
    while at < len(tokens):
        kind, value = tokens[at]
        if kind == "close":
            break
        at += 1
        if kind == "or":
            branches += current
            current = [[]]
        elif kind in ("open", "ref"):
            start = at
            inside: list[str] = []
            inner, at = _coding(tokens, at, inside)
            if at >= len(tokens):
                raise ActionUnitError("a bracket is not closed")
            at += 1
            group = tokens[start : at - 1]
            # Brackets hold codings offered as alternatives ("(R6 or R12)") or ref(...);
            # anything else in brackets is a remark ("(2 frames)"): none of it counts.
            if inside or (kind == "open" and not any(k == "or" for k, _ in group)):
                unread.append(f"{value}{' '.join(v for _, v in group)})")
                continue
            if kind == "ref":
                inner = [[replace(u, mark="ref") for u in alt] for alt in inner]
            current = [a + [u for u in b if u not in a] for a, b in product(current, inner)]
            if len(current) > MAX_ALTERNATIVES:
                raise ActionUnitError(f"more than {MAX_ALTERNATIVES} codings")
        elif kind == "word":
            unit = _unit(value)
            if unit is None:
                unread.append(value)
            else:
                current = [alt if unit in alt else [*alt, unit] for alt in current]
    return branches + current, at


def _unit(word: str) -> ActionUnit | None:
    match = _UNIT.fullmatch(word)
    if match is None or (match["side"] and match["side_after"]):
        return None
    number = int(match["number"])
    if not 0 < number <= MAX_AU:
        return None
    side = match["side"] or match["side_after"]
    return ActionUnit(
        number,
        side.upper() if side else None,
        match["intensity"].upper() if match["intensity"] else None,
        "k" if match["k"] else None,
    )
