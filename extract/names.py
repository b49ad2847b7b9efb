"""Programme names read by OCR, settled against the rest of the document.

OCR misreads a kanji of a title now and then (`富岳` as `富二`, `協力` as
`協カ`) and reads a bullet (◆ ○ ①) as a character glued to it (`休戦略的…`).
A budget document states most names more than once: on the summary page and
on the programme's own page, as a title and in a table.  Misreads of the same
name rarely agree, so when a name read by OCR is one or two characters away
from a name the document states more often, the more frequent one is meant.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import regex

from .lexicon import ocr_misreads

if TYPE_CHECKING:
    from .model import Record

MIN_LENGTH = 4  # shorter names are too alike to tell a misread from another name
# A bullet (◆ ○ ①) read as a particle glued to the title (`で戦略的…`, `や地球規模…`): no
# name starts with a particle.  (A lone capital is no such sign: `X線…`.)
# A check mark (✓) is read as V: `V疾患特異的…` (but `V字…` is a word).
_STRAY_LEAD = regex.compile(r"^(?:[でにをはがのとや]|[Vv✓](?!字))(?=\p{Han})")


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def inside(part: str, text: str, limit: int) -> bool:
    """Whether ``part`` is ``text`` or some stretch of it with at most ``limit`` characters
    changed, dropped or added (Sellers' approximate match: a stretch may start anywhere)."""
    if part in text:
        return True
    if len(part) > len(text) + limit:
        return False
    previous = [0] * (len(text) + 1)  # a stretch may start at any place: no cost before it
    for i, cp in enumerate(part, start=1):
        current = [i]
        for j, ct in enumerate(text, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (cp != ct)))
        previous = current
    return min(previous) <= limit


def allowed_misreads(name: str) -> int:
    """Misread characters tolerated in a name: one, and one more per fifteen characters."""
    return 1 + len(name) // 15


# Characters either side of a character, as the document's text states them: two and two,
# or both ways of three in all (a name's surroundings vary: `「富岳」の`, `「富岳」・`).
CONTEXTS = ((2, 2), (2, 1), (1, 2))
CONTEXT_MIN = 2  # times the document states the other kanji in a context
# Names this long, and not in a budget book, are spelt by their contexts: a PR sheet's
# programme titles are long and their words recur in its sentences.
CONTEXT_NAME = 10
PATH_SEPARATOR = " > "  # between the steps of a budget book's 款・項・目 path (book/reader.py)


class Contexts:
    """What the document's text states between the characters before and after.

    A kanji misread in a name stated once (`先端的低誠素化技術開発`) stands where
    the document, elsewhere, has another kanji in the same surroundings again
    and again (`先端的低炭素化`).  A misread reads one ink once: another kanji
    stated at least twice both between the two characters before and the two
    after, or in both of the shorter contexts (two before and one after, one
    before and two after), and this character never elsewhere, mean the
    other; one shorter context alone is a word beside another (`医療創生研究`
    beside `創造研究`), and a kanji whose surroundings vary keeps its reading
    (`「富首」・HPCI`: `「富岳」` is followed by many things).  Only a kanji
    is replaced, and only by a kanji (kana differ between right spellings, a
    0 before 円 is no 千), or a katakana by the kanji it looks like (`協カ` →
    `協力`: ja.toml's ``[ocr] lookalikes``), and nothing is dropped or added
    (`利活用` and `利用` are both words).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.text = "\n".join(texts)
        self.middle: dict[tuple[str, str], Counter[str]] = {}
        for text in texts:
            for left, right in CONTEXTS:
                for i in range(left, len(text) - right):
                    key = (text[i - left : i], text[i + 1 : i + 1 + right])
                    self.middle.setdefault(key, Counter())[text[i]] += 1

    def spelt(self, name: str) -> str:
        """``name`` with each character the document's contexts contradict replaced."""
        if len(name) < CONTEXT_NAME:
            return name
        name = self.undoubled(self.despecked(name))
        chars = list(name)
        lookalikes = ocr_misreads().lookalikes
        for i, here in enumerate(name):
            if not _HAN.match(here) and here not in lookalikes:
                continue
            votes: Counter[str] = Counter()
            for left, right in CONTEXTS:
                if i < left or i + right >= len(name):
                    continue
                key = ("".join(chars[i - left : i]), "".join(chars[i + 1 : i + 1 + right]))
                seen = self.middle.get(key)
                if not seen or seen[here] > 1:
                    continue
                other = [
                    c
                    for c, n in seen.items()
                    if c != here
                    and n >= CONTEXT_MIN
                    and (c == lookalikes.get(here) or (_HAN.match(here) and _HAN.match(c)))
                ]
                if len(other) == 1:
                    votes[other[0]] += 1 + ((left, right) == CONTEXTS[0] or _quoted(key))
            # two and two characters, or both of the shorter contexts (one alone is a word
            # beside another: 創生研究 beside 創造研究)
            best = [c for c, n in votes.items() if n >= 2]
            if len(best) == 1:
                chars[i] = best[0]
        return "".join(chars)

    def undoubled(self, name: str) -> str:
        """``name`` without a katakana OCR read twice (``先進超伝導トトカマク装置``), or again with
        its voicing mark (``サイエンスズ交流事業``): the document states the letters around it with
        it once at most, and without it at least once."""
        for at in reversed(range(1, len(name))):
            if _base(name[at]) != _base(name[at - 1]) or not _KATAKANA.match(name[at]):
                continue
            around = name[max(0, at - 3) : at + 3]
            joined = name[max(0, at - 3) : at] + name[at + 1 : at + 3]
            if len(joined) >= 4 and self.text.count(joined) >= 1 and self.text.count(around) <= 1:
                name = name[:at] + name[at + 1 :]
        return name

    def despecked(self, name: str) -> str:
        """``name`` without a point OCR read from a speck inside a katakana word
        (``…研究プログラ・ム``): the document states the word's characters around it without the
        point at least ``CONTEXT_MIN`` times, and with it no more than this once.  A point the
        document writes (``メディカル・メガバンク``) recurs with it."""
        for m in reversed(list(_SPECK_IN_KATAKANA.finditer(name))):
            at = m.start()
            around = name[max(0, at - 2) : at + 3]
            joined = name[max(0, at - 2) : at] + name[at + 1 : at + 3]  # without this point only
            if len(joined) >= 3 and self.text.count(joined) >= CONTEXT_MIN and self.text.count(around) <= 1:
                name = name[:at] + name[at + 1 :]
        return name


_HAN = regex.compile(r"\p{Han}")
_KATAKANA = regex.compile(r"\p{Katakana}")
_QUOTES = {"「": "」", "『": "』", "(": ")", "（": "）", "【": "】"}


def _base(ch: str) -> str:
    """A kana without its voicing mark (ズ → ス)."""
    return unicodedata.normalize("NFD", ch)[0]


def _quoted(key: tuple[str, str]) -> bool:
    """Whether a context is a whole term in brackets (``「富`` and ``」`` round ``「富岳」``): a
    quoted name is written the same way each time, so one such context is evidence enough."""
    left, right = key
    return (
        bool(left and right)
        and _QUOTES.get(left[0]) == right[-1]
        and not any(ch in _QUOTES or ch in _QUOTES.values() for ch in left[1:] + right[:-1])
    )


# a point between two katakana (ー included)
_SPECK_IN_KATAKANA = regex.compile(r"(?<=\p{Katakana}|ー)[・･.](?=\p{Katakana}|ー)")


SPECKS_MAX = 2  # specks dropped from one name


def _specks_dropped(name: str, counts: Counter[str], depth: int = SPECKS_MAX) -> str:
    """``name`` without one or two characters a speck is read as (ja.toml ``[ocr] name_specks``:
    ``次世・代``, ``気候】モデル高度:化``), where the document states it so; otherwise ``name``.
    A mark the name writes stays: the document never states the name without it."""
    if depth == 0:
        return name
    specks = ocr_misreads().name_specks
    for k in range(1, len(name) - 1):  # inside the name: a mark at either end is another matter
        if name[k] not in specks:
            continue
        bare = name[:k] + name[k + 1 :]
        if len(bare) < MIN_LENGTH:
            continue
        if counts[bare]:
            return bare
        deeper = _specks_dropped(bare, counts, depth - 1)
        if deeper != bare:
            return deeper
    return name


def settle_ocr_names(records: list[Record], titles: Sequence[str]) -> None:
    """Replace OCR'd programme names by the document's more frequent spelling of the same name.

    ``titles`` are the document's lines as titles (a name standing as a line
    counts once per line).  A name also counts once when it owns records.
    """
    titles_count = Counter(titles)
    counts = Counter(t for t in titles if len(t) >= MIN_LENGTH)
    for r in records:
        counts.update({n for n in (r.program, r.parent) if len(n) >= MIN_LENGTH})
    by_length: dict[int, list[str]] = {}
    for name in counts:
        by_length.setdefault(len(name), []).append(name)
    settled: dict[str, str] = {}
    # a budget book's names are short and one kanji apart (労政費 / 労働費, 総合管理 / 総務管理):
    # their contexts are no evidence
    book = any(PATH_SEPARATOR in (r.parent or "") for r in records)
    contexts: list[Contexts] = []  # built for the first name that needs it

    def spelt(name: str) -> str:
        if book:
            return name
        if not contexts:
            contexts.append(Contexts(titles))
        return contexts[0].spelt(name)

    def settle(name: str) -> str:
        if name in settled or len(name) < MIN_LENGTH:
            return settled.get(name, name)
        bare = _specks_dropped(name, counts)
        if bare != name:
            settled[name] = bare  # the document states the name without the specks
            return bare
        for cut in (1, 2):  # a bullet read as a character before the name
            if len(name) - cut >= MIN_LENGTH and counts[name[cut:]] >= max(1, titles_count[name]):
                settled[name] = name[cut:]
                return name[cut:]
        best, best_count = name, max(counts[name], 1)
        limit = allowed_misreads(name)
        # misreads replace characters, or drop or add one (a bracket read twice): a name
        # longer by a word (`JST地球規模…` beside `地球規模…`) is another name
        for size in range(len(name) - 1, len(name) + 2):
            for other in by_length.get(size, ()):
                if counts[other] > best_count and distance(name, other, limit) <= limit:
                    best, best_count = other, counts[other]
        if best == name:
            best = spelt(name)
        settled[name] = best
        return best

    for r in records:
        if r.source_layer == "ocr":
            r.program = _STRAY_LEAD.sub("", settle(r.program))
            r.parent = _STRAY_LEAD.sub("", settle(r.parent)) if r.parent else r.parent
