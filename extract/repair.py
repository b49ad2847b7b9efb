"""Number-safe repair of OCR text, before the text core parses it.

Tesseract's Japanese model reads most of a budget page right but makes a few
errors that change amounts: a thousands comma read as a period (``48.514百万円``
would be 48.514 million yen, a 1,000x error), ``6,.906``, ``14, 400``, ▲/△ read
as ``人へ`` or ``ム``, a zero printed as ``()`` by a scanner's OCR; and some
that change meaning: ``信和2年度`` for 令和2年度, ``予算客`` for 予算額, ``@`` for
①.  Each rule below repairs one of them, only in a context where the repaired
reading is the only sensible one, and says what it changed.  The misread
words themselves are language data (``[ocr]`` in ``data/ja.toml``).

A number that still fails the format check (1-3 digits, then groups of
three) is never guessed at: ``suspect_numbers`` points at it, and the OCR
step gives it a low confidence and a warning.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import regex

from .layout.wrap import unclosed
from .lexicon import alternation, lexicon, ocr_misreads
from .lookalikes import mend

LOW_CONFIDENCE = 0.3  # a number that fails the format check
REPAIRED_CONFIDENCE = 0.8  # characters a rule changed: right in every captured case, still a repair

_OCR = ocr_misreads()
_UNITS = alternation(list(_OCR.comma_units))
_COMMA = "[,，]"
_PERIOD = "[.．]"

# Where a table cell starts and ends: a tab or a run of spaces (OCR text
# written with spaces for layout), or the line's ends.
_CELL_START = r"(?:^|(?<=\t)|(?<=\S\s{2,}))"
_CELL_END = r"(?=\s*$|\t|\s{2,})"
_SPACED_CELLS = regex.compile(r"\S\s{2,}\S")  # text set out in cells with runs of spaces


@dataclass(frozen=True)
class Change:
    """One repair: the rule, the span it replaced in its input text, and the texts."""

    rule: str
    start: int
    end: int
    before: str
    after: str


Rule = Callable[[str], tuple[str, list[Change]]]


def _apply(
    rule: str, pattern: regex.Pattern[str], text: str, replace: Callable[[regex.Match[str]], str | None]
) -> tuple[str, list[Change]]:
    """Replace each match for which ``replace`` gives a text (None leaves the match as it is)."""
    out: list[str] = []
    changes: list[Change] = []
    pos = 0
    for m in pattern.finditer(text):
        new = replace(m)
        if new is None or new == m[0]:
            continue
        out.append(text[pos : m.start()])
        out.append(new)
        changes.append(Change(rule, m.start(), m.end(), m[0], new))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), changes


# --- the format check ------------------------------------------------------------

_GROUPED = regex.compile(
    r"""
    ^[▲△-]?                     # a sign
    \d{1,3}(?:,\d{3})*          # 1-3 digits, then groups of three
    (?:\.\d{1,2})?$             # a short decimal part (0.3億円); three decimals are a misread comma
    """,
    regex.VERBOSE,
)
_MYRIAD = regex.compile(r"^[▲△-]?\d{1,4}(?:\.\d{1,2})?$")  # 2345億, 870万: no commas before 万/億/兆


def check_number_format(token: str, myriad: bool = False) -> bool:
    """Whether ``token`` is a well-formed number (full-width forms allowed).

    ``myriad``: the number stands before 万/億/兆, where up to four digits
    are written without a comma (1兆2345億円).
    """
    text = unicodedata.normalize("NFKC", token.strip())
    return bool(_GROUPED.match(text) or (myriad and _MYRIAD.match(text)))


# --- rules ---------------------------------------------------------------------------

_ERA_RE = regex.compile(
    rf"""
    (?P<word>{alternation(list(_OCR.eras))})   # 信和 / 平威
    (?=\s?(?:\d{{1,2}}|元|[一二三四五六七八九十]{{1,3}})\s?年)   # right before a year (大和2丁目 stays)
    """,
    regex.VERBOSE,
)


def fix_era_words(text: str) -> tuple[str, list[Change]]:
    """``信和2年度`` → ``令和2年度``: an era name misread, right before a year."""
    return _apply("era", _ERA_RE, text, lambda m: _OCR.eras[m["word"]])


_MISREAD_WORDS = {**_OCR.labels, **_OCR.words}  # misreads that are no words, wherever they occur
_WORD_RE = regex.compile(alternation(list(_MISREAD_WORDS)))


def fix_misread_words(text: str) -> tuple[str, list[Change]]:
    """``予算客`` → ``予算額``, ``イフベーション`` → ``イノベーション``: a label or another word of
    the documents misread into a non-word (ja.toml ``[ocr] labels`` and ``words``)."""
    return _apply("word", _WORD_RE, text, lambda m: _MISREAD_WORDS[m[0]])


_DRAFT_RE = regex.compile(
    rf"""
    (?<=(?:{alternation(list(_OCR.draft_words))})\s?)   # after a budget label
    [(（](?P<mark>\p{{Han}})                              # one kanji in brackets
    (?:(?P<close>[)）])|(?=\s|$|[:：\d]))                  # closed, or its ) not read
    """,
    regex.VERBOSE,
)


def fix_draft_mark(text: str) -> tuple[str, list[Change]]:
    """``令和2年度予算額(府)`` → ``令和2年度予算額(案)``: the draft mark misread, or its closing
    bracket lost (``令和2年度予算額(案`` at the end of a line, whole scan p26, seed 123).

    The label table lists misreads seen; this catches the next one (a single
    kanji in the brackets of a budget label is the draft mark).
    """

    def replace(m: regex.Match[str]) -> str | None:
        if m["mark"] not in _OCR.draft_keep:
            return "(案)"
        return None if m["close"] or m["mark"] != "案" else "(案)"

    return _apply("draft_mark", _DRAFT_RE, text, replace)


_SMALL_UNITS = "".join(lexicon().small_units)  # 十 百 千
_HUNDRED = next(k for k, v in lexicon().small_units.items() if v == 2)
_LARGE_UNITS = "".join(lexicon().large_units)  # 万 億 兆
_MAN = next(k for k, v in lexicon().large_units.items() if v == 4)
_MAN_READ = "".join(_OCR.man)
_OTHER_UNITS = _SMALL_UNITS.replace(_HUNDRED, "") + _LARGE_UNITS  # 十 千 万 億 兆
_UNIT_RE = regex.compile(
    rf"""
    (?<=\d\s?)                                     # right after a digit
    (?:
        (?P<known>{alternation(list(_OCR.units))})   # a misread of ja.toml's table (寺円)
      | (?![{_SMALL_UNITS}{_LARGE_UNITS}])\p{{Han}}(?={_MAN}円)  # or a kanji no unit allows before 万円
      | (?P<man>(?!{_HUNDRED}{_MAN})(?![{_OTHER_UNITS}])\p{{Han}}[{_MAN}{_MAN_READ}])(?=円)  # or 百万 misread
    )
    """,
    regex.VERBOSE,
)


def fix_unit_words(text: str) -> tuple[str, list[Change]]:
    """``499寺円`` → ``499千円``: a unit misread, right after a digit.  Any kanji between a digit
    and 万円 but 十 百 千 is 百 misread (``1.379碧万円``, ``5,525自万円`` on a scanned LibreOffice
    rendering in IPAex Mincho): the unit of nearly every figure of these documents.  So is a kanji
    and a look-alike of 万 before 円 (``1.516白刀円``; ja.toml ``man``)."""
    return _apply(
        "unit",
        _UNIT_RE,
        text,
        lambda m: _OCR.units[m["known"]] if m["known"] else _HUNDRED + _MAN if m["man"] else _HUNDRED,
    )


_MISREAD_DIGITS = alternation(list(_OCR.digits))
_LETTERS_RE = regex.compile(
    rf"""
    (?<![A-Za-z\d(（])                         # not inside a word or after a bracket
    (?:\d|{_MISREAD_DIGITS})                   # a digit or a character printed for one
    (?:\d|{_COMMA}|{_MISREAD_DIGITS})*         # more of them, with commas
    """,
    regex.VERBOSE,
)
_MISREAD_DIGIT_RE = regex.compile(_MISREAD_DIGITS)


def fix_digit_letters(text: str) -> tuple[str, list[Change]]:
    """``l,085,094`` → ``1,085,094``, ``9,464,95(）`` → ``9,464,950``: letters inside digit groups.

    Only inside a comma-grouped number with at least two real digits, and
    only when the result passes the format check.
    """

    def replace(m: regex.Match[str]) -> str | None:
        raw = m[0]
        if not regex.search(_COMMA, raw) or len(regex.findall(r"\d", raw)) < 2:
            return None
        fixed = _MISREAD_DIGIT_RE.sub(lambda d: _OCR.digits[d[0]], raw)
        return fixed if check_number_format(fixed) else None

    return _apply("digit_letters", _LETTERS_RE, text, replace)


_SPACED_RE = regex.compile(
    r"""
    (?<![\d,，])
    \d(?:[,，]?\d)*                 # a first chunk: 1 / 9,00
    (?:\s(?:[,，]?\d)+)+            # chunks after single spaces: ` 9 8` / ` 0`
    (?=[億万千百円])                 # right before a unit
    """,
    regex.VERBOSE,
)


def fix_spaced_digits(text: str) -> tuple[str, list[Change]]:
    """``1 9 8億`` → ``198億``, ``9,00 0円`` → ``9,000円``: digits letter-spaced by the typesetter."""

    def replace(m: regex.Match[str]) -> str | None:
        joined = regex.sub(r"\s", "", m[0])
        myriad = text[m.end()] in "億万"
        return joined if check_number_format(joined, myriad=myriad) else None

    return _apply("spaced_digits", _SPACED_RE, text, replace)


_COMMA_SPACE_RE = regex.compile(
    r"""
    (?<=(?<![\d,，])\d{1,3}(?:[,，]\d{3})*[,，])   # a number up to a comma: 14, / 19,825,
    \s+                                          # a space OCR put after the comma
    (?=\d{3}(?!\d))                              # a group of three
    """,
    regex.VERBOSE,
)


def fix_comma_space(text: str) -> tuple[str, list[Change]]:
    """``14, 400`` → ``14,400``: a space after a thousands comma."""
    return _apply("comma_space", _COMMA_SPACE_RE, text, lambda m: "")


_LOST_COMMA_RE = regex.compile(
    rf"""
    (?<=(?<![\d,，.．])\d{{1,3}}(?:[,，]\d{{3}})*)   # a number: 21 / 1,234
    \s                                          # a space where its comma stood
    (?=\d{{3}}\s?(?:{_UNITS}))                    # a last group of three, then the money unit
    """,
    regex.VERBOSE,
)


def fix_lost_comma(text: str) -> tuple[str, list[Change]]:
    """``(21 839百万円)`` → ``(21,839百万円)``: a thousands comma OCR lost, leaving its gap.

    The digits before the gap cannot be an amount of their own (no unit), and
    the group of three before the unit is the amount's last group.
    """
    return _apply("lost_comma", _LOST_COMMA_RE, text, lambda m: ",")


_COMMA_PERIOD_RE = regex.compile(
    rf"""
    (?<=\d)
    (?:{_COMMA}{_PERIOD}|{_PERIOD}{_COMMA})   # `,.` or `.,`: one comma read twice
    (?=\d{{3}}(?!\d))                          # before a group of three
    """,
    regex.VERBOSE,
)


def fix_comma_period(text: str) -> tuple[str, list[Change]]:
    """``6,.906`` → ``6,906``."""
    return _apply("comma_period", _COMMA_PERIOD_RE, text, lambda m: m[0][0] if m[0][0] != "." else ",")


_COLON_COMMA_RE = regex.compile(
    rf"""
    (?<=(?<![\d,，.．:：;])\d{{1,3}})   # the number's first group: 1 / 21 / 597
    [:：;]                             # a colon where its comma stood
    (?=\d{{3}}(?:[,，]\d{{3}})*\s?(?:{_UNITS}))   # groups of three, then the money unit
    """,
    regex.VERBOSE,
)


def fix_colon_comma(text: str) -> tuple[str, list[Change]]:
    """``>1:597百万円`` → ``>1,597百万円``: a thousands comma read as a colon (a tall comma).

    Only right before groups of three and a money unit: a time or a ratio
    (``10:30``, ``1:2``) has none.
    """
    return _apply("colon_comma", _COLON_COMMA_RE, text, lambda m: ",")


_NEGATIVE_RE = regex.compile(
    rf"""
    {_CELL_START}
    (?P<junk>{alternation(list(_OCR.negative))})   # 人へ / 人 / へ / ム for ▲/△
    \s?
    (?=\d{{1,3}}(?:[,，.．]\s?\d{{3}})*              # an amount (its commas may be misread too)
       (?:\s?(?:{_UNITS}))?{_CELL_END})             # that fills the rest of its cell
    """,
    regex.VERBOSE,
)


_LEADING_DASH_RE = regex.compile(
    rf"""
    ^\s*[-‐−]\s?                                  # a dash opening the line, glued to
    (?=\(?\d{{1,3}}(?:,\d{{3}})+\s?(?:{_UNITS}))      # a grouped amount with its money unit,
                                                  # bracketed or not (a previous year's)
    """,
    regex.VERBOSE,
)


_LEADING_COMMA_RE = regex.compile(
    rf"""
    ^\s*
    (?:
        [、。_]+                                         # no line opens with 、 or 。 (kinsoku), nor with _
      | [.,．，~〜](?=\s?[^\d\s])                         # a lone point or tilde before a word
      | [.,．，](?=\d{{1,3}}(?:,\d{{3}})+\s?(?:{_UNITS}))    # or before a grouped amount
    )
    \s?(?=\S)
    """,
    regex.VERBOSE,
)


def fix_leading_comma(text: str) -> tuple[str, list[Change]]:
    """``、令和元年度補正予算額`` → ``令和元年度補正予算額``: a speck or a bullet read as punctuation.

    No Japanese line opens with 、 or 。 (kinsoku), nor with an underscore or a
    lone point; left there, it would hide the label or the chapter number behind it.
    """
    return _apply("leading_comma", _LEADING_COMMA_RE, text, lambda m: "")


_OPEN_ZERO_RE = regex.compile(
    rf"""
    (?<=円\s?)                                     # right after an amount
    0                                              # an opening bracket read as a zero
    (?=[1-9]\d{{0,2}}(?:,\d{{3}})*\s?(?:{_UNITS})[)）])   # before an amount its ) closes
    """,
    regex.VERBOSE,
)


_OPEN_LOST_RE = regex.compile(
    rf"""
    (?<=\d\s?(?:{_UNITS})\s?)                          # right after an amount
    (?=[1-9]\d{{0,2}}(?:,\d{{3}})*\s?(?:{_UNITS})[)）])   # before an amount its ) closes
    """,
    regex.VERBOSE,
)


def fix_open_bracket_zero(text: str) -> tuple[str, list[Change]]:
    """``2,140百万円02,110百万円)`` → ``2,140百万円(2,110百万円)``: the bracket of the previous
    year's amount read as a zero (a scanned LibreOffice rendering in Noto Sans CJK, p7), or not
    read at all (``8,796百万円8,796百万円)``, one column, p14) where no bracket before it is
    open.  No grouped number opens with 0, and a ) closes what opened."""
    text, zeros = _apply("open_bracket", _OPEN_ZERO_RE, text, lambda m: "(")
    if zeros:
        return text, zeros
    return _apply("open_bracket", _OPEN_LOST_RE, text, lambda m: None if unclosed(text[: m.start()]) else "(")


def fix_leading_dash(text: str) -> tuple[str, list[Change]]:
    """``-2,700百万円`` → ``2,700百万円``, ``-(1,421百万円)`` → ``(1,421百万円)``: a dash (a bullet,
    a speck) glued to an amount opening a line.

    Budget documents write negative amounts with ▲/△; a minus read by OCR at
    the start of a line is a bullet or dust, and would flip the amount's sign.
    """
    return _apply("leading_dash", _LEADING_DASH_RE, text, lambda m: "")


def fix_negative_signs(text: str) -> tuple[str, list[Change]]:
    """``人へ15,621`` → ``△15,621``: a negative sign misread, at the start of an amount cell."""
    return _apply("negative", _NEGATIVE_RE, text, lambda m: _OCR.negative_sign)


_PERIODS_RE = regex.compile(
    rf"""
    (?<![\d,，.．])
    (?P<number>\d{{1,3}}(?:{_PERIOD}\d{{3}})+)     # 48.514 / 1.234.567: groups of three after periods
    (?![\d,，.．])
    (?:
        (?=\s?(?:{_UNITS}))                        # before a money unit
      | (?<=(?:{_CELL_START}|\s)[▲△-]?\d[\d.．]*)  # or filling a cell (at a cell end)
        {_CELL_END}
    )
    """,
    regex.VERBOSE,
)


def fix_period_commas(text: str) -> tuple[str, list[Change]]:
    """``48.514百万円`` → ``48,514百万円``: thousands commas read as periods.

    Only when the digits after each period are a group of three and the
    number is an amount: a money unit follows, or it fills a table cell.
    Amounts are never written with three decimals.
    """
    table = "\t" in text or _SPACED_CELLS.search(text) is not None

    def replace(m: regex.Match[str]) -> str | None:
        unit = regex.match(rf"\s?(?:{_UNITS})", text[m.end() :])
        if not unit and not table and m.start() > 0:
            return None  # a lone number inside prose: leave it
        return regex.sub(_PERIOD, ",", m["number"])

    return _apply("period_comma", _PERIODS_RE, text, replace)


_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①-⑳
_ITEM_START = r"^[\s\-・*]*"
_CIRCLED_JUNK_RE = regex.compile(
    rf"""
    (?<={_ITEM_START})                                                       # の② / や① / @②
    (?:{alternation([*_OCR.circled_junk, *_OCR.circled])})\s?(?=[{_CIRCLED}])
    | (?<={_ITEM_START}[{_CIRCLED}])(?:{alternation(list(_OCR.circled))}|[{_CIRCLED}])   # ②@ / ②⑨
    """,
    regex.VERBOSE,
)
_CIRCLED_AT_RE = regex.compile(
    rf"""
    (?<={_ITEM_START})
    (?:{alternation(list(_OCR.circled))})     # @ / © where ① ② stood
    (?=\s?[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}A-Za-z])
    """,
    regex.VERBOSE,
)


_BULLET_RE = regex.compile(
    rf"""
    (?<={_ITEM_START})
    (?:{alternation(list(_OCR.bullets))})+                 # 〇 (the kanji zero) or O where ○ stood
    (?=\s?[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}--[〇一二三四五六七八九十百千万億兆]])  # a word follows
    """,
    regex.VERBOSE | regex.VERSION1,
)


def fix_bullets(text: str) -> tuple[str, list[Change]]:
    """``〇再生医療…`` → ``○再生医療…``: a bullet printed as the kanji zero, at the start of an item."""
    return _apply("bullet", _BULLET_RE, text, lambda m: _OCR.bullets[m[0][0]])


_KANA_KANJI = r"[\p{Han}\p{Hiragana}\p{Katakana}]"
# `.` or `/.` between kana/kanji, or between a closing bracket and ・ (`「富岳」.・HPCI`); or a
# `.` ending a line or cell after kana/kanji or a bracket (`令和2年度予算額(案).`): Japanese ends
# its sentences with 。, and a Latin one ends after a letter
_STRAY_DOT_RE = regex.compile(
    rf"(?<={_KANA_KANJI}|[」』])/?[.．](?={_KANA_KANJI}|[・「『])"
    rf"|(?<={_KANA_KANJI}|[」』)）】※]) ?[.．](?=\t|$)"
)


def fix_stray_dots(text: str) -> tuple[str, list[Change]]:
    """``による.次世代`` → ``による次世代``: a speck of dust read as a period between kana/kanji, or
    at the end of a line after them."""
    return _apply("stray_dot", _STRAY_DOT_RE, text, lambda m: "")


_ELLIPSIS_POINT_RE = regex.compile(rf"(?<={_KANA_KANJI})(?:…|‥|[.．]{{2,3}})(?={_KANA_KANJI})")


def fix_ellipsis_points(text: str) -> tuple[str, list[Change]]:
    """``整備…共用`` → ``整備・共用``: a middle dot read as an ellipsis between two words (a name
    never holds one; prose that trails off ends with it, not between kanji)."""
    return _apply("ellipsis_point", _ELLIPSIS_POINT_RE, text, lambda m: "・")


_ITEM_NUMBER_RE = regex.compile(
    rf"""
    ^\s*(?:{alternation(list(_OCR.item_one))})   # `]` where 1 stood
    (?=[.．]\s?{_KANA_KANJI})                    # in `1.` before a title
    """,
    regex.VERBOSE,
)


def fix_item_numbers(text: str) -> tuple[str, list[Change]]:
    """``].科学技術…`` → ``1.科学技術…``: the item number 1 misread, at the start of a line."""
    return _apply("item_number", _ITEM_NUMBER_RE, text, lambda m: m[0].replace(m[0].strip(), "1"))


_ERA_NAMES = "|".join(era.name for era in lexicon().eras)
_WAVE_RE = regex.compile(
    rf"""
    (?<=\d)                                       # after a number
    (?:{alternation(list(_OCR.wave_dash))})       # て where 〜 stood
    (?=\d|{_ERA_NAMES})                           # before a number or an era name
    """,
    regex.VERBOSE,
)


# The letter J read as a closing bracket, in a Latin name inside brackets:
# (J-PARC) as ()-PARC), (】-PARC) or 「」-PARC」, 「SACLA」 as 「SACLAJ; or the pair (J read
# as one 0 or け (施設0-PARC), 施設け-PARC)): right after kana or kanji, before a Latin name
# that a ) closes.
_LATIN_J_RE = regex.compile(
    r"""
    (?<=[(「])[)」】](?=[-A-Z])                    # an empty pair before a Latin name: J
  | (?<=「[A-Z][A-Za-z0-9\-]*)J(?![A-Za-z0-9」]*」)  # a J ending a name whose 」 is missing
  | (?<=[\p{Han}\p{Katakana}ー])[0け]              # (J as 0 or け, after a word
    (?=-[A-Z][A-Z0-9]*\)|[A-Z]+-[A-Z0-9]+\))       # before -PARC) or T-60SA)
    """,
    regex.VERBOSE,
)


_LATIN_J_READS = {")": "J", "」": "J", "】": "J", "0": "(J", "け": "(J"}


def fix_latin_j(text: str) -> tuple[str, list[Change]]:
    """``()-PARC)`` → ``(J-PARC)``, ``「SACLAJ`` → ``「SACLA」``, ``施設0-PARC)`` → ``施設(J-PARC)``
    (``(】-PARC)``, ``施設け-PARC)`` likewise):
    J and a bracket confused."""
    return _apply("latin_j", _LATIN_J_RE, text, lambda m: _LATIN_J_READS.get(m[0], "」"))


# A corner bracket 」 closing a name read as ] or 〕 (or both): `「富岳(ふがく)〕](ポスト…`.
_CLOSING_RE = regex.compile(
    r"""
    (?<=「[^「」\[〔]*)      # inside an open 「 with no [ or 〔 of its own
    [\]〕]{1,2}            # a bracket that closes nothing else
    """,
    regex.VERBOSE,
)


def fix_closing_brackets(text: str) -> tuple[str, list[Change]]:
    """``「富岳(ふがく)〕]`` → ``「富岳(ふがく)」``: an open 「 is closed by 」, not by ] or 〕."""
    return _apply("closing_bracket", _CLOSING_RE, text, lambda m: "」")


# One bracket read twice: `施設((J-PARC)の整備`, a pair that closes once.
_DOUBLED_OPEN_RE = regex.compile(r"(?<=[(（])[(（]")


def fix_doubled_bracket(text: str) -> tuple[str, list[Change]]:
    """``大強度陽子加速器施設((J-PARC)`` → ``大強度陽子加速器施設(J-PARC)``: an opening bracket read
    twice (a scanned WeasyPrint rendering in IPAex Gothic, three columns, p3), where the line
    closes fewer brackets than it opens."""
    opens = text.count("(") + text.count("（")
    closes = text.count(")") + text.count("）")
    return _apply("doubled_bracket", _DOUBLED_OPEN_RE, text, lambda m: "" if closes < opens else None)


def fix_wave_dash(text: str) -> tuple[str, list[Change]]:
    """``30て40MW`` → ``30〜40MW``, ``平成28て令和2年度`` → ``平成28〜令和2年度``: a range's wave dash."""
    return _apply("wave_dash", _WAVE_RE, text, lambda m: "〜")


_MARKS = alternation(list(_OCR.stray_marks))
_QUOTES = '“”"＂'
_STRAY_MARKS_RE = regex.compile(
    rf"""
    (?<=^[\s\-・]*[{_CIRCLED}○]?\s?)(?:{_MARKS})+(?=\s?[^\s{_QUOTES}*])   # at the start of an item
    | (?<=\S)\s?(?:{_MARKS})+$                                             # at the end of the line
    """,
    regex.VERBOSE,
)


_TRAILING_SPECK_RE = regex.compile(
    r"""
    (?<=[)）】\]」』])\s?[.,'`・]+$                        # a point after a closing bracket
    | (?<=[\p{Han}\p{Hiragana}\p{Katakana}])\s+[。．.]$     # a full stop a clear gap after the text
    """,
    regex.VERBOSE,
)


def fix_trailing_speck(text: str) -> tuple[str, list[Change]]:
    """``令和2年度予算額(案).`` → ``令和2年度予算額(案)``: a speck after a closing bracket ending the line,
    or a full stop standing apart from the text (``事業の推進体制整備・調査分析 。``).

    Japanese lines end in 。 or a bracket, not a point, and a 。 hugs the character
    before it (the OCR lines keep a space only for a gap of ``cjk_space`` em); the
    speck would keep a label line from being read as a label.
    """
    return _apply("trailing_speck", _TRAILING_SPECK_RE, text, lambda m: "")


def fix_stray_marks(text: str) -> tuple[str, list[Change]]:
    """``①“施設の整備費…`` → ``①施設の整備費…``: bold marks or a lone quote read at an item's ends.

    A quote is kept when the line has its other half.
    """

    pairs = {"“": "”", "”": "“", "＂": "＂", '"': '"'}

    def replace(m: regex.Match[str]) -> str | None:
        for ch in set(m[0]) & set(pairs):
            other = pairs[ch]
            if text.count(other) > (m[0].count(other) if other != ch else 1):
                return None  # “…” in the line: a real quotation
        return ""

    return _apply("stray_marks", _STRAY_MARKS_RE, text, replace)


def circled_number(text: str) -> int | None:
    """The circled item number a line starts with (② → 2), or None."""
    m = regex.match(rf"{_ITEM_START}(?P<c>[{_CIRCLED}])", text)
    return ord(m["c"]) - 0x2460 + 1 if m else None


def fix_circled_numbers(text: str, previous: int | None = None) -> tuple[str, list[Change]]:
    """``-@公正な…`` → ``-②公正な…``, ``の②業務…`` → ``②業務…``: a circled item number misread.

    ``@``/``©`` at the start of an item becomes the circled number after
    ``previous`` (the last one on the page), ① when there is none.
    """
    text, changes = _apply("circled", _CIRCLED_JUNK_RE, text, lambda m: "")
    number = min((previous or 0) + 1, 20)
    fixed, more = _apply("circled", _CIRCLED_AT_RE, text, lambda m: chr(0x2460 + number - 1))
    return fixed, [*changes, *more]


# The rules in the order they run: words first, then digits inside numbers,
# then separators, then signs and the comma-period reading, which need clean
# digit groups around them.
_KANJI_OF = _OCR.lookalikes
_LOOKALIKE_RE = regex.compile(
    rf"""
    (?<=[\p{{Han}}--[{"".join(_KANJI_OF.values())}]])     # after a kanji that is no look-alike itself
    [{"".join(_KANJI_OF)}]                                # a katakana that looks like a kanji
    (?![\p{{Katakana}}ー])                                # and no katakana word goes on
    """,
    regex.VERBOSE | regex.VERSION1,
)


def fix_lookalikes(text: str) -> tuple[str, list[Change]]:
    """``総合カ`` → ``総合力``: a katakana after a kanji, starting no katakana word, is the kanji."""
    return _apply("lookalike", _LOOKALIKE_RE, text, lambda m: _KANJI_OF[m[0]])


def fix_lookalike_kanji(text: str) -> tuple[str, list[Change]]:
    """``X線白由電子`` → ``X線自由電子``: a kanji that makes no word with its neighbours, where a
    kanji of nearly its shape would, is that kanji misread (``lookalikes.mend``)."""
    made = mend(text)
    out = list(text)
    for i, _, other in made:
        out[i] = other
    return "".join(out), [Change("lookalike_kanji", i, i + 1, ch, other) for i, ch, other in made]


RULES: tuple[Rule, ...] = (
    fix_era_words,
    fix_misread_words,
    fix_draft_mark,
    fix_unit_words,
    fix_digit_letters,
    fix_spaced_digits,
    fix_comma_space,
    fix_lost_comma,
    fix_comma_period,
    fix_colon_comma,
    fix_open_bracket_zero,
    fix_negative_signs,
    fix_period_commas,
    fix_leading_dash,  # after the commas are commas again
    fix_leading_comma,
    fix_bullets,
    fix_ellipsis_points,  # before a lone point is taken for dust
    fix_stray_dots,
    fix_item_numbers,
    fix_wave_dash,
    fix_closing_brackets,
    fix_lookalikes,
    fix_latin_j,
    fix_doubled_bracket,  # after (J read as () is (J again
    fix_lookalike_kanji,  # after the rules above: the words around a kanji are mended first
)


# --- numbers that fail the format check --------------------------------------------

_NUMBER_RE = regex.compile(
    rf"""
    (?<![\d,，.．])
    (?P<number>[▲△-]?[,，.．]?\d[\d,，.．]*)      # digits with their separators, a stray one in front
    (?:
        (?P<unit>\s?[千百十]?(?:[万億兆]|[千百十])?円)   # an amount: a money unit follows
      | (?P<junk>[A-Za-z])\s?[千百十万億兆]*円         # a letter between the digits and the unit
      | {_CELL_END}                                  # or a number at the end of a cell
    )
    """,
    regex.VERBOSE,
)
_MIXED_CELL_RE = regex.compile(
    rf"""
    {_CELL_START}
    (?P<number>[▲△-]?\d[\d,，.．]*[^\d\s,，.．]{{1,2}}\d[\d,，.．]*)   # 11も424 / 8S8: not a number
    {_CELL_END}
    """,
    regex.VERBOSE,
)


def suspect_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of amounts in ``text`` that fail the number format check."""
    table = "\t" in text or _SPACED_CELLS.search(text) is not None
    spans: list[tuple[int, int]] = []
    for m in _NUMBER_RE.finditer(text):
        start, end = m.span("number")
        if m["junk"]:
            spans.append((start, m.end("junk")))
            continue
        if not m["unit"]:
            # a bare number counts only in a table row, at a cell end after a cell start or a space
            before = text[:start]
            if not table or not (before == "" or before[-1] in " \t"):
                continue
        unit = m["unit"] or ""
        if not check_number_format(m["number"], myriad=bool(regex.match(r"\s?[万億兆]", unit))):
            spans.append((start, end))
    spans.extend(m.span("number") for m in _MIXED_CELL_RE.finditer(text))
    return sorted(set(spans))


# --- a line --------------------------------------------------------------------------


@dataclass(frozen=True)
class Repair:
    """A repaired line: its text, where each character came from, and what changed."""

    text: str
    origin: tuple[int | None, ...]  # index in the OCR text of each character (None: inserted)
    changes: tuple[Change, ...] = ()
    changed: tuple[tuple[int, int], ...] = ()  # spans of the repaired text that rules wrote
    suspects: tuple[tuple[int, int], ...] = field(default=())  # amounts failing the format check


def _remap(origin: list[int | None], written: list[bool], changes: Sequence[Change]) -> tuple[list, list]:
    """Per-character origins and "written by a rule" flags after a rule's changes."""
    new_origin: list[int | None] = []
    new_written: list[bool] = []
    pos = 0
    for c in changes:
        new_origin.extend(origin[pos : c.start])
        new_written.extend(written[pos : c.start])
        for k in range(len(c.after)):
            new_origin.append(origin[min(c.start + k, c.end - 1)] if c.end > c.start else None)
            new_written.append(True)
        pos = c.end
    new_origin.extend(origin[pos:])
    new_written.extend(written[pos:])
    return new_origin, new_written


def _spans(flags: Sequence[bool]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def repair_line(text: str, previous_circled: int | None = None) -> Repair:
    """Every rule over one OCR line, then the format check."""
    origin: list[int | None] = list(range(len(text)))
    written = [False] * len(text)
    changes: list[Change] = []
    rules: list[Rule] = [
        *RULES,
        lambda t: fix_circled_numbers(t, previous_circled),
        fix_stray_marks,
        fix_trailing_speck,
    ]
    for rule in rules:
        new, made = rule(text)
        if made:
            origin, written = _remap(origin, written, made)
            text = new
            changes.extend(made)
    return Repair(
        text=text,
        origin=tuple(origin),
        changes=tuple(changes),
        changed=tuple(_spans(written)),
        suspects=tuple(suspect_numbers(text)),
    )


def repair_lines(texts: Sequence[str]) -> list[Repair]:
    """Repair a page's lines in order (circled item numbers continue from line to line)."""
    out = []
    previous: int | None = None
    for text in texts:
        fixed = repair_line(text, previous)
        previous = circled_number(fixed.text) or previous
        out.append(fixed)
    return out
