"""Money amounts: from ``5,975百万円`` or ``5兆3,060億円`` to exact yen.

An amount is a run of *sections*, each a number with optional small
multipliers (千百十) followed by a large multiplier (万億兆), and finally 円.
``5,975百万円`` is the section ``5,975百`` times 万; ``3千万円`` is ``3千`` times
万; ``1兆2,345億円`` is 1兆 plus 2,345億.  Arabic and kanji digits mix freely
(三千万円, 4兆303億円).  Values are ``Decimal``, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import regex

from .lexicon import lexicon

_LEX = lexicon()
_KANJI_DIGITS = "".join(_LEX.digits)
_SMALL = "".join(_LEX.small_units)
_LARGE = "".join(_LEX.large_units)

# Values are computed with exact integers and fractions (no Decimal context,
# so nothing is ever rounded); an amount that cannot be exact is refused.
MAX_DIGITS = 30  # digits in one number of an amount (a budget figure has at most 16)
MAX_YEN = 10**18  # 100万兆円: nothing a budget states; beyond the Int64 column of a DataFrame

# The grammar is written on NFKC-normalised text (ASCII digits and commas).  It
# runs in time linear in the line: a number is matched atomically (its digit
# groups are never given back), and a match never starts inside a number (after
# a digit, a comma, a point, a kanji numeral or a unit, or at a digit group
# after `1, `), so no part of a line is scanned again from every position.
_ARABIC = r"(?>\d{1,3}(?:,[ ]?\d{3})+|\d+)(?:\.\d+)?+"  # a space after a comma is a PDF/OCR artefact
_SECTION = (
    rf"(?>(?:{_ARABIC}[{_SMALL}])*{_ARABIC}(?:[ ]?[{_SMALL}])?"  # 5,975百 / 2千5百 / 3千 / 1,234 / 5,181 百
    rf"|(?:[{_KANJI_DIGITS}]*[{_SMALL}])+[{_KANJI_DIGITS}]*"  # 三千 / 三千二百 / 十二
    rf"|[{_KANJI_DIGITS}]+)"  # 三
)
_NOT_INSIDE = rf"(?<![\d.,{_KANJI_DIGITS}{_SMALL}{_LARGE}])(?!(?<=\d,[ ]?)\d{{3}}(?!\d))(?!0\d)"
AMOUNT_RE = regex.compile(
    rf"""
    (?:(?P<sign>[▲△]\s?|(?<![\w)\]])-(?=\d)))?     # ▲/△ negative, or a minus glued to the digits
    (?:(?P<approx>約|概ね|おおむね|およそ)\s?)?       # approximate
    {_NOT_INSIDE}                                 # never start inside a number
    (?P<body>
        {_SECTION}                                # 5,975百 / 5 / 三千 ...
        (?:[ ]?[{_LARGE}]{_SECTION}?)*+           # 万/億/兆, each with the section after it
    )
    円
    (?P<after>\s?(?:程度|前後|余))?                 # approximate, after the unit
    """,
    regex.VERBOSE,
)

_HAS_DIGIT = regex.compile(rf"[0-9{_KANJI_DIGITS}]")
_TERM = regex.compile(
    rf"""
    (?P<num>\d[\d, ]*(?:\.\d+)? | [{_KANJI_DIGITS}]+)?    # the digits, if any
    (?P<small>[{_SMALL}])?                                    # 十/百/千
    """,
    regex.VERBOSE,
)
_PLAIN_NUMBER = regex.compile(r"[0-9]+(?:\.[0-9]+)?")
_UNIT_TAIL = regex.compile(rf"[{_SMALL}{_LARGE}]*円$")
# 円 right after a numeral: a stated amount, whether or not it reads as one.
_YEN_AFTER_NUMERAL = regex.compile(rf"円(?<=[0-9{_KANJI_DIGITS}][{_SMALL}{_LARGE}]{{0,8}}円)")
_AMOUNT_CHARS = regex.compile(rf"[0-9,. {_KANJI_DIGITS}{_SMALL}{_LARGE}▲△-]{{1,40}}$")


class AmountError(ValueError):
    """Text that looks like an amount but does not follow the grammar, or cannot be exact."""


@dataclass(frozen=True)
class Amount:
    yen: Decimal  # a whole number, made from an exact integer
    unit: str
    approx: bool
    negative: bool


def kanji_digits_value(text: str) -> int:
    """``三`` → 3, ``二〇二〇`` → 2020 (positional kanji digits)."""
    if len(text) > MAX_DIGITS:
        raise AmountError(f"{len(text)} digits, more than {MAX_DIGITS}")
    value = 0
    for ch in text:
        value = value * 10 + _LEX.digits[ch]
    return value


def _number(text: str) -> Fraction | int:
    text = text.replace(",", "").replace(" ", "")
    if text and text[0] in _LEX.digits:
        return kanji_digits_value(text)
    if not _PLAIN_NUMBER.fullmatch(text):
        raise AmountError(f"not a number: {text!r}")
    digits = len(text) - text.count(".")
    if digits > MAX_DIGITS:
        raise AmountError(f"{digits} digits, more than {MAX_DIGITS}")
    return Fraction(text) if "." in text else int(text)  # exact: Fraction("0.3") is 3/10


def section_value(text: str) -> Fraction | int:
    """A number below 万 written with 千百十: ``5,975百`` → 597500, ``三千二百`` → 3200.

    Each of 千, 百, 十 comes at most once, in that order (``千千円`` is no number).
    """
    if not text:
        raise AmountError("a unit without a number before it")
    total: Fraction | int = 0
    pos = 0
    below = len(text) + 99  # the last small unit's power of ten: each must be lower
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m or m.end() == pos:
            raise AmountError(f"not a number: {text!r}")
        num, small = m["num"], m["small"]
        if small:
            power = _LEX.small_units[small]
            if power >= below:
                raise AmountError(f"units out of order: {text!r}")
            below = power
            total += (_number(num) if num else 1) * 10**power
        else:
            if m.end() != len(text):
                raise AmountError(f"not a number: {text!r}")
            total += _number(num)
        pos = m.end()
    return total


def body_value(body: str) -> Fraction | int:
    """The exact value of an amount body without 円: ``5兆3,060億`` → 5306000000000.

    万, 億 and 兆 each come at most once, largest first (``1兆兆円`` is no amount).
    """
    total: Fraction | int = 0
    section = ""
    below = 10**9  # the last large unit's power of ten
    for ch in body:
        if ch in _LEX.large_units:
            power = _LEX.large_units[ch]
            if power >= below:
                raise AmountError(f"units out of order: {body!r}")
            below = power
            total += section_value(section.strip()) * 10**power
            section = ""
        else:
            section += ch
    if section.strip():
        total += section_value(section.strip())
    return total


def parse_amount(text: str) -> Amount:
    """Parse one amount such as ``▲1,234千円`` or ``約1,100億円`` (normalised text)."""
    m = AMOUNT_RE.fullmatch(text.strip())
    if not m or not _HAS_DIGIT.search(m["body"]):
        raise AmountError(f"not an amount: {text!r}")
    return amount_from_match(m)


def amount_from_match(m: regex.Match[str]) -> Amount:
    """The exact amount of a match, or AmountError when it cannot be one (see ``refusals``)."""
    body = m["body"].strip()
    yen = body_value(body)
    if isinstance(yen, Fraction):
        if yen.denominator != 1:
            raise AmountError("not a whole number of yen")
        yen = yen.numerator
    if yen >= MAX_YEN:
        raise AmountError("10^18 yen or more")
    negative = bool(m["sign"])
    unit = _UNIT_TAIL.search(body + "円")
    return Amount(
        yen=Decimal(-yen if negative else yen),  # Decimal(int) is exact whatever the context
        unit=unit[0] if unit else "円",
        approx=bool(m["approx"] or m["after"]),
        negative=negative,
    )


def find_amounts(text: str) -> list[regex.Match[str]]:
    """All amount matches in a normalised line, left to right."""
    return [m for m in AMOUNT_RE.finditer(text) if _HAS_DIGIT.search(m["body"])]


def refusals(text: str) -> list[tuple[str, str]]:
    """The amounts a normalised line states but that give no record, with why.

    An amount is refused rather than rounded or guessed at: one that is not a
    whole number of yen, has more than ``MAX_DIGITS`` digits, reaches
    ``MAX_YEN``, or has its units out of order; and 円 right after a numeral
    that no reading of the line covers (``1,0000円``).
    """
    found: list[tuple[int, str, str]] = []
    read: set[int] = set()  # where the 円 of each amount match is
    for m in find_amounts(text):
        read.add(m.end("body"))
        try:
            amount_from_match(m)
        except AmountError as exc:
            found.append((m.start(), m[0], str(exc)))
    for m in _YEN_AFTER_NUMERAL.finditer(text):
        if m.start() not in read:
            lead = _AMOUNT_CHARS.search(text, max(0, m.start() - 40), m.start())
            start = lead.start() if lead else m.start()
            found.append((start, text[start : m.end()].strip(), "does not read as an amount"))
    return [(snippet, reason) for _, snippet, reason in sorted(found)]
