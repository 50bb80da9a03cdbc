"""The fixed parts of the Word package: styles, settings, fonts, page setup, header/footer, relationships.

The styles are real Word styles, so that a municipality can restyle the whole document in one place (Word's
「スタイル」 pane): Title, Heading 1–6 (with outline levels for the navigation pane and the TOC), 本文, 箇条書き,
解説 (a bordered, shaded box), 統一基準対応 (the small NISC mapping notes), 表 (a table style), TOC 1–3, and the
character styles プレースホルダー and 相互参照.

Fonts. Japanese text needs ``w:rFonts/@w:eastAsia`` and ``w:lang/@w:eastAsia="ja-JP"`` in the document defaults and
in the styles (``run.font.name`` of python-docx sets neither). The faces are Noto Serif CJK JP (本文, 明朝) and Noto
Sans CJK JP (見出し, ゴシック): LibreOffice renders them wherever Debian's ``fonts-noto-cjk`` is installed (it ignores
the font table's alternative names, and falls back to a gothic face for 游明朝 or ＭＳ 明朝 when those are absent),
and Word, where they are missing, substitutes a Japanese 明朝/ゴシック face from the font table's ``w:altName``
(游明朝, 游ゴシック), charset (80 = Shift_JIS) and PANOSE family. Change :data:`MINCHO` / :data:`GOTHIC` to use other
faces; every style inherits them.

Style IDs are resolved once (:data:`S`), the writer never looks a style up by name.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from html import escape

from guideline import __version__

MINCHO = "Noto Serif CJK JP"
GOTHIC = "Noto Sans CJK JP"
MONO = "Noto Sans Mono CJK JP"
FONT_TABLE = (
    # name, Word's alternative, PANOSE-1, family
    (MINCHO, "游明朝", "02020400000000000000", "roman"),
    (GOTHIC, "游ゴシック", "020B0400000000000000", "swiss"),
    (MONO, "ＭＳ ゴシック", "020B0609070205080204", "modern"),
)

# Page: A4 portrait, margins 30 mm top, 25 mm elsewhere (in twips, 1/1440 inch).
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 1701, 1417, 1417, 1417
HEADER_DIST = FOOTER_DIST = 851
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 9072 twips = 160 mm

BODY_PT2 = 21  # body text size in half points (10.5 pt)
CHAR = BODY_PT2 * 10  # one full-width character of body text, in twips (210)


@dataclass(frozen=True)
class StyleIds:
    """Style IDs used in document.xml, resolved once."""

    normal: str = "Normal"
    title: str = "Title"
    subtitle: str = "Subtitle"
    title_status: str = "TitleStatus"
    title_date: str = "TitleDate"
    sample_notice: str = "SampleNotice"
    front_note: str = "FrontNote"
    body: str = "BodyText"
    list_item: str = "ListItem"
    commentary: str = "Commentary"
    commentary_list: str = "CommentaryList"
    mapping: str = "MappingNote"
    table_text: str = "TableText"
    table_heading: str = "TableHeading"
    code_block: str = "CodeBlock"
    toc_heading: str = "TOCHeading"
    header: str = "Header"
    footer: str = "Footer"
    placeholder: str = "Placeholder"
    xref: str = "CrossReference"
    hyperlink: str = "Hyperlink"
    inline_code: str = "InlineCode"
    table: str = "GuidelineTable"
    table_after: str = "TableAfter"
    figure: str = "Figure"
    caption: str = "Caption"
    box_title: str = "BoxTitle"
    footnote_text: str = "FootnoteText"
    footnote_reference: str = "FootnoteReference"

    def heading(self, level: int) -> str:
        return f"Heading{min(max(level, 1), 6)}"

    def toc(self, level: int) -> str:
        return f"TOC{min(max(level, 1), 9)}"


S = StyleIds()


def _fonts(face: str) -> str:
    return f'<w:rFonts w:ascii="{face}" w:eastAsia="{face}" w:hAnsi="{face}" w:cs="{face}"/>'


def _heading(level: int, size: int, *, jc: str = "left", before: int, after: int, left: int = 0,
             page_break: bool = False, bold: bool = True) -> str:
    pbb = "<w:pageBreakBefore/>" if page_break else ""
    ind = f'<w:ind w:left="{left}"/>' if left else ""
    b = "<w:b/><w:bCs/>" if bold else ""
    return f"""
  <w:style w:type="paragraph" w:styleId="{S.heading(level)}">
    <w:name w:val="heading {level}"/><w:basedOn w:val="Normal"/><w:next w:val="{S.body}"/>
    <w:uiPriority w:val="9"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:keepLines/>{pbb}<w:spacing w:before="{before}" w:after="{after}"/>{ind}<w:jc w:val="{jc}"/>
      <w:outlineLvl w:val="{level - 1}"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}{b}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>
  </w:style>"""


def _toc(level: int) -> str:
    return f"""
  <w:style w:type="paragraph" w:styleId="{S.toc(level)}">
    <w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
    <w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_W}"/></w:tabs>
      <w:spacing w:before="{120 if level == 1 else 0}" w:after="0"/><w:ind w:left="{(level - 1) * 2 * CHAR}"/>
      <w:jc w:val="left"/></w:pPr>
    {"<w:rPr>" + _fonts(GOTHIC) + "</w:rPr>" if level == 1 else ""}
  </w:style>"""


def styles_xml() -> bytes:
    box = ('<w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="808080"/>'
           '<w:left w:val="single" w:sz="4" w:space="4" w:color="808080"/>'
           '<w:bottom w:val="single" w:sz="4" w:space="4" w:color="808080"/>'
           '<w:right w:val="single" w:sz="4" w:space="4" w:color="808080"/></w:pBdr>')
    xml = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:docDefaults>
    <w:rPrDefault><w:rPr>{_fonts(MINCHO)}<w:kern w:val="2"/><w:sz w:val="{BODY_PT2}"/><w:szCs w:val="{BODY_PT2}"/>
      <w:lang w:val="en-US" w:eastAsia="ja-JP" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
    <w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="0" w:line="320" w:lineRule="auto"/><w:jc w:val="both"/>
      </w:pPr></w:pPrDefault>
  </w:docDefaults>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal">
    <w:name w:val="Normal"/><w:qFormat/>
    <w:rPr>{_fonts(MINCHO)}<w:lang w:val="en-US" w:eastAsia="ja-JP"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">
    <w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/>
  </w:style>
  <w:style w:type="table" w:default="1" w:styleId="TableNormal">
    <w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
    <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>
      <w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
      </w:tblCellMar></w:tblPr>
  </w:style>
  <w:style w:type="numbering" w:default="1" w:styleId="NoList">
    <w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
  </w:style>
  <w:style w:type="paragraph" w:styleId="{S.title}">
    <w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="{S.subtitle}"/><w:uiPriority w:val="10"/>
    <w:qFormat/>
    <w:pPr><w:spacing w:before="3600" w:after="480" w:line="360" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="{S.subtitle}">
    <w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/>
    <w:pPr><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.title_status}">
    <w:name w:val="表紙 区分"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="240" w:after="240"/><w:jc w:val="center"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.title_date}">
    <w:name w:val="表紙 日付"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="1440" w:after="240"/><w:jc w:val="center"/></w:pPr>
    <w:rPr><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.sample_notice}">
    <w:name w:val="サンプル表示"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
    <w:pPr>{box.replace('808080', 'C00000')}<w:shd w:val="clear" w:color="auto" w:fill="FFF2F2"/>
      <w:spacing w:before="960" w:after="240"/><w:ind w:left="{2 * CHAR}" w:right="{2 * CHAR}"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:color w:val="C00000"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.front_note}">
    <w:name w:val="前書き"/><w:basedOn w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="120" w:after="120"/><w:ind w:left="{2 * CHAR}" w:right="{2 * CHAR}"/></w:pPr>
  </w:style>
  {"".join([
      _heading(1, 32, jc="center", before=0, after=600, page_break=True),
      _heading(2, 28, before=480, after=240),
      _heading(3, 24, before=360, after=120),
      _heading(4, 22, before=240, after=120),
      _heading(5, BODY_PT2, before=180, after=60, left=CHAR),
      _heading(6, BODY_PT2, before=120, after=60, left=2 * CHAR, bold=False),
  ])}
  <w:style w:type="paragraph" w:styleId="{S.body}">
    <w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="1"/><w:qFormat/>
    <w:pPr><w:spacing w:after="80"/><w:ind w:firstLine="{CHAR}"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.list_item}">
    <w:name w:val="箇条書き"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="2"/><w:qFormat/>
    <w:pPr><w:spacing w:after="40"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.commentary}">
    <w:name w:val="解説"/><w:basedOn w:val="{S.body}"/><w:uiPriority w:val="3"/><w:qFormat/>
    <w:pPr>{box}<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/><w:spacing w:after="0"/>
      <w:ind w:left="{CHAR}" w:right="{CHAR // 2}" w:firstLine="{CHAR}"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.commentary_list}">
    <w:name w:val="解説 箇条書き"/><w:basedOn w:val="{S.commentary}"/><w:uiPriority w:val="3"/><w:qFormat/>
    <w:pPr><w:ind w:left="{CHAR}" w:firstLine="0"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.mapping}">
    <w:name w:val="統一基準対応"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="4"/><w:qFormat/>
    <w:pPr><w:keepLines/><w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="auto"/><w:jc w:val="left"/>
      </w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:color w:val="505050"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.table_text}">
    <w:name w:val="表 本文"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="5"/><w:qFormat/>
    <w:pPr><w:spacing w:after="0" w:line="280" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr>
    <w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.table_heading}">
    <w:name w:val="表 見出し"/><w:basedOn w:val="{S.table_text}"/><w:uiPriority w:val="5"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.table_after}">
    <w:name w:val="表の後"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="5"/>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:rPr><w:sz w:val="12"/><w:szCs w:val="12"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.figure}">
    <w:name w:val="図"/><w:basedOn w:val="Normal"/><w:next w:val="{S.caption}"/><w:uiPriority w:val="5"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="120" w:after="60" w:line="240" w:lineRule="auto"/>
      <w:jc w:val="center"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="{S.caption}">
    <w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="{S.body}"/><w:uiPriority w:val="35"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="60" w:after="120"/><w:jc w:val="left"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.box_title}">
    <w:name w:val="囲み 見出し"/><w:basedOn w:val="Normal"/><w:next w:val="{S.body}"/><w:uiPriority w:val="5"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="40" w:after="40"/><w:jc w:val="left"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="{S.footnote_text}">
    <w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:spacing w:after="0" w:line="260" w:lineRule="auto"/><w:ind w:left="{CHAR}" w:hanging="{CHAR}"/>
      <w:jc w:val="left"/></w:pPr>
    <w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:styleId="{S.footnote_reference}">
    <w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>
    <w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.code_block}">
    <w:name w:val="コード"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="6"/>
    <w:pPr><w:shd w:val="clear" w:color="auto" w:fill="F5F5F5"/><w:spacing w:after="80" w:line="260" w:lineRule="auto"/>
      <w:jc w:val="left"/></w:pPr>
    <w:rPr>{_fonts(MONO)}<w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="{S.toc_heading}">
    <w:name w:val="目次見出し"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="0" w:after="360"/><w:jc w:val="center"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
  </w:style>
  {"".join(_toc(n) for n in (1, 2, 3))}
  <w:style w:type="paragraph" w:styleId="{S.header}">
    <w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs><w:jc w:val="left"/></w:pPr>
    <w:rPr>{_fonts(GOTHIC)}<w:color w:val="404040"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="{S.footer}">
    <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:jc w:val="center"/></w:pPr>
    <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:customStyle="1" w:styleId="{S.placeholder}">
    <w:name w:val="プレースホルダー"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="7"/><w:qFormat/>
    <w:rPr><w:color w:val="7F3F00"/><w:shd w:val="clear" w:color="auto" w:fill="FFE699"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:styleId="{S.hyperlink}">
    <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:customStyle="1" w:styleId="{S.xref}">
    <w:name w:val="相互参照"/><w:basedOn w:val="{S.hyperlink}"/><w:uiPriority w:val="8"/><w:qFormat/>
    <w:rPr><w:color w:val="1F4E79"/><w:u w:val="dotted"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:customStyle="1" w:styleId="{S.inline_code}">
    <w:name w:val="コード（文字）"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="9"/>
    <w:rPr>{_fonts(MONO)}<w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="table" w:customStyle="1" w:styleId="{S.table}">
    <w:name w:val="ガイドライン表"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
    <w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>
      <w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>
      <w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>
      <w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>
    <w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>
      <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/></w:tcPr></w:tblStylePr>
  </w:style>
</w:styles>
"""
    return xml.encode("utf-8")


def settings_xml(extra: str = "") -> bytes:
    """settings.xml: update fields (the TOC) on open, Japanese punctuation compression, no rsids.

    ``extra`` is raw XML inserted after ``w:zoom`` — the place of ``<w:revisionView …/>`` and ``<w:trackRevisions/>``
    for a tracked document (CT_Settings is ordered: zoom, …, revisionView, trackRevisions, …, defaultTabStop)."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:zoom w:percent="100"/>
  {extra}
  <w:defaultTabStop w:val="{4 * CHAR}"/>
  <w:characterSpacingControl w:val="compressPunctuation"/>
  <w:updateFields w:val="true"/>
  <w:compat>
    <w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>
  </w:compat>
  <w:themeFontLang w:val="ja-JP" w:eastAsia="ja-JP"/>
  <w:decimalSymbol w:val="."/>
  <w:listSeparator w:val=","/>
</w:settings>
""".encode("utf-8")


def font_table_xml() -> bytes:
    fonts = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/><w:charset w:val="80"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="{"fixed" if family == "modern" else "variable"}"/></w:font>'
        for name, alt, panose, family in FONT_TABLE
    )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{fonts}</w:fonts>'
            ).encode("utf-8")


def sect_pr_xml() -> str:
    """The body's final section properties: A4, margins, header/footer references (rIdHeader…), title page apart."""
    return (f'<w:sectPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<w:headerReference w:type="default" r:id="rIdHeader"/>'
            '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>'
            '<w:footerReference w:type="default" r:id="rIdFooter"/>'
            '<w:footerReference w:type="first" r:id="rIdFooterFirst"/>'
            f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
            f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" '
            f'w:left="{MARGIN_LEFT}" w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/>'
            '<w:cols w:space="425"/><w:titlePg/><w:docGrid w:linePitch="360"/></w:sectPr>')


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
  <Default Extension="xml" ContentType="application/xml"/>
  <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
  <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
  <Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
  <Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>
  <Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
  <Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
  <Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
  <Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
  <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
  <Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>
"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
  <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>
"""

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


CUSTOM_XML_TYPES = ('  <Override PartName="/customXml/itemProps1.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.customXmlProperties+xml"/>\n')


def content_types(custom_xml: bool = False, extra: list[str] = ()) -> str:
    """[Content_Types].xml; ``custom_xml``: the package carries the fingerprint part (customXml/item1.xml);
    ``extra``: further entries (media defaults, the footnotes part)."""
    more = (CUSTOM_XML_TYPES if custom_xml else "") + "".join(f"  {e}\n" for e in extra)
    return CONTENT_TYPES.replace("</Types>", more + "</Types>") if more else CONTENT_TYPES


def custom_xml_props(item_id: str) -> bytes:
    """customXml/itemProps1.xml: the data store item ID Word gives a custom XML part (a GUID in braces)."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<ds:datastoreItem ds:itemID="{{{item_id}}}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/>'
            '</ds:datastoreItem>').encode("utf-8")


CUSTOM_XML_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'customXmlProps" Target="itemProps1.xml"/></Relationships>').encode("utf-8")


def document_rels_xml(external: list[tuple[str, str]], custom_xml: bool = False,
                      extra: list[tuple[str, str, str]] = ()) -> bytes:
    """document.xml.rels: the fixed parts, ``extra`` (id, type, target) parts (pictures, footnotes), then external
    hyperlinks ``(rel id, url)`` in first-use order (``custom_xml``: and the fingerprint part)."""
    fixed = [
        ("rIdStyles", f"{_REL}/styles", "styles.xml"),
        ("rIdSettings", f"{_REL}/settings", "settings.xml"),
        ("rIdFontTable", f"{_REL}/fontTable", "fontTable.xml"),
        ("rIdHeader", f"{_REL}/header", "header1.xml"),
        ("rIdHeaderFirst", f"{_REL}/header", "header2.xml"),
        ("rIdFooter", f"{_REL}/footer", "footer1.xml"),
        ("rIdFooterFirst", f"{_REL}/footer", "footer2.xml"),
    ]
    if custom_xml:
        fixed.append(("rIdCustomXml", f"{_REL}/customXml", "../customXml/item1.xml"))
    rows = [f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in [*fixed, *extra]]
    rows += [f'<Relationship Id="{i}" Type="{_REL}/hyperlink" Target="{escape(url, quote=True)}" '
             'TargetMode="External"/>' for i, url in external]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rows) + "</Relationships>").encode("utf-8")


def core_xml(title: str, subject: str, date: datetime.date, keywords: str = "") -> bytes:
    """docProps/core.xml; created and modified are the edition date (never the clock)."""
    stamp = f"{date.isoformat()}T00:00:00Z"
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title>{escape(title, quote=False)}</dc:title>
  <dc:subject>{escape(subject, quote=False)}</dc:subject>
  <dc:creator>guideline</dc:creator>
  <cp:keywords>{escape(keywords, quote=False)}</cp:keywords>
  <dc:language>ja-JP</dc:language>
  <cp:lastModifiedBy>guideline</cp:lastModifiedBy>
  <cp:revision>1</cp:revision>
  <dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>
  <dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>
</cp:coreProperties>
""".encode("utf-8")


def app_xml() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
  <Application>guideline {escape(__version__)}</Application>
  <DocSecurity>0</DocSecurity>
</Properties>
""".encode("utf-8")
