"""Programme names read by OCR, settled against the rest of the document.

OCR misreads a kanji of a title now and then (`富岳` as `富二`, `協力` as
`協カ`) and reads a bullet (◆ ○ ①) as a character glued to it (`休戦略的…`).
A budget document states most names more than once: on the summary page and
on the programme's own page, as a title and in a table.  Misreads of the same
name rarely agree, so when a name read by OCR is one or two characters away
from a name the document states more often, the more frequent one is meant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import regex

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


def _allowed(name: str) -> int:
    """Misread characters tolerated in a name: one, and one more per fifteen characters."""
    return 1 + len(name) // 15


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

    def settle(name: str) -> str:
        if name in settled or len(name) < MIN_LENGTH:
            return settled.get(name, name)
        for cut in (1, 2):  # a bullet read as a character before the name
            if len(name) - cut >= MIN_LENGTH and counts[name[cut:]] >= max(1, titles_count[name]):
                settled[name] = name[cut:]
                return name[cut:]
        best, best_count = name, max(counts[name], 1)
        limit = _allowed(name)
        # misreads replace characters, or drop or add one (a bracket read twice): a name
        # longer by a word (`JST地球規模…` beside `地球規模…`) is another name
        for size in range(len(name) - 1, len(name) + 2):
            for other in by_length.get(size, ()):
                if counts[other] > best_count and distance(name, other, limit) <= limit:
                    best, best_count = other, counts[other]
        settled[name] = best
        return best

    for r in records:
        if r.source_layer == "ocr":
            r.program = _STRAY_LEAD.sub("", settle(r.program))
            r.parent = _STRAY_LEAD.sub("", settle(r.parent)) if r.parent else r.parent
