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

import regex

from .lexicon import lexicon

_LEX = lexicon()
_KANJI_DIGITS = "".join(_LEX.digits)
_SMALL = "".join(_LEX.small_units)
_LARGE = "".join(_LEX.large_units)

# The grammar is written on NFKC-normalised text (ASCII digits and commas).
_ARABIC = r"(?:\d{1,3}(?:,\s?\d{3})+|\d+)(?:\.\d+)?"  # a space after a comma is a PDF/OCR artefact
_SECTION = (
    rf"(?:(?:{_ARABIC}[{_SMALL}])*{_ARABIC}(?:[ ]?[{_SMALL}])?"  # 5,975百 / 2千5百 / 3千 / 1,234 / 5,181 百
    rf"|(?:[{_KANJI_DIGITS}]*[{_SMALL}])+[{_KANJI_DIGITS}]*"  # 三千 / 三千二百 / 十二
    rf"|[{_KANJI_DIGITS}]+)"  # 三
)
AMOUNT_RE = regex.compile(
    rf"""
    (?:(?P<sign>[▲△]\s?|(?<![\w)\]])-(?=\d)))?     # ▲/△ negative, or a minus glued to the digits
    (?:(?P<approx>約|概ね|おおむね|およそ)\s?)?       # approximate
    (?<![\d.,])                                   # never start inside a number
    (?P<body>
        {_SECTION}                                # 5,975百 / 5 / 三千 ...
        (?:[ ]?[{_LARGE}]{_SECTION}?)*            # 万/億/兆, each with the section after it
    )
    円
    (?P<after>\s?(?:程度|前後|余))?                 # approximate, after the unit
    """,
    regex.VERBOSE,
)

_HAS_DIGIT = regex.compile(rf"[0-9{_KANJI_DIGITS}]")
_TERM = regex.compile(
    rf"""
    (?P<num>(?:\d[\d,\s]*)(?:\.\d+)? | [{_KANJI_DIGITS}]+)?   # the digits, if any
    (?P<small>[{_SMALL}])?                                    # 十/百/千
    """,
    regex.VERBOSE,
)
_UNIT_TAIL = regex.compile(rf"[{_SMALL}{_LARGE}]*円$")


class AmountError(ValueError):
    """Text that looks like an amount but does not follow the grammar."""


@dataclass(frozen=True)
class Amount:
    yen: Decimal
    unit: str
    approx: bool
    negative: bool


def kanji_digits_value(text: str) -> Decimal:
    """``三`` → 3, ``二〇二〇`` → 2020 (positional kanji digits)."""
    value = 0
    for ch in text:
        value = value * 10 + _LEX.digits[ch]
    return Decimal(value)


def _number(text: str) -> Decimal:
    text = text.replace(",", "").replace(" ", "")
    if text and text[0] in _LEX.digits:
        return kanji_digits_value(text)
    return Decimal(text)


def section_value(text: str) -> Decimal:
    """A number below 万 written with 千百十: ``5,975百`` → 597500, ``三千二百`` → 3200."""
    if not text:
        return Decimal(1)  # `万円` alone: one 万
    total = Decimal(0)
    pos = 0
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m or m.end() == pos:
            raise AmountError(f"not a number: {text!r}")
        num, small = m["num"], m["small"]
        if small:
            total += (_number(num) if num else Decimal(1)) * 10 ** _LEX.small_units[small]
        else:
            total += _number(num)
        pos = m.end()
    return total


def body_value(body: str) -> Decimal:
    """The value of an amount body without 円: ``5兆3,060億`` → 5306000000000."""
    total = Decimal(0)
    section = ""
    for ch in body:
        if ch in _LEX.large_units:
            total += section_value(section) * 10 ** _LEX.large_units[ch]
            section = ""
        else:
            section += ch
    if section.strip():
        total += section_value(section)
    return total


def parse_amount(text: str) -> Amount:
    """Parse one amount such as ``▲1,234千円`` or ``約1,100億円`` (normalised text)."""
    m = AMOUNT_RE.fullmatch(text.strip())
    if not m or not _HAS_DIGIT.search(m["body"]):
        raise AmountError(f"not an amount: {text!r}")
    return amount_from_match(m)


def amount_from_match(m: regex.Match[str]) -> Amount:
    body = m["body"].strip()
    yen = body_value(body)
    if yen != yen.to_integral_value():
        raise AmountError(f"amount is not a whole number of yen: {m[0]!r}")
    yen = yen.quantize(Decimal(1))
    negative = bool(m["sign"])
    unit = _UNIT_TAIL.search(body + "円")
    return Amount(
        yen=-yen if negative else yen,
        unit=unit[0] if unit else "円",
        approx=bool(m["approx"] or m["after"]),
        negative=negative,
    )


def find_amounts(text: str) -> list[regex.Match[str]]:
    """All amount matches in a normalised line, left to right."""
    return [m for m in AMOUNT_RE.finditer(text) if _HAS_DIGIT.search(m["body"])]
