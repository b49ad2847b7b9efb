"""The language data (extract/data/ja.toml) is consistent: the code derives its patterns from it."""

from __future__ import annotations

import tomllib
import unicodedata
from importlib import resources

import pytest

from yosan.book.columns import squeeze
from yosan.lexicon import BOOK_KINDS, book_words, lexicon, ocr_misreads
from yosan.model import Kind, Level

RAW = tomllib.loads(resources.files("yosan").joinpath("data/ja.toml").read_text("utf-8"))


def test_eras_are_ordered_and_distinct() -> None:
    eras = lexicon().eras
    starts = [e.start for e in eras]
    assert starts == sorted(starts, reverse=True), "newest era first"
    names = [e.name for e in eras] + [a for e in eras for a in e.abbreviations]
    assert len(names) == len(set(names))


def test_numerals() -> None:
    lex = lexicon()
    assert set(lex.digits.values()) == set(range(10))
    assert set(lex.small_units.values()) == {1, 2, 3}
    assert sorted(lex.large_units.values()) == [4, 8, 12]
    assert not set(lex.small_units) & set(lex.large_units)


def test_labels_name_known_kinds_and_do_not_repeat() -> None:
    labels = lexicon().labels
    assert set(labels) <= {k.value for k in Kind}
    words = [w for ws in labels.values() for w in ws]
    assert len(words) == len(set(words)), "a label word belongs to one kind"


def test_book_kinds_are_the_record_kinds() -> None:
    assert set(BOOK_KINDS) == {k.value for k in Kind}
    assert set(book_words().kinds) == set(BOOK_KINDS)


def test_book_headers_are_written_as_matched() -> None:
    """Headers are matched after NFKC and without spaces, so the data must be written that way."""
    words = book_words()
    every = [w for ws in words.kinds.values() for w in ws] + list(words.funding) + list(words.not_money)
    every += list(words.explanation) + list(words.names) + list(words.totals)
    for word in every:
        assert squeeze(word) == word, word


def test_book_header_words_belong_to_one_kind() -> None:
    seen: dict[str, str] = {}
    for kind, ws in book_words().kinds.items():
        for w in ws:
            assert w not in seen, f"{w} is both {seen[w]} and {kind}"
            seen[w] = kind


def test_name_columns_give_levels() -> None:
    for header, level in book_words().names.items():
        assert Level(level) != Level.NONE, header


def test_standard_kan_lists_are_disjoint() -> None:
    words = book_words()
    assert not words.revenue_kan & words.expenditure_kan
    assert "市税" in words.revenue_kan and "議会費" in words.expenditure_kan


def test_code_stops_are_counters() -> None:
    words = book_words()
    assert set(words.code_stops) <= set(words.counters)


def test_default_account_has_the_suffix() -> None:
    words = book_words()
    assert words.default_account.endswith(words.account_suffix)


def test_radicals_fold_to_ideographs() -> None:
    for radical, ideograph in lexicon().radicals.items():
        assert 0x2E80 <= ord(radical) <= 0x2EFF, radical
        assert unicodedata.normalize("NFKC", radical) == radical, (
            "NFKC leaves it alone (else it needs no entry)"
        )
        assert unicodedata.category(ideograph) == "Lo", ideograph


@pytest.mark.parametrize("table", ["eras", "labels", "words", "units"])
def test_ocr_misreads_differ_from_their_reading(table: str) -> None:
    for wrong, right in getattr(ocr_misreads(), table).items():
        assert wrong != right


def test_every_top_level_table_is_loaded() -> None:
    """A table added to ja.toml without code that reads it would be dead data."""
    assert set(RAW) == {
        "eras",
        "numerals",
        "qualifiers",
        "labels",
        "context",
        "markers",
        "radicals",
        "ocr",
        "book",
    }
