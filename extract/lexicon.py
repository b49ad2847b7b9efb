"""Language tables, loaded once from ``data/ja.toml``.

Keeping eras, numerals, units and labels in a data file (as dateparser keeps
``ja.yaml``) means a new label or era is a one-line data change, and the code
that uses them stays free of Japanese string literals.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _data() -> dict[str, Any]:
    """``data/ja.toml`` of this package (whatever name it is imported under)."""
    return tomllib.loads(resources.files(__package__ or "yosan").joinpath("data/ja.toml").read_text("utf-8"))


@dataclass(frozen=True)
class Era:
    name: str
    start: int
    abbreviations: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    eras: tuple[Era, ...]
    digits: dict[str, int]
    small_units: dict[str, int]
    large_units: dict[str, int]
    yen: str
    first_year: str
    approx_before: tuple[str, ...]
    approx_after: tuple[str, ...]
    negative_signs: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]
    draft: tuple[str, ...]
    other_after: tuple[str, ...]
    other_period: tuple[str, ...]
    reconstruction: tuple[str, ...]
    previous_note: tuple[str, ...]
    ended_programme: tuple[str, ...]
    unit_note: tuple[str, ...]
    not_titles: frozenset[str]
    strong_markers: tuple[str, ...]
    weak_markers: tuple[str, ...]
    line_openers: tuple[str, ...]
    trailing_notes: tuple[str, ...]
    roman: tuple[str, ...]
    roman_word_starts: tuple[str, ...]
    prolonged: tuple[str, ...]
    bracket_openers: tuple[str, ...]
    closers: tuple[str, ...]
    sentence_ends: tuple[str, ...]
    no_line_start: frozenset[str]
    no_line_end: frozenset[str]
    hanging: frozenset[str]
    radicals: dict[str, str]

    def era(self, name_or_abbreviation: str) -> Era:
        for era in self.eras:
            if name_or_abbreviation == era.name or name_or_abbreviation in era.abbreviations:
                return era
        raise KeyError(name_or_abbreviation)


@cache
def lexicon() -> Lexicon:
    """The parsed language tables (read once per process)."""
    raw = _data()
    numerals, qualifiers = raw["numerals"], raw["qualifiers"]
    context, markers = raw["context"], raw["markers"]
    labels = {kind: tuple(words) for kind, words in raw["labels"].items() if kind != "draft"}
    return Lexicon(
        eras=tuple(Era(e["name"], e["start"], tuple(e["abbreviations"])) for e in raw["eras"]),
        digits=dict(numerals["digits"]),
        small_units=dict(numerals["small"]),
        large_units=dict(numerals["large"]),
        yen=numerals["yen"],
        first_year=numerals["first_year"],
        approx_before=tuple(qualifiers["approx_before"]),
        approx_after=tuple(qualifiers["approx_after"]),
        negative_signs=tuple(qualifiers["negative_signs"]),
        labels=labels,
        draft=tuple(raw["labels"]["draft"]),
        other_after=tuple(context["other_after"]),
        other_period=tuple(context["other_period"]),
        reconstruction=tuple(context["reconstruction"]),
        previous_note=tuple(context["previous_note"]),
        ended_programme=tuple(context["ended_programme"]),
        unit_note=tuple(context["unit_note"]),
        not_titles=frozenset(context["not_titles"]),
        strong_markers=tuple(markers["strong"]),
        weak_markers=tuple(markers["weak"]),
        line_openers=tuple(markers["openers"]),
        trailing_notes=tuple(markers["trailing_notes"]),
        roman=tuple(markers["roman"]),
        roman_word_starts=tuple(markers["roman_word_starts"]),
        prolonged=tuple(markers["prolonged"]),
        bracket_openers=tuple(markers["bracket_openers"]),
        closers=tuple(markers["closers"]),
        sentence_ends=tuple(markers["sentence_ends"]),
        no_line_start=frozenset(markers["no_line_start"]),
        no_line_end=frozenset(markers["no_line_end"]),
        hanging=frozenset(markers["hanging"]),
        radicals=dict(raw["radicals"]),
    )


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first so the longest wins."""
    import regex

    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def roman_item() -> str:
    """The regex (verbose) of a Roman item number at a line's start: followed by a space or a
    dot, or glued to the name after it unless that starts a word (X線, II型); for the wrap test
    (it opens a line) and the titles (it is cut off), so both read the same numbers."""
    lex = lexicon()
    return rf"""
        (?:{alternation(lex.roman)})
        (?: (?=[\s.])                                        # I / II. / IV followed by a space or dot
          | (?=\p{{Han}}|\p{{Katakana}}|\p{{Hiragana}})(?!{alternation(lex.roman_word_starts)})  # II疾患…
        )"""


@dataclass(frozen=True)
class OcrMisreads:
    """The ``[ocr]`` table: what OCR prints in place of eras, labels, units, signs, digits, ①."""

    eras: dict[str, str]
    labels: dict[str, str]
    words: dict[str, str]  # misread words of the documents, replaced wherever they occur
    units: dict[str, str]
    man: tuple[str, ...]  # 万 misread before 円
    comma_units: tuple[str, ...]
    negative: tuple[str, ...]
    negative_sign: str
    digits: dict[str, str]
    bullets: dict[str, str]
    wave_dash: tuple[str, ...]
    stray_marks: tuple[str, ...]
    item_one: tuple[str, ...]
    circled: tuple[str, ...]
    circled_junk: tuple[str, ...]
    lookalikes: dict[str, str]  # katakana → kanji
    draft_words: tuple[str, ...]  # labels a bracketed 案 follows
    draft_keep: tuple[str, ...]  # single kanji that stand in brackets after them as themselves
    name_endings: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # right → (after, misreads)
    box_marks: tuple[str, ...]
    name_specks: frozenset[str]  # a speck inside a programme name, as OCR reads it


@cache
def ocr_misreads() -> OcrMisreads:
    """The OCR misread tables of ``data/ja.toml`` (read once per process)."""
    raw = _data()["ocr"]
    return OcrMisreads(
        eras=dict(raw["eras"]),
        labels=dict(raw["labels"]),
        words=dict(raw["words"]),
        units=dict(raw["units"]),
        man=tuple(raw["man"]),
        comma_units=tuple(raw["comma_units"]),
        negative=tuple(raw["negative"]),
        negative_sign=raw["negative_sign"],
        digits=dict(raw["digits"]),
        bullets=dict(raw["bullets"]),
        wave_dash=tuple(raw["wave_dash"]),
        stray_marks=tuple(raw["stray_marks"]),
        item_one=tuple(raw["item_one"]),
        circled=tuple(raw["circled"]),
        circled_junk=tuple(raw["circled_junk"]),
        lookalikes=dict(raw["lookalikes"]),
        draft_words=tuple(raw["draft_words"]),
        draft_keep=tuple(raw["draft_keep"]),
        box_marks=tuple(raw["box_marks"]),
        name_specks=frozenset(raw["name_specks"]),
        name_endings={k: (tuple(v["after"]), tuple(v["misreads"])) for k, v in raw["name_endings"].items()},
    )


@dataclass(frozen=True)
class BookWords:
    """The ``[book]`` table: budget books' column headers, name columns, totals, sections."""

    kinds: dict[str, tuple[str, ...]]  # Kind value → header words (budget, previous, …, other)
    funding: tuple[str, ...]
    not_money: tuple[str, ...]
    period: tuple[str, ...]
    explanation: tuple[str, ...]
    names: dict[str, str]  # name column header → level
    levels: tuple[str, ...]
    ordinal: str
    revenue_groups: frozenset[str]
    totals: tuple[str, ...]
    sections: tuple[str, ...]
    budget_title: tuple[str, ...]
    supplementary_title: tuple[str, ...]
    account_suffix: str
    default_account: str
    counters: tuple[str, ...]
    code_stops: tuple[str, ...]
    times: tuple[str, ...]
    divide: tuple[str, ...]
    revenue_kan: frozenset[str]
    expenditure_kan: frozenset[str]
    setsu: tuple[str, ...]
    saisetsu: tuple[str, ...]


BOOK_KINDS = ("budget", "previous", "difference", "base", "supplementary", "revised", "request", "other")


@cache
def book_words() -> BookWords:
    """The budget-book tables of ``data/ja.toml`` (read once per process)."""
    raw = _data()["book"]
    words = raw["words"]
    return BookWords(
        kinds={kind: tuple(raw[kind]) for kind in BOOK_KINDS},
        funding=tuple(raw["funding"]),
        not_money=tuple(raw["not_money"]),
        period=tuple(raw["period"]),
        explanation=tuple(raw["explanation"]),
        names=dict(raw["names"]),
        levels=tuple(words["levels"]),
        ordinal=words["ordinal"],
        revenue_groups=frozenset(words["revenue_groups"]),
        totals=tuple(words["totals"]),
        sections=tuple(words["sections"]),
        budget_title=tuple(words["budget_title"]),
        supplementary_title=tuple(words["supplementary_title"]),
        account_suffix=words["account_suffix"],
        default_account=words["default_account"],
        counters=tuple(words["counters"]),
        code_stops=tuple(words["code_stops"]),
        times=tuple(words["times"]),
        divide=tuple(words["divide"]),
        revenue_kan=frozenset(words["revenue_kan"]),
        expenditure_kan=frozenset(words["expenditure_kan"]),
        setsu=tuple(words["setsu"]),
        saisetsu=tuple(words["saisetsu"]),
    )


@cache
def book_prose() -> dict[str, tuple[str, ...]]:
    """The ``[book.prose]`` table: the words of a summary's sentences about its figures."""
    raw = _data()["book"]["prose"]
    return {key: tuple(words) for key, words in raw.items()}
