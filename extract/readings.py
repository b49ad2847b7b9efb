"""Deciding between two OCR readings of a line: which one stands, digit by digit.

OCR reads each line twice (the page, then the line cut out alone) and some
amounts a third time in English (``extract/ocr.py``).  These pure functions
decide which reading is kept; numbers are never guessed: a reading that
changes digits is taken only where another reading confirms it.
"""

from __future__ import annotations

import unicodedata

import regex

from .lexicon import lexicon
from .names import distance
from .repair import check_number_format, repair_line, suspect_numbers

_DIGIT = regex.compile(r"\d")
# An amount in a line: its digits and separators, before the money unit.
_SMALL, _LARGE = "".join(lexicon().small_units), "".join(lexicon().large_units)
AMOUNT_NUMBER = regex.compile(rf"(?<![\d,.])\d[\d,.]*(?=\s?[{_SMALL}]?[{_LARGE}]?円)")
NUMBER_RUN = regex.compile(r"\d[\d,.]*")
# A number with a unit's first kanji after it that goes on into no money unit (132百還), not
# the first part of a compound amount (198億2,530万円).
_UNIT_START = regex.compile(rf"(?<![\d,.])\d[\d,.]*\s?(?=[{_SMALL}{_LARGE}](?!\s?\d))")
_LEADING_DIGITS = regex.compile(r"^[\s▲△]?\d")  # the dropped ink was the number's first digits


def better_reading(first: str, again: str, first_conf: float, again_conf: float, dropped: bool) -> bool:
    """Whether the line read on its own replaces the page's reading (numbers are never guessed).

    It must read the same digits, or, where ink was dropped at the left, the
    same digits after new leading ones; it may not lose a 円 nor add a
    malformed amount or a column break.
    """
    digits, digits_again = _DIGIT.findall(first), _DIGIT.findall(again)
    if again.count("\t") > first.count("\t") or again.count("円") < first.count("円"):
        return False
    if malformed(again) > malformed(first):
        return False
    if item_number_restored(first, again):
        return True
    if digits_again == digits:
        return again_conf > first_conf
    extra = len(digits_again) - len(digits)
    return (
        dropped
        and extra > 0
        and digits_again[extra:] == digits
        and _LEADING_DIGITS.match(first) is not None
        and _LEADING_DIGITS.match(again) is not None
    )


# An item number (① ❶) opening a reading, after a dash or a space (numbers from ja.toml's strong marks).
_NUMBERED = "".join(regex.escape(c) for c in lexicon().strong_markers if unicodedata.numeric(c, None))
_ITEM_NUMBER = regex.compile(rf"^[\s\-ー]*[{_NUMBERED}]")
_WORDS = regex.compile(r"[\p{Han}\d]")
_DASHED_DIGIT = regex.compile(r"[\-ー]*\d")  # a circled number read as its digit, after a dash


def item_number_restored(first: str, again: str) -> bool:
    """Whether the second reading gives an item number where the first has a few marks and no
    word, or one digit: ``(の|Spring-8-SACLAの利用促進※`` / ``②Spring-8-SACLAの利用促進※``
    (whole scan p6, seed 11), ``9原型炉設計活動…`` / ``-⑨原型炉設計活動…`` (p41, seed 12).
    It is taken whatever tesseract's confidence: a line that opens with a bracket is never a
    title, and a digit glued to a name becomes part of it."""
    m = _ITEM_NUMBER.match(again)
    if m is None or _ITEM_NUMBER.match(first):
        return False
    rest, whole = again[m.end() :].replace(" ", ""), first.replace(" ", "")
    lead = whole[: len(whole) - len(rest)]
    if not rest or not whole.endswith(rest) or not 0 < len(lead) <= 4:
        return False
    return not _WORDS.search(lead) or bool(_DASHED_DIGIT.fullmatch(lead))


def malformed(text: str) -> int:
    """How many numbers of a reading fail the format check once the OCR repairs have run: a
    comma read as a point (``1.468百万円``) is no worse than the comma, since it is mended."""
    if not suspect_numbers(text):
        return 0  # every line read twice comes here: most have nothing for the repairs to mend
    return len(suspect_numbers(repair_line(text).text))


def garbled_amount(text: str) -> bool:
    """Whether a reading holds a number whose unit goes wrong: ``1,732百万円(1,326百万円)``
    read ``132百還(1326相`` in both readings of a scanned WeasyPrint page."""
    return any(not AMOUNT_NUMBER.match(text, m.start()) for m in _UNIT_START.finditer(text))


def amount_digits(text: str) -> list[str]:
    return [regex.sub(r"[,.]", "", n) for n in AMOUNT_NUMBER.findall(text)]


def disputed_amounts(first: str, again: str) -> bool:
    """Whether two readings of a line state the same amounts with different digits."""
    a, b = amount_digits(first), amount_digits(again)
    return len(a) == len(b) and a != b


def vote(first: str, again: str, english: str) -> str | None:
    """``first`` or ``again``: the reading whose disputed amounts the English reading states too.

    None when it sides with neither (or with both): the amounts stay as first
    read, with a low confidence.
    """
    runs = [regex.sub(r"[,.]", "", n) for n in NUMBER_RUN.findall(english)]

    def stated(digits: str) -> bool:  # eng may glue the unit (百万円) to the number as digits
        return any(run.startswith(digits) and len(run) - len(digits) <= 3 for run in runs)

    pairs = [(x, y) for x, y in zip(amount_digits(first), amount_digits(again), strict=True) if x != y]
    if all(stated(y) and not stated(x) for x, y in pairs):
        return "again"
    if all(stated(x) and not stated(y) for x, y in pairs):
        return "first"
    return None


def median_amounts(first: str, again: str, english: str) -> list[tuple[int, int, str]] | None:
    """Where the English reading sides with neither Japanese one but lies between them: for each
    disputed amount of ``again``, a well-formed number of ``english`` one digit away from both
    readings and on the way from one to the other (one dropped a digit, the other added one:
    ``-邊982百万円)`` / ``44.982百万円)`` / ``4,982百万円)``, where 4, was read as a kanji, and
    4 twice).  Three readings of one digit each different are no evidence.  Returns the spans of
    ``again`` and the numbers to put there, or None where any disputed amount has no single such
    number."""
    if not disputed_amounts(first, again):
        return None
    numbers = [n for n in NUMBER_RUN.findall(english) if check_number_format(n)]
    spans = list(AMOUNT_NUMBER.finditer(again))
    out = []
    for x, y, m in zip(amount_digits(first), amount_digits(again), spans, strict=True):
        if x == y:
            continue
        if distance(x, y, 2) != 2:
            return None
        between = {n for n in numbers if distance(x, z := n.replace(",", ""), 1) == 1 == distance(z, y, 1)}
        if len(between) != 1:
            return None
        out.append((m.start(), m.end(), between.pop()))
    return out or None


def english_number(first: str, again: str) -> str | None:
    """The English reading of an amount opening a line, where it is to replace the Japanese one.

    ``first`` is the number as jpn read it, ``again`` as eng read the same
    place.  Only two cases count, and the result must be well formed: the
    same digits where jpn's are not (``7171`` → ``7,171``), or jpn's number
    with whole leading groups it dropped (``240`` → ``7,240``).
    """
    if again == first or not check_number_format(again):
        return None
    if _DIGIT.findall(again) == _DIGIT.findall(first):
        return None if check_number_format(first) else again
    if again.endswith(first) and regex.fullmatch(r"\d{1,3}(?:,\d{3})*,", again[: -len(first)]):
        return again
    return None
