"""Number-safe repair of OCR text: every rule on lines OCR really printed.

Where each line came from (all captured on this machine, tesseract 5.3 jpn,
300 dpi, unless said otherwise):

- ``scan p1`` … : ``fixtures/scans/mext-excerpt-scan.pdf`` (its pages 1-4 are
  pages 1, 18, 23, 24 of the generated document), ``pr-sheet-scan.pdf``,
  ``two-column-scan.pdf``, ``mext-p13-scan.png``, read by ``extract.ocr``;
- ``render pN``: page N of ``fixtures/pdf/mext-r2-science-points.pdf`` rendered
  by pypdfium2 without degradation and read by ``extract.ocr``; ``render pN
  degraded``: the same page degraded by ``fixtures/make_scans.py`` (0.7°, another
  seed) and read by ``extract.ocr``;
- ``fuji pN``: page N of ``../shared/corpus/fuji_r7_saishutsu05-06_notext.pdf``
  read by ``extract.ocr``; ``fuji authors lN``: line N of the repo authors'
  own OCR of it, ``../shared/corpus/fuji_r7_saishutsu05-06_ocr.txt``;
- ``whole scan pN``: page N of the whole generated document degraded by
  ``make_scans.degrade`` (seed 99, skew in ±0.9°) and read by ``extract.ocr``;
- ``kodaira pN``: page N of ``../shared/corpus/kodaira_r2_rinjikai_scan.pdf``
  read by ``extract.ocr``; ``kodaira layer pN``: the text layer that the
  scanner's own OCR put on that page.
"""

from __future__ import annotations

import pytest

from yosan.repair import (
    RULES,
    check_number_format,
    fix_bullets,
    fix_circled_numbers,
    fix_closing_brackets,
    fix_colon_comma,
    fix_comma_period,
    fix_comma_space,
    fix_digit_letters,
    fix_doubled_bracket,
    fix_draft_mark,
    fix_ellipsis_points,
    fix_era_words,
    fix_item_numbers,
    fix_latin_j,
    fix_leading_comma,
    fix_leading_dash,
    fix_lookalike_kanji,
    fix_lookalikes,
    fix_lost_comma,
    fix_misread_words,
    fix_negative_signs,
    fix_open_bracket_zero,
    fix_period_commas,
    fix_spaced_digits,
    fix_stray_dots,
    fix_stray_marks,
    fix_trailing_speck,
    fix_unit_words,
    fix_wave_dash,
    repair_line,
    repair_lines,
    suspect_numbers,
)

# (rule, OCR text, repaired text, where it was captured)
CASES = [
    # thousands commas read as periods: a money unit, or a number filling a table cell
    (fix_period_commas, "令和2年度予算額(案)48.514百万円", "令和2年度予算額(案)48,514百万円", "scan p1"),
    (fix_period_commas, "1.732百万円(1,326百万円)", "1,732百万円(1,326百万円)", "scan p1"),
    (fix_period_commas, "(前年度予算額)\t1.326百万円", "(前年度予算額)\t1,326百万円", "pr-sheet-scan"),
    (fix_period_commas, "1.「富岳」の運営等12.555百万円(8.064百万円)", "1.「富岳」の運営等12,555百万円(8,064百万円)", "render p10"),
    (fix_period_commas, "-消費電力:30て40MW (「京」は12.7MW)〇国費総額:約1.100億円",
     "-消費電力:30て40MW (「京」は12.7MW)〇国費総額:約1,100億円", "render p3"),
    (fix_period_commas, "3職員手当等\t12,101\t003パートタイム会計年度任用職員 1.823",
     "3職員手当等\t12,101\t003パートタイム会計年度任用職員 1,823", "fuji p1"),
    (fix_period_commas, "1 報酬          1.253", "1 報酬          1,253", "fuji authors l15"),
    (fix_period_commas, "0.3億円", "0.3億円", "render p19: a real decimal"),
    (fix_period_commas, "2.戦略的創造研究推進事業(社会技術研究開発) 1,516百万円(1,421百万円)",
     "2.戦略的創造研究推進事業(社会技術研究開発) 1,516百万円(1,421百万円)", "scan p2: item number"),
    (fix_period_commas, "舗装 上60m W=4.0m", "舗装 上60m W=4.0m", "fuji p14"),
    # one comma read as a comma and a period
    (fix_comma_period, "3,.551百万円", "3,551百万円", "render p27"),
    (fix_comma_period, "〇創楽等ラキイフサイエンス研究支援基盤事業3.694百万円(2,.924百万円)",
     "〇創楽等ラキイフサイエンス研究支援基盤事業3.694百万円(2,924百万円)", "render p24"),
    (fix_comma_period, "14.554百万円 (10,.123百万円)", "14.554百万円 (10,123百万円)", "render p2"),
    (fix_comma_period, "参考:復興特別会計>1,597百万円(1,.597百万円)", "参考:復興特別会計>1,597百万円(1,597百万円)",
     "two-column-scan, grey page"),
    # one comma read as a colon
    (fix_colon_comma, "ご参考:復興特別会計ン>1:597百万円(1,597百万円)", "ご参考:復興特別会計ン>1,597百万円(1,597百万円)",
     "whole scan p23 (seed 11)"),
    (fix_colon_comma, "令和2年度予算額(案):2,284百万円", "令和2年度予算額(案):2,284百万円", "a label's colon stays"),
    (fix_colon_comma, "10:30から1:2の割合", "10:30から1:2の割合", "a time and a ratio stay"),
    # a space after a thousands comma
    (fix_comma_space, "歳出予算の総額を歳入歳出それぞれ889億1, 130万円とする。",
     "歳出予算の総額を歳入歳出それぞれ889億1,130万円とする。", "kodaira p34"),
    (fix_comma_space, "16国庫支出金\t\t12,832,941\t・ 19, 825, 300\t32,658,241",
     "16国庫支出金\t\t12,832,941\t・ 19,825,300\t32,658,241", "kodaira p35, grey page"),
    (fix_comma_space, "6農業費\t127,825\t19,272\t「 147, 097", "6農業費\t127,825\t19,272\t「 147,097", "kodaira p51"),
    (fix_comma_space, "第1条 歳入歳出予算の総額に歳入歳出それぞれ1 9 8億2,530万円を増額し、歳入",
     "第1条 歳入歳出予算の総額に歳入歳出それぞれ1 9 8億2,530万円を増額し、歳入", "kodaira p34: no comma"),
    # digits letter-spaced by the typesetter, right before a unit
    (fix_lost_comma, "21,347百万円(21 839百万円)", "21,347百万円(21,839百万円)", "whole scan p35 (seed 123)"),
    (fix_lost_comma, "令和2年度 100百万円", "令和2年度 100百万円", "a year before an amount stays"),
    (fix_lost_comma, "1 9 8億2,530万円", "1 9 8億2,530万円", "letter-spaced digits are the next rule's"),
    (fix_spaced_digits, "第1条 歳入歳出予算の総額に歳入歳出それぞれ1 9 8億2,530万円を増額し、歳入",
     "第1条 歳入歳出予算の総額に歳入歳出それぞれ198億2,530万円を増額し、歳入", "kodaira p34"),
    (fix_spaced_digits, "歳入歳出予算の総額を歳入歳出それぞれ906億2,000万9,00 0円とする。",
     "歳入歳出予算の総額を歳入歳出それぞれ906億2,000万9,000円とする。", "kodaira p46"),
    (fix_spaced_digits, "令和2年5月1 9日提出", "令和2年5月1 9日提出", "kodaira p46: not an amount"),
    (fix_spaced_digits, "議案第1 7号", "議案第1 7号", "kodaira p46: not an amount"),
    # ▲/△ misread at the start of an amount cell
    (fix_negative_signs, "計\t256,499\t272,120\t人へ15,621\t0\t102,000\t1,225\t153,274",
     "計\t256,499\t272,120\t△15,621\t0\t102,000\t1,225\t153,274", "fuji p3 (256,499-272,120)"),
    (fix_negative_signs, "2農業総務費\t99,984\t105,307\tへ5,323\t\t\t482\t99,502",
     "2農業総務費\t99,984\t105,307\t△5,323\t\t\t482\t99,502", "fuji p5 (99,984-105,307)"),
    (fix_negative_signs, "3農業振興費\t35,782\t53,981\t人18,199\t9,306\t\t5,540\t20,936",
     "3農業振興費\t35,782\t53,981\t△18,199\t9,306\t\t5,540\t20,936", "fuji p6 (35,782-53,981)"),
    (fix_negative_signs, "2 勤労者総合    72, 993    132, 864   ム59, 871            65,300             7.693",
     "2 勤労者総合    72, 993    132, 864   △59, 871            65,300             7.693", "fuji authors l124"),
    (fix_negative_signs, "〇再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)",
     "〇再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)", "scan p3: ム of プログラム"),
    (fix_negative_signs, "1報酬\t1,253\t001給与費 39,104", "1報酬\t1,253\t001給与費 39,104", "fuji p1: 人 nowhere"),
    # era names
    (fix_era_words, "信和2 年度小平市一般会計補正予算(第1)", "令和2 年度小平市一般会計補正予算(第1)", "kodaira p34, grey page"),
    # a scanned LibreOffice rendering in Noto Sans CJK (p1, p7): 令 read as kanji of its shape
    (fix_era_words, "多和2年度予算額(案)48,514百万円", "令和2年度予算額(案)48,514百万円", "Noto Sans scan p1"),
    (fix_era_words, "念和元年度補正予算額(案)18,198百万円", "令和元年度補正予算額(案)18,198百万円", "Noto Sans scan p1"),
    (fix_era_words, "今和3年度の運用開始を目標に", "令和3年度の運用開始を目標に", "Noto Sans scan p1"),
    (fix_era_words, "金和2年度予算額(案):1,078百万円", "令和2年度予算額(案):1,078百万円", "Noto Sans scan p7"),
    (fix_era_words, "社会と調和2つの年度", "社会と調和2つの年度", "a word with 和 stays"),
    (fix_era_words, "金和菓子", "金和菓子", "not before a year"),
    (fix_era_words, "守和元年度補正予算額(案) 14,400百万円", "令和元年度補正予算額(案) 14,400百万円", "Noto Sans 1col scan p1"),
    (fix_era_words, "人和2年度予算額(案):265百万円(前年度予算額:279百万円)",
     "令和2年度予算額(案):265百万円(前年度予算額:279百万円)", "Noto Sans 1col scan p7"),
    (fix_era_words, "人和2丁目", "人和2丁目", "a number, but no year"),
    (fix_era_words, "【久和元年度補正予算額(案):460百万円】", "【令和元年度補正予算額(案):460百万円】", "Noto Sans 1col scan p20"),
    # label words
    (fix_misread_words, "令和元年度補正予算客(案) 18,198百万円", "令和元年度補正予算額(案) 18,198百万円", "scan p1, grey page"),
    (fix_draft_mark, "予算額(素)\t744百万円(554百万円)", "予算額(案)\t744百万円(554百万円)", "render p42"),
    # units, right after a digit
    (fix_unit_words, "5吉 労働費                                          256, 499寺円",
     "5吉 労働費                                          256, 499千円", "fuji authors l2"),
    (fix_unit_words, "2項林業費\t431,652干円", "2項林業費\t431,652千円", "fuji p11"),
    # 百 read as another kanji before 万円 (a scanned LibreOffice rendering in IPAex Mincho)
    (fix_unit_words, "1.379碧万円(1,381百万円)", "1.379百万円(1,381百万円)", "LibreOffice Mincho scan p3"),
    (fix_unit_words, "5,525自万円", "5,525百万円", "LibreOffice Mincho scan p3"),
    (fix_unit_words, "施設の整備費1.358自万円", "施設の整備費1.358百万円", "LibreOffice Mincho scan p2"),
    (fix_unit_words, "戦略的創造研究失進事業(社会技術研究開発)1.516白刀円", "戦略的創造研究失進事業(社会技術研究開発)1.516百万円",
     "LibreOffice Mincho 2-column scan p8"),
    (fix_unit_words, "1.468百万円(1.550百刀円)", "1.468百万円(1.550百万円)", "LibreOffice Mincho 2-column scan p14"),
    (fix_unit_words, "原型加速器の連続運転に向けた整備等622白力円", "原型加速器の連続運転に向けた整備等622百万円",
     "LibreOffice Mincho 2-column scan"),
    (fix_unit_words, "5千円", "5千円", "千円 stays"),
    (fix_unit_words, "3億円", "3億円", "億円 stays"),
    (fix_unit_words, "10万円", "10万円", "万円 stays"),
    (fix_unit_words, "約5百万円", "約5百万円", "百万円 stays"),
    (fix_unit_words, "総合力円", "総合力円", "no digit before"),
    (fix_unit_words, "5千万円", "5千万円", "a unit stays"),
    (fix_unit_words, "約3万円", "約3万円", "no kanji between"),
    (fix_unit_words, "予算額万円", "予算額万円", "not after a digit"),
    (fix_unit_words, "1.科学技術イノベーション政策における「政策のための科学」の推進555百万円(572下万円)",
     "1.科学技術イノベーション政策における「政策のための科学」の推進555百万円(572百万円)", "scan p2"),
    # letters printed for digits inside comma-grouped numbers
    (fix_digit_letters, "2国庫補助金 l,085,094 19,825,300 20,910,394", "2国庫補助金 1,085,094 19,825,300 20,910,394",
     "kodaira layer p35"),
    (fix_digit_letters, "2総務費 9,464,95(） 19,825,300 29,290,250", "2総務費 9,464,950 19,825,300 29,290,250",
     "kodaira layer p36"),
    (fix_digit_letters, "計 16,996,000 5,0()(） 17,001,000", "計 16,996,000 5,000 17,001,000", "kodaira layer p64"),
    (fix_digit_letters, "歳入合計 88,911,300 1,708,709 90，620，0()9", "歳入合計 88,911,300 1,708,709 90，620，009",
     "kodaira layer p51"),
    (fix_digit_letters, "l国庫負担金11,707,02239,78411,746,806", "l国庫負担金11,707,02239,78411,746,806",
     "kodaira layer p47: not inside a number"),
    # circled item numbers (the number continues from the previous item: see below)
    (fix_circled_numbers, "の②業務実施費373百万円(373百万円)", "②業務実施費373百万円(373百万円)", "pr-sheet-scan, grey"),
    (fix_circled_numbers, "@②業務実施費373百万円(373百万円)", "②業務実施費373百万円(373百万円)", "pr-sheet-scan"),
    (fix_circled_numbers, "-②@公正な研究活動の推進に関する諸外国における取組状況等の調査・分析",
     "-②公正な研究活動の推進に関する諸外国における取組状況等の調査・分析", "render p23"),
    (fix_circled_numbers, "- や①ガイドラインの改正を見据えた調査・検討\t.", "- ①ガイドラインの改正を見据えた調査・検討\t.",
     "scan p3, grey page"),
    # a bullet printed as the kanji zero
    (fix_bullets, "〇次世代がん医療創生研究事業3.551百万円(3.651百万円)", "○次世代がん医療創生研究事業3.551百万円(3.651百万円)",
     "two-column-scan"),
    (fix_bullets, "〇再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)",
     "○再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)", "scan p3"),
    (fix_circled_numbers, '-②⑨"業務実施費373百万円(373百万円)', '-②"業務実施費373百万円(373百万円)',
     "render p5 degraded: ** read as ⑨\""),
    # the wave dash of a range
    (fix_wave_dash, "-消費電力:30て40MW (「京」は12.7MW)〇国費総額:約1.100億円",
     "-消費電力:30〜40MW (「京」は12.7MW)〇国費総額:約1.100億円", "render p3"),
    (fix_wave_dash, "地球環境情報プラットフォーム構築推進プログラム《平成28て令和2年度》",
     "地球環境情報プラットフォーム構築推進プログラム《平成28〜令和2年度》", "render p42 degraded"),
    (fix_wave_dash, "2つ目として", "2つ目として", "no range"),
    # bold marks (**) and lone quotes at an item's ends
    (fix_stray_marks, "-①施設の整備費1.358百万円(952百万円)“", "-①施設の整備費1.358百万円(952百万円)", "render p5"),
    (fix_stray_marks, "-②*業務実施費373百万円(373百万円)“", "-②業務実施費373百万円(373百万円)", "render p5"),
    (fix_stray_marks, "-Spring-8は、微細な物質構造の解析が可能な“世界最高性能の放射光施設“。生命科学、環境・エネルギーから新材料開発まで広範な分野で先端的・革新的な研究開発に真献。",
     "-Spring-8は、微細な物質構造の解析が可能な“世界最高性能の放射光施設“。生命科学、環境・エネルギーから新材料開発まで広範な分野で先端的・革新的な研究開発に真献。",
     "render p6 degraded: inside the text"),
    (fix_stray_marks, "光化学系複合体の触媒中心の原子構造(MnaCaOsクラスター:“歪んだ椅子”)",
     "光化学系複合体の触媒中心の原子構造(MnaCaOsクラスター:“歪んだ椅子”)", "render p8 degraded: a quotation"),
    # a speck read as a period between kana/kanji
    (fix_ellipsis_points, "大強度陽子加速器施設(J-PARC)の整備…共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "whole scan p8 (seed 11)"),
    (fix_ellipsis_points, "大強度陽子加速器施設(J-PARC)の整備...共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "the same, as three points"),
    (fix_ellipsis_points, "詳細は別紙… 2,000百万円", "詳細は別紙… 2,000百万円", "an ellipsis before a space stays"),
    (fix_stray_dots, "スーパーコンピュータ「富岳」.・HPCIの運営", "スーパーコンピュータ「富岳」・HPCIの運営",
     "whole scan p2 (seed 2718): after a bracket, before ・"),
    (fix_stray_dots, "官民地域パートナーシップによる.次世代放射光施設の推進", "官民地域パートナーシップによる次世代放射光施設の推進",
     "scan p1, grey page"),
    (fix_stray_dots, "官民地域パートナーシップによる/.次世代放射光施設の推進", "官民地域パートナーシップによる次世代放射光施設の推進",
     "scan p1"),
    (fix_stray_dots, "8.健康・ 医療分野の研究開発の推進", "8.健康・ 医療分野の研究開発の推進", "two-column-scan"),
    (fix_stray_dots, "令和2年度予算額(案) .\t14,269百万円", "令和2年度予算額(案)\t14,269百万円",
     "WeasyPrint three-column scan p5 (bench_layouts, seed 8): a table cell ending in dust"),
    (fix_stray_dots, "9.クリーンで経済的な環境エネルギーシステムの実現.", "9.クリーンで経済的な環境エネルギーシステムの実現",
     "LibreOffice Mincho two-column scan: a title ending in dust"),
    (fix_stray_dots, "Book of Japan's practice for SDGs.", "Book of Japan's practice for SDGs.", "a Latin sentence keeps its period"),
    (fix_stray_dots, "1,358百万円.", "1,358百万円", "after a unit"),
    (fix_stray_dots, "②Spring-8-SACLAの利用促進※.", "②Spring-8-SACLAの利用促進※",
     "after a note mark (LibreOffice IPAex Mincho two columns, scanned, seed 8)"),
    # a katakana read for the kanji it looks like (whole generated document scanned
    # with seed 99 by make_scans.degrade, p3 of the 43 pages)
    (fix_lookalike_kanji, "X線白由電子レーザー施設「SACLA」", "X線自由電子レーザー施設「SACLA」",
     "LibreOffice Mincho 2-column scan p5"),
    (fix_lookalike_kanji, "最先端人型研究施設の整備・共用", "最先端大型研究施設の整備・共用",
     "LibreOffice Mincho 2-column scan p1"),
    (fix_lookalike_kanji, "大強度陽了加速器施設け-PARC)の整備・共用", "大強度陽子加速器施設け-PARC)の整備・共用",
     "LibreOffice Mincho 2-column scan p6"),
    (fix_lookalike_kanji, "【事業の日的】", "【事業の目的】", "LibreOffice Mincho 2-column scan p3"),
    (fix_lookalike_kanji, "約4700人分の全ゲノム解析結果", "約4700人分の全ゲノム解析結果", "a counter after a digit stays"),
    (fix_lookalike_kanji, "創薬等ライフサイエンス研究支援基盤事業", "創薬等ライフサイエンス研究支援基盤事業",
     "a word wordfreq lacks (創薬) has no look-alike word near enough"),
    (fix_lookalike_kanji, "文部科学省", "文部科学省", "right text stays"),
    (fix_lookalikes, "⇒総合カのあるスーパーコンピュータ", "⇒総合力のあるスーパーコンピュータ", "whole scan p3"),
    (fix_lookalikes, "地球規模課題対応国際科学技術協カプログラム(SATREPS)",
     "地球規模課題対応国際科学技術協カプログラム(SATREPS)", "whole scan p13: a katakana word goes on, left"),
    (fix_lookalikes, "スーパーコンピュータ「富岳」", "スーパーコンピュータ「富岳」", "scan p1: katakana words"),
    (fix_misread_words, "1,468百万円 (前年度巴算額", "1,468百万円 (前年度予算額", "whole scan p35"),
    (fix_draft_mark, "令和2年度予算額(率)", "令和2年度予算額(案)", "whole scan p19"),
    (fix_unit_words, "21.347下方円(21,839百万円)", "21.347百万円(21,839百万円)", "whole scan p35 (seed 777)"),
    (fix_unit_words, "○次世代がん医療生研究事業3,551百万円(3,651穫万円)", "○次世代がん医療生研究事業3,551百万円(3,651百万円)",
     "whole scan p24 (seed 7)"),
    (fix_unit_words, "1,732白万円(1,326白万円)", "1,732百万円(1,326百万円)",
     "excerpt scan p1, its lines read stacked (issue 15 trial)"),
    (fix_bullets, "O〇Oシーズの育成", "○シーズの育成", "whole scan p27 (seed 7): ○ read as O〇O"),
    (fix_bullets, "O次世代がん医療生研究事業", "○次世代がん医療生研究事業", "whole scan p24 (seed 7)"),
    (fix_bullets, "OECD加盟国の平均", "OECD加盟国の平均", "a Latin word stays"),
    # J and a closing bracket confused in a Latin name (whole scan, seed 7)
    (fix_latin_j, "大強度陽子加速器施設()-PARC)の整備・共用", "大強度陽子加速器施設(J-PARC)の整備・共用", "whole scan p8 (seed 7)"),
    (fix_latin_j, "大強度陽子加速器施設「」-PARC」", "大強度陽子加速器施設「J-PARC」", "whole scan p2 (seed 7)"),
    (fix_latin_j, "先進超伝導トカマク装置()T-60SA)の運転と整備", "先進超伝導トカマク装置(JT-60SA)の運転と整備",
     "whole scan p41 (seed 7)"),
    (fix_latin_j, "大強度陽子加速器施設(】-PARC)の整備・共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "WeasyPrint Noto Serif CJK two columns, scanned (seed 5) p8"),
    (fix_latin_j, "大強度陽子加速器施設け-PARC)の整備・共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "LibreOffice IPAex Mincho two columns, scanned (seed 8)"),
    (fix_latin_j, "X線自由電子レーザー施設「SACLAJ", "X線自由電子レーザー施設「SACLA」", "whole scan p1 (seed 7)"),
    (fix_latin_j, "X線自由電子レーザー施設「SACLA」", "X線自由電子レーザー施設「SACLA」", "a closed name stays"),
    (fix_latin_j, "大強度陽子加速器施設0-PARC)の整備・共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "whole scan p8 (seed 123): (J read as 0"),
    (fix_latin_j, "先進超伝導トカマク装置0T-60SA)の運転と整備", "先進超伝導トカマク装置(JT-60SA)の運転と整備",
     "(J read as 0 before a name with digits"),
    (fix_latin_j, "令和2年度予算額(案) 10-PARC", "令和2年度予算額(案) 10-PARC", "a 0 in a number stays"),
    (fix_latin_j, "施設0-PARCの整備", "施設0-PARCの整備", "no ) to close the name: not a bracket"),
    (fix_misread_words, "令和2年度予算額素)", "令和2年度予算額(案)", "whole scan p40 (seed 7)"),
    (fix_misread_words, "JST地球規模課題対応国際科学技術協カプログラム(SATREPS)",
     "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", "Chromium three-column scan p13 (bench_layouts, seed 5)"),
    (fix_misread_words, "令和2年度予算():1,876百万円前年度予算額:777百万円)",
     "令和2年度予算額(案):1,876百万円前年度予算額:777百万円)", "whole scan p13 (seed 4242)"),
    (fix_misread_words, "令和2年度予算(案)主要事項", "令和2年度予算(案)主要事項", "a page head stays"),
    (fix_trailing_speck, "令和2年度予算額(案).", "令和2年度予算額(案)", "whole scan p5 (seed 2024)"),
    (fix_trailing_speck, "Nature関連誌(6本)、Science.", "Nature関連誌(6本)、Science.", "a point after a word stays"),
    (fix_trailing_speck, "事業の推進体制整備・調査分析 。", "事業の推進体制整備・調査分析",
     "LibreOffice Noto Sans one-column scan p11 (seed 8): a speck a gap after a title"),
    (fix_trailing_speck, "関連する調査分析を実施。", "関連する調査分析を実施。", "a full stop that hugs its sentence stays"),
    (fix_draft_mark, "令和2年度予算額(府) 7,916百万円", "令和2年度予算額(案) 7,916百万円", "whole scan p15 (seed 2024)"),
    (fix_draft_mark, "令和2年度予算額(察)", "令和2年度予算額(案)", "whole scan p35 (seed 2024)"),
    (fix_draft_mark, "令和2年度予算額(案)", "令和2年度予算額(案)", "the mark itself stays"),
    (fix_draft_mark, "予算額(計)", "予算額(計)", "a total stays"),
    (fix_misread_words, "7. 社会とともに創り進める科学技術イフベーション政策の推進", "7. 社会とともに創り進める科学技術イノベーション政策の推進",
     "Chromium's Noto Serif rendering, rewritten by Ghostscript, read by OCR, p7"),
    (fix_misread_words, "科学技術イノフベーション政策の推進", "科学技術イノベーション政策の推進", "two-column scan p7"),
    (fix_misread_words, "○科学技術イメベーション政策をエビデンスに基づき進める", "○科学技術イノベーション政策をエビデンスに基づき進める",
     "two-column scan p8"),
    (fix_misread_words, "イノベーション", "イノベーション", "the word itself stays"),
    (fix_draft_mark, "令和2年度予算額(案", "令和2年度予算額(案)", "whole scan p26 (seed 123): ) not read"),
    (fix_draft_mark, "令和2年度予算額(案 4,982百万円", "令和2年度予算額(案) 4,982百万円", "its ) lost before a figure"),
    (fix_draft_mark, "予算額(計", "予算額(計", "an unclosed total is not made a draft"),
    (fix_draft_mark, "予算額(内数)", "予算額(内数)", "a word in brackets stays"),
    # the bracket of a previous year's amount read as a zero (scanned LibreOffice rendering, p7)
    (fix_open_bracket_zero, "令和2年度予算額(案):2,140百万円02,110百万円)", "令和2年度予算額(案):2,140百万円(2,110百万円)",
     "scanned LibreOffice rendering in Noto Sans, p7"),
    (fix_open_bracket_zero, "2,140百万円 02,110百万円)", "2,140百万円 (2,110百万円)", "a space between"),
    # the bracket not read at all (LibreOffice, Noto Sans CJK, one column, scanned, p14)
    (fix_open_bracket_zero, "○革新的先端研究開発支援事業8,796百万円8,796百万円)",
     "○革新的先端研究開発支援事業8,796百万円(8,796百万円)", "one column p14"),
    (fix_open_bracket_zero, "(前年度予算額:2,110百万円 5,975百万円)", "(前年度予算額:2,110百万円 5,975百万円)",
     "a bracket already open"),
    (fix_open_bracket_zero, "5,975百万円 14,400百万円", "5,975百万円 14,400百万円", "no ) closes it"),
    (fix_doubled_bracket, "-①大強度陽子加速器施設((J-PARC)の整備・共用", "-①大強度陽子加速器施設(J-PARC)の整備・共用",
     "WeasyPrint IPAex Gothic three-column scan p3 (seed 8), after fix_latin_j"),
    (fix_doubled_bracket, "((1)の再掲))", "((1)の再掲))", "two brackets that both close stay"),
    (fix_open_bracket_zero, "382百万円373百万円)【令和元年度補正予算額(案)460", "382百万円(373百万円)【令和元年度補正予算額(案)460",
     "LibreOffice Noto Sans one-column scan p24 (seed 8): an ungrouped amount"),
    (fix_open_bracket_zero, "382百万円0373百万円)", "382百万円(373百万円)",
     "the bracket read as a zero before an ungrouped amount, as before a grouped one"),
    (fix_open_bracket_zero, "2,140百万円0,110百万円)", "2,140百万円0,110百万円)", "0 alone is no bracket"),
    (fix_open_bracket_zero, "2,140百万円02,110百万円", "2,140百万円02,110百万円", "no ) closes it"),
    (fix_open_bracket_zero, "予算額02,110百万円)", "予算額02,110百万円)", "not after an amount"),
    # a comma opening a line (kinsoku forbids it): a speck or a bullet (whole scan)
    (fix_leading_comma, "、令和元年度補正予算額", "令和元年度補正予算額", "whole scan p3"),
    (fix_leading_comma, "、V疾患特虹的iPS細胞の利活用促進・難病研究加層プログラム",
     "V疾患特虹的iPS細胞の利活用促進・難病研究加層プログラム", "whole scan p25"),
    (fix_leading_comma, "令和2年度予算額(案)、前年度予算額", "令和2年度予算額(案)、前年度予算額", "a comma inside stays"),
    (fix_leading_comma, "_5.Society 5.0を支える世界最高水準の大型研究施設の整備・利活用の促進",
     "5.Society 5.0を支える世界最高水準の大型研究施設の整備・利活用の促進", "whole scan p1 (seed 123): an underscore"),
    (fix_leading_comma, ".令和元年度補正予算額(案) 18,198百万円", "令和元年度補正予算額(案) 18,198百万円",
     "whole scan p1 (seed 7): a point before a label"),
    (fix_leading_comma, ".1,876百万円", "1,876百万円", "whole scan p14 (seed 123): `.1.876百万円` once its comma is a comma"),
    (fix_leading_comma, ".5百万円", ".5百万円", "a decimal point stays"),
    (fix_leading_comma, ". (前年度予算額)", "(前年度予算額)", "whole scan p2 (seed 777): a point, a space, a label"),
    (fix_leading_comma, "~スーパーコンピュータ「富岳」(ポスト「京」)の製造・システム開発",
     "スーパーコンピュータ「富岳」(ポスト「京」)の製造・システム開発", "whole scan p1 (seed 123): a tilde"),
    # 」 read as ] or 〕 (whole scan, seed 123: the page reading, then the line read again)
    (fix_closing_brackets, "スーパーコンピュータ「富后(ふがく)](ポスト「京」)の製造・システム開発",
     "スーパーコンピュータ「富后(ふがく)」(ポスト「京」)の製造・システム開発", "whole scan p2 (seed 123)"),
    (fix_closing_brackets, "スーパーコンピュータ「富岳(ふがく)〕](ポスト「京」)の製造・システム開発",
     "スーパーコンピュータ「富岳(ふがく)」(ポスト「京」)の製造・システム開発", "whole scan p2 (seed 123), read again"),
    (fix_closing_brackets, "「京」[参考]", "「京」[参考]", "a closed name and a bracket pair stay"),
    # a dash glued to an amount at the start of a line (whole scan, as above)
    (fix_leading_dash, "-2,700百万円", "2,700百万円", "whole scan p25"),
    (fix_leading_dash, "-1,468百万円 (前年度予算額", "1,468百万円 (前年度予算額", "whole scan p35"),
    (fix_leading_dash, "-①王施設の整備費1,358百万円(952百万円)“*", "-①王施設の整備費1,358百万円(952百万円)“*",
     "whole scan p5: a bullet before a title"),
    (fix_leading_dash, "-(1,421百万円)", "(1,421百万円)",
     "WeasyPrint Noto Serif CJK two columns, scanned (seed 5) p7: a speck before the previous year's"),
    (fix_leading_dash, "-(注)1,421百万円", "-(注)1,421百万円", "a bracket that opens no amount"),
    # the item number 1 misread
    (fix_item_numbers, "].科学技術イノベーション政策における「政策のための科学」の推進555百万円(572百万円)",
     "1.科学技術イノベーション政策における「政策のための科学」の推進555百万円(572百万円)", "scan p2"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "expected", "where"), CASES, ids=[c[3] for c in CASES])
def test_rule_on_captured_ocr(rule, text: str, expected: str, where: str) -> None:
    fixed, changes = rule(text)
    assert fixed == expected
    assert bool(changes) == (text != expected)
    for change in changes:  # each change says what it replaced, where
        assert text[change.start : change.end] == change.before


def test_every_rule_has_captured_cases() -> None:
    assert {*RULES, fix_circled_numbers, fix_stray_marks} <= {c[0] for c in CASES}


def test_circled_number_continues_the_page_sequence() -> None:
    """scan p3 (render p23): ① read as や①, ② read as @; the @ item becomes ②."""
    lines = [
        "- や①ガイドラインの改正を見据えた調査・検討\t.",
        "-@公正な研究活動の推進に関する諸外国における取組状況等の調査・分析",
        "-③研究倫理教育の内容、実施方法等に関する調査・分析",
    ]
    assert [r.text for r in repair_lines(lines)] == [
        "- ①ガイドラインの改正を見据えた調査・検討",  # the point a cell apart is dust
        "-②公正な研究活動の推進に関する諸外国における取組状況等の調査・分析",
        "-③研究倫理教育の内容、実施方法等に関する調査・分析",
    ]


# Whole lines through every rule: the repaired text, what each character came from.
LINES = [
    ("3 農業振興費     35, 782     53, 981    人へ18, 199     9.306              5.540     20,.936",
     "3 農業振興費     35,782     53,981    △18,199     9,306              5,540     20,936", "fuji authors l326"),
    ("人へ4.127                       12, 900         5.896", "△4,127                       12,900         5,896",
     "fuji authors l632"),
    ("5吉 労働費                                          256, 499寺円",
     "5吉 労働費                                          256,499千円", "fuji authors l2"),
    ("〇再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)",
     "○再生医療実現拠点ネットワークプログラム9,066百万円(9,066百万円)", "scan p3"),
    ("信和2 年度小平市一般会計補正予算(第1)", "令和2 年度小平市一般会計補正予算(第1)", "kodaira p34, grey page"),
    ('-②⑨"業務実施費373百万円(373百万円)', "-②業務実施費373百万円(373百万円)", "render p5 degraded"),
    ("大強度陽子加速器施設(()-PARC)の整備・共用", "大強度陽子加速器施設(J-PARC)の整備・共用",
     "WeasyPrint IPAex Gothic three-column scan p3 (seed 8): (J read as ()"),
    ("令和2年度予算額(案):2,140百万円(前年度予算額:2,110百万円)",
     "令和2年度予算額(案):2,140百万円(前年度予算額:2,110百万円)", "mext-p13-scan: nothing to repair"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "where"), LINES, ids=[c[2] for c in LINES])
def test_repair_line(text: str, expected: str, where: str) -> None:
    fixed = repair_line(text)
    assert fixed.text == expected
    assert len(fixed.origin) == len(fixed.text)
    # every character that no rule wrote is the OCR character it came from
    written = {k for start, end in fixed.changed for k in range(start, end)}
    for k, ch in enumerate(fixed.text):
        if k not in written:
            assert text[fixed.origin[k]] == ch
    assert bool(fixed.changes) == (text != expected)


FORMATS = [
    ("48,514", True), ("1,085,094", True), ("114,424", True), ("5", True), ("0.3", True), ("△15,621", True),
    ("１４，４００", True),  # full-width, as a text layer prints it
    ("48.514", False),  # a comma read as a period: 48 yen and a half, 1,000 times too small
    ("4854", False), (",648", False), ("1,23", False), ("12,3456", False), ("11も424", False), ("8S8", False),
]  # fmt: skip


@pytest.mark.parametrize(("token", "valid"), FORMATS)
def test_check_number_format(token: str, valid: bool) -> None:
    assert check_number_format(token) is valid


def test_myriad_groups_have_no_commas() -> None:
    """Before 万/億/兆 up to four digits go without a comma (1兆2345億円)."""
    assert check_number_format("2345", myriad=True)
    assert not check_number_format("2345")
    assert not check_number_format("12345", myriad=True)


# Amounts that still fail the check after the rules ran: flagged, never guessed.
SUSPECTS = [
    ("令和2年度予算額(案):4854百万円(7,292百万円)", ["4854"], "render p40: the comma was lost"),
    ("計\t547,555\t555,203\t,648\t59,580\t76,000\t13,258\t398,717", [",648"], "fuji p10: △7,648"),
    ("1 労政費      11も424   111, 568    2.856                   275   114, 149", ["11も424"],
     "fuji authors l8: 114,424"),
    ("11 役務費            8S8", ["8S8"], "fuji authors l36: 88"),
    ("〇再生医療実現拠点ネットワークプログラム9.066G百万円(9.066百万円)", ["9.066G"], "two-column-scan, grey"),
    ("16国庫支出金\t\t12,832,941\t19,825,300\t32,658,241", [], "kodaira p35"),
    ("令和2年度予算額(案) 86,029百万円", [], "two-column-scan"),
    ("キッズジョブ2025開催負担金 2,800", [], "fuji p1: a year inside a name"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "where"), SUSPECTS, ids=[c[2] for c in SUSPECTS])
def test_numbers_failing_the_format_check_are_flagged(text: str, expected: list[str], where: str) -> None:
    fixed = repair_line(text)
    assert [fixed.text[a:b] for a, b in fixed.suspects] == expected
    assert [fixed.text[a:b] for a, b in suspect_numbers(fixed.text)] == expected
