"""Kanji a font's ToUnicode map names wrongly, mended from the font's glyph order (extract/tounicode.py).

The map below is a real one: the kanji entries of glyph ids 0x3273–0x3520 of the MS Mincho subset
in Fuji City's ``fuji_r8_sainyu15_kokko.pdf`` (DocuWorks, then Ghostscript), as its ToUnicode
stream gives them.  From 0x340d to 0x34d8 the map adds 0x5C20 to every glyph id, as if the font
had a glyph for every code point; the words of the page (推進, 運営, 都市, 報酬) say what they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from yosan.pipeline import Options, extract_document
from yosan.tounicode import _may_hold_type0, mend_map, repairs

KOKKO = [
    (0x3273, "起"), (0x328A, "足"), (0x32A7, "跡"), (0x32B0, "路"), (0x330D, "躍"), (0x3334, "車"),
    (0x333F, "転"), (0x334D, "軽"), (0x3351, "較"), (0x33B0, "農"), (0x33B8, "込"), (0x33E3, "追"),
    (0x33FB, "通"), (0x3400, "造"), (0x3403, "連"), (0x340D, "逭"), (0x341F, "逿"), (0x3420, "遀"),
    (0x3423, "遃"), (0x3428, "遈"), (0x3429, "遉"), (0x3435, "違"), (0x343A, "遚"), (0x3445, "遥"),
    (0x3447, "遧"), (0x344A, "遪"), (0x3465, "邅"), (0x348A, "邪"), (0x3494, "邴"), (0x34C4, "郤"),
    (0x34D8, "郸"), (0x351B, "里"), (0x351C, "重"), (0x351D, "野"), (0x3520, "金"),
]  # fmt: skip
KOKKO_MENDS = {
    "逭": "進", "逿": "遊", "遀": "運", "遃": "過", "遈": "道", "遉": "達", "違": "遣", "遚": "適",
    "遥": "選", "遧": "遺", "遪": "避", "邅": "邦", "邪": "部", "邴": "都", "郤": "配", "郸": "酬",
}  # fmt: skip

# Glyph ids 1015-1120 of IPAex Mincho as Ghostscript's pdfwrite rewrites it (the WeasyPrint two-column
# rendering passed through `gs -sDEVICE=pdfwrite`): the glyphs stand in Adobe-Japan1's order (運営影
# 映永英越…, by reading), the ones the document uses named right, the others by arithmetic.
GS_IPAEX = [
    (1015, "運"), (1020, "営"), (1022, "影"), (1023, "映"), (1024, "昡"), (1025, "昢"), (1026, "永"), (1027, "昤"),
    (1028, "春"), (1029, "昦"), (1030, "昧"), (1031, "昨"), (1032, "昩"), (1033, "英"), (1034, "昫"), (1035, "昬"),
    (1036, "昭"), (1037, "昮"), (1038, "是"), (1039, "昰"), (1040, "昱"), (1041, "昲"), (1042, "昳"), (1043, "越"),
    (1044, "昵"), (1045, "昶"), (1046, "昷"), (1047, "円"), (1048, "昹"), (1049, "昺"), (1050, "昻"), (1051, "昼"),
    (1052, "延"), (1053, "显"), (1054, "昿"), (1055, "援"), (1056, "沿"), (1057, "演"), (1058, "晃"), (1059, "晄"),
    (1060, "晅"), (1061, "晆"), (1062, "晇"), (1063, "晈"), (1064, "晉"), (1065, "晊"), (1066, "晋"), (1067, "晌"),
    (1068, "晍"), (1069, "晎"), (1070, "晏"), (1071, "於"), (1072, "晑"), (1073, "晒"), (1074, "晓"), (1075, "晔"),
    (1076, "晕"), (1077, "往"), (1078, "応"), (1079, "晘"), (1080, "晙"), (1081, "横"), (1082, "欧"), (1083, "晜"),
    (1084, "王"), (1085, "晞"), (1086, "晟"), (1087, "晠"), (1088, "晡"), (1089, "黄"), (1090, "岡"), (1091, "晤"),
    (1092, "晥"), (1093, "億"), (1094, "屋"), (1095, "晨"), (1096, "晩"), (1097, "晪"), (1098, "晫"), (1099, "晬"),
    (1100, "晭"), (1101, "普"), (1102, "景"), (1103, "温"), (1104, "晱"), (1105, "晲"), (1106, "下"), (1107, "化"),
    (1108, "晵"), (1109, "晶"), (1110, "晷"), (1111, "価"), (1112, "晹"), (1113, "加"), (1114, "可"), (1115, "晼"),
    (1116, "晽"), (1117, "晾"), (1118, "家"), (1119, "暀"), (1120, "科"),
]  # fmt: skip


def test_a_run_named_by_arithmetic_is_mended() -> None:
    assert {m.wrong: m.right for m in mend_map(KOKKO)} == KOKKO_MENDS


def test_a_single_wrong_glyph_between_right_ones_is_mended() -> None:
    # fuji_r8_sainyu01_shizei.pdf: 都 alone in its run (都市計画税), between 込 and 量
    shizei = [(0x33B8, "込"), (0x3494, "邴"), (0x351E, "量"), (0x3520, "金")]
    assert [(m.wrong, m.right) for m in mend_map(shizei)] == [("邴", "都")]


def test_a_font_whose_kanji_are_not_in_code_point_order_is_left_alone() -> None:
    """Chance runs of one offset in Ghostscript's map turned 永 into 昣 and 百 into 犀: such a
    font's glyph order says nothing of its kanji."""
    assert mend_map(GS_IPAEX) == []


def test_a_right_map_is_left_alone() -> None:
    right = [(g, KOKKO_MENDS.get(u, u)) for g, u in KOKKO]
    assert mend_map(right) == []


def test_a_run_that_cannot_be_checked_is_left_alone() -> None:
    # no glyph after the run that the map names right: nothing says the order holds there
    assert mend_map([(g, u) for g, u in KOKKO if g < 0x351B]) == []
    # a glyph after it that the order does not reach (里 read as 金): the run is not the font's order
    assert mend_map([(g, "金" if g == 0x351B else u) for g, u in KOKKO if g <= 0x351B]) == []
    # glyph ids in no order of the characters (an embedded font with its own glyph order)
    assert mend_map([(0x100 + 7 * i % 35, u) for i, (_, u) in enumerate(KOKKO)]) == []


@pytest.mark.parametrize(
    "pdf",
    [*sorted((FIXTURES / "pdf").glob("*.pdf")), *sorted((FIXTURES / "book").glob("*.pdf"))],
    ids=lambda p: p.name,
)
def test_documents_with_right_maps_get_no_mends(pdf: Path) -> None:
    assert repairs(pdf) == {}


@pytest.mark.parametrize(
    ("body", "may"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Font /Subtype /TrueType >> endobj\n", False),
        (b"%PDF-1.4\n1 0 obj << /Type /Font /Subtype /Type0 >> endobj\n", True),
        (b"%PDF-1.5\n1 0 obj << /Type /ObjStm /N 3 >> stream\n", True),  # a font may be inside
        (b"%PDF-1.4\n1 0 obj << /Type /Font /Subtype /Type#30 >> endobj\n", True),  # escaped
        (b"", True),  # nothing to map: pdfminer says what it is
    ],
)
def test_only_a_file_that_may_hold_a_type0_font_has_its_maps_read(tmp_path: Path, body: bytes, may: bool) -> None:
    path = tmp_path / "f.pdf"
    path.write_bytes(body)
    assert _may_hold_type0(path) is may


def test_the_reportlab_document_is_spared_the_font_walk() -> None:
    """The 43-page fixture holds one kanji outside cp932 (步), so its maps are suspect; its fonts
    are TrueType subsets, none of which a ToUnicode map by arithmetic could misname."""
    assert not _may_hold_type0(FIXTURES / "pdf" / "mext-r2-science-points.pdf")


CORPUS = ROOT.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")


@needs_corpus
@pytest.mark.parametrize(
    ("stem", "page", "name"),
    [
        ("fuji_r8_saishutsu01_gikai", 1, "議会事務局運営費"),
        ("fuji_r8_sainyu15_kokko", 10, "工場夜景推進事業"),
        ("fuji_r8_sainyu01_shizei", 3, "都市計画税"),
        ("fuji_r8_saishutsu05_rodo", 1, "ふじマイスター選定委員会委員"),
    ],
)
def test_corpus_names_are_mended(stem: str, page: int, name: str, caplog: pytest.LogCaptureFixture) -> None:
    assert _may_hold_type0(CORPUS / f"{stem}.pdf")
    records = extract_document(CORPUS / f"{stem}.pdf", Options(pages=frozenset({page}))).records
    names = {r.program for r in records}
    assert name in names
    assert not any(ch in "".join(names) for ch in "遀逭邴遯遃遈郸")
    assert "named wrongly by its fonts' ToUnicode maps" in caplog.text


@needs_corpus
@pytest.mark.parametrize("stem", ["fuji_r6_yosansho", "fuji_r7_sainyu01_shizei", "fuji_r8_gaiyo"])
def test_corpus_books_with_right_maps_get_no_mends(stem: str) -> None:
    assert repairs(CORPUS / f"{stem}.pdf") == {}
