"""Shared document rendering: HTML → PDF (WeasyPrint) and a restricted HTML → DOCX (python-docx).

One Jinja template written as HTML serves both outputs, so a document's PDF and its
editable DOCX always carry the same text. The public API is small:

- :func:`cjk_font_stack` — the CJK font families we look for, in order of preference;
- :func:`base_css` — page set-up and the CJK font stack as CSS (A4, page numbers in Chinese);
- :func:`require_cjk_font` — the installed CJK font file, or :class:`MissingComponent`;
- :func:`html_to_pdf` — render HTML to a PDF with the CJK font embedded;
- :func:`html_to_docx` — convert the HTML subset listed below to an editable DOCX
  with the East-Asian font set on every run.

The DOCX converter understands: ``h1``–``h3``, ``p``, ``div``, ``br``, ``strong``/``b``,
``em``/``i``, ``u``, ``span``, ``ol``/``ul``/``li``, ``table``/``tr``/``th``/``td``,
``blockquote``, ``pre`` and ``hr``. Class ``fill`` (a field the user must complete)
is rendered highlighted; class ``right`` and ``center`` align a paragraph; class
``page-break`` starts a new page. Anything else is rendered as its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
import os
from pathlib import Path
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
import lxml.html
from markupsafe import escape

from weiquan.errors import MissingComponent
from weiquan.partfiles import write_output

# Font families in order of preference, with the file names the Debian packages install.
_CJK_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Noto Serif CJK SC", ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf")),
    ("Noto Sans CJK SC", ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")),
    ("WenQuanYi Micro Hei", ("wqy-microhei.ttc",)),
    ("WenQuanYi Zen Hei", ("wqy-zenhei.ttc",)),
    ("Source Han Serif SC", ("SourceHanSerifSC-Regular.otf",)),
    ("Source Han Sans SC", ("SourceHanSansSC-Regular.otf",)),
)
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
INSTALL_HINT_ZH = "请安装中文字体，例如 Debian/Ubuntu：sudo apt-get install fonts-noto-cjk fonts-wqy-microhei"
INSTALL_HINT_EN = "install a CJK font, e.g. on Debian/Ubuntu: sudo apt-get install fonts-noto-cjk fonts-wqy-microhei"

# Fonts named in the DOCX (what Word/WPS/LibreOffice on the reader's machine will use).
DOCX_EAST_ASIA_FONT = "宋体"
DOCX_EAST_ASIA_HEADING_FONT = "黑体"
DOCX_LATIN_FONT = "Times New Roman"


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path


def cjk_font_stack() -> list[str]:
    """CJK font families, preferred first (for CSS ``font-family``)."""
    return [family for family, _ in _CJK_FONTS]


@cache
def _installed_fonts() -> tuple[CjkFont, ...]:
    wanted = {name: family for family, names in _CJK_FONTS for name in names}
    found: dict[str, CjkFont] = {}
    for d in _FONT_DIRS:
        root = Path(os.path.expanduser(d))
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                family = wanted.get(f)
                if family and family not in found:
                    found[family] = CjkFont(family, Path(dirpath) / f)
    order = cjk_font_stack()
    return tuple(sorted(found.values(), key=lambda x: order.index(x.family)))


def installed_cjk_fonts() -> list[CjkFont]:
    """The CJK fonts of :func:`cjk_font_stack` that are installed, preferred first."""
    return list(_installed_fonts())


def require_cjk_font() -> CjkFont:
    fonts = _installed_fonts()
    if not fonts:
        _installed_fonts.cache_clear()  # the user may install one and retry in the same process
        raise MissingComponent(
            f"未找到中文字体，无法生成 PDF。{INSTALL_HINT_ZH}",
            f"no CJK font found, cannot render PDF: {INSTALL_HINT_EN}",
        )
    return fonts[0]


def base_css(*, title: str | None = None, font_size_pt: float = 12) -> str:
    """A4 page set-up, margins suited to court filings, page numbers and the CJK font stack."""
    stack = ", ".join(f'"{f}"' for f in cjk_font_stack())
    footer = '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    header = f'@top-center {{ content: "{_css_str(title)}"; font-size: 9pt; color: #666; }}' if title else ""
    return f"""
@page {{ size: A4; margin: 25mm 22mm 22mm 25mm;
  @bottom-center {{ content: {footer}; font-size: 9pt; color: #666; }} {header} }}
html {{ font-family: {stack}, serif; font-size: {font_size_pt}pt; line-height: 1.7; color: #000; }}
h1 {{ font-size: 1.6em; text-align: center; margin: 0 0 0.8em; }}
h2 {{ font-size: 1.15em; margin: 1.0em 0 0.4em; }}
h3 {{ font-size: 1.0em; margin: 0.8em 0 0.3em; }}
p {{ margin: 0.3em 0; text-indent: 2em; }}
p.noindent, p.right, p.center, li p, td p {{ text-indent: 0; }}
.right {{ text-align: right; }}
.center {{ text-align: center; }}
.fill {{ background: #fff3b0; border-bottom: 1px solid #b08800; }}
blockquote {{ margin: 0.3em 2em; padding: 0.2em 0.6em; border-left: 3px solid #999; background: #f6f6f6; }}
pre {{ font-family: {stack}, monospace; white-space: pre-wrap; font-size: 0.95em;
  border: 1px solid #ccc; padding: 0.4em; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 0.9em; }}
th, td {{ border: 1px solid #444; padding: 3px 5px; vertical-align: top; word-break: break-all; }}
th {{ background: #eee; }}
/* Long tables (证据目录): widths from the header row; WeasyPrint then skips measuring every cell's text. */
table.fixed {{ table-layout: fixed; }}
td.hash {{ font-size: 0.75em; line-height: 1.2; }}
.page-break {{ page-break-before: always; }}
.note {{ font-size: 0.9em; color: #333; border-top: 1px solid #999; margin-top: 1.5em; padding-top: 0.4em; }}
"""


def _css_str(s: str | None) -> str:
    return (s or "").replace("\\", "\\\\").replace('"', '\\"')


SAMPLE_META = '<meta name="weiquan-sample" content="1">'
SAMPLE_LABEL_ZH = "示例 · 虚构数据，不可用于真实投诉"
# On every PDF page: a large diagonal 示例 behind the text (fixed elements repeat on each page) and a label
# in the top-left margin box.
SAMPLE_CSS = (
    f'@page {{ @top-left {{ content: "{SAMPLE_LABEL_ZH}"; font-size: 9pt; color: #cc0000; }} }}'
    'html::after { content: "示例"; position: fixed; top: 35%; left: 12%; font-size: 150pt; '
    "color: rgba(204, 0, 0, 0.13); transform: rotate(-30deg); z-index: -1; }"
)


def mark_sample(html: str) -> str:
    """The document marked 示例 on every page (PDF: a watermark; DOCX: a red page header)."""
    if SAMPLE_META in html:
        return html
    return html.replace("<head>", f"<head>{SAMPLE_META}<style>{SAMPLE_CSS}</style>", 1)


def wrap_html(body: str, *, title: str, css: str | None = None) -> str:
    """A complete HTML document around a body fragment, with :func:`base_css` unless ``css`` is given."""

    style = css if css is not None else base_css()
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


def html_to_pdf(html: str, out: Path, base_url: str | None = None, *, home: Path | None = None) -> Path:
    """Render HTML to ``out`` as PDF (fonts embedded). Raises MissingComponent without a CJK font.

    Written as ``out.part`` and renamed; with ``home`` (the data home) the ``.part`` is registered there, so a
    render killed midway leaves nothing once the workspace opens again (weiquan.partfiles)."""
    require_cjk_font()
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # pango/harfbuzz libraries missing
        raise MissingComponent(
            "PDF 渲染组件 WeasyPrint 不可用（需要 Pango 库：apt-get install libpango-1.0-0 libpangoft2-1.0-0）",
            f"WeasyPrint is unavailable ({type(e).__name__}: {e}); install libpango-1.0-0 libpangoft2-1.0-0",
        ) from e
    return write_output(out, home, lambda part: HTML(string=html, base_url=base_url).write_pdf(part))


# ---- DOCX ---------------------------------------------------------------------------------


def html_to_docx(html: str, out: Path, *, home: Path | None = None) -> Path:
    """Convert the HTML subset (see module doc) to an editable DOCX with East-Asian fonts set (``home``: as
    :func:`html_to_pdf`)."""
    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    doc = new_docx()
    if SAMPLE_META in html:
        _sample_header(doc)
    _Converter(doc).blocks(body if body is not None else root)
    return write_output(out, home, lambda part: doc.save(str(part)))


def _sample_header(doc) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
    """A red 示例 line in the header of every section (so on every page of the DOCX)."""

    for section in doc.sections:
        p = section.header.paragraphs[0] if section.header.paragraphs else section.header.add_paragraph()
        run = p.add_run(SAMPLE_LABEL_ZH)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(10), True, RGBColor(0xCC, 0, 0)
        set_east_asian_font(run._element, DOCX_EAST_ASIA_HEADING_FONT)


def new_docx():  # type: ignore[no-untyped-def]  # returns docx.document.Document
    """A python-docx document on A4 with the CJK body font set in the Normal and heading styles."""

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(25), Mm(22), Mm(25), Mm(22)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    set_east_asian_font(normal.element, DOCX_EAST_ASIA_FONT, DOCX_LATIN_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        st = doc.styles[name]
        st.font.color.rgb = None
        set_east_asian_font(st.element, DOCX_EAST_ASIA_HEADING_FONT, DOCX_LATIN_FONT)
    return doc


def set_east_asian_font(element, east_asia: str, latin: str | None = None) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
    """Set ``w:rFonts`` (eastAsia, and ascii/hAnsi when ``latin``) on a style or run element."""

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if latin:
        fonts.set(qn("w:ascii"), latin)
        fonts.set(qn("w:hAnsi"), latin)


_BLOCK_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "div",
    "ol",
    "ul",
    "table",
    "blockquote",
    "pre",
    "hr",
    "section",
    "header",
    "footer",
    "article",
}


class _Converter:
    def __init__(self, doc) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
        self.doc = doc

    # blocks
    def blocks(self, el) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
        loose: list = []
        if (el.text or "").strip():
            loose.append(el.text)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS:
                self._flush_loose(loose)
                loose = []
                self.block(child)
            elif tag in ("style", "script", "head", "title"):
                pass
            else:
                loose.append(child)
            if (child.tail or "").strip():
                loose.append(child.tail)
        self._flush_loose(loose)

    def _flush_loose(self, items: list) -> None:  # type: ignore[type-arg]  # python-docx and lxml objects have no type stubs
        if not items:
            return
        p = self.doc.add_paragraph()
        for it in items:
            if isinstance(it, str):
                self._run(p, it, {})
            else:
                self.inline(p, it, {}, with_tail=False)

    def block(self, el) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs

        tag = el.tag
        classes = set((el.get("class") or "").split())
        if "page-break" in classes and tag != "hr":
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if tag in ("h1", "h2", "h3", "h4"):
            level = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}[tag]
            p = self.doc.add_heading(level=level)
            if tag == "h1":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.inline_children(p, el, {})
            for r in p.runs:
                set_east_asian_font(r._element, DOCX_EAST_ASIA_HEADING_FONT, DOCX_LATIN_FONT)
        elif tag == "p":
            p = self.doc.add_paragraph()
            if "right" in classes:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif "center" in classes:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif "noindent" not in classes:
                p.paragraph_format.first_line_indent = Pt(24)
            self.inline_children(p, el, {})
        elif tag in ("ol", "ul"):
            self.list(el, ordered=tag == "ol")
        elif tag == "table":
            self.table(el)
        elif tag == "blockquote":
            for child_p in el.findall("p") or [el]:
                p = self.doc.add_paragraph()
                p.paragraph_format.left_indent = Mm(10)
                self.inline_children(p, child_p, {"italic": False})
        elif tag == "pre":
            for line in (el.text_content() or "").splitlines() or [""]:
                p = self.doc.add_paragraph()
                self._run(p, line, {"raw": True})
        elif tag == "hr":
            if "page-break" in classes:
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            else:
                self.doc.add_paragraph("—" * 20).alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:  # div/section etc.
            self.blocks(el)

    def list(self, el, *, ordered: bool) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
        style = "List Number" if ordered else "List Bullet"
        n = 0
        for li in el.findall("li"):
            n += 1
            nested = [c for c in li if c.tag in ("ol", "ul")]
            p = self.doc.add_paragraph(style=style) if not ordered else self.doc.add_paragraph()
            if ordered:  # explicit numbers survive editing and restarts better than Word numbering
                self._run(p, f"{n}. ", {})
            self.inline_children(p, li, {}, skip={"ol", "ul"})
            for sub in nested:
                self.list(sub, ordered=sub.tag == "ol")

    def table(self, el) -> None:  # type: ignore[no-untyped-def]  # python-docx and lxml objects have no type stubs
        rows = [tr for tr in el.iter("tr")]
        if not rows:
            return
        ncols = max(sum(int(c.get("colspan") or 1) for c in tr if c.tag in ("td", "th")) for tr in rows)
        t = self.doc.add_table(rows=len(rows), cols=ncols)
        t.style = "Table Grid"
        # Walk the rows once: Table.cell(i, j) rebuilds the whole cell list on every call (quadratic).
        for tr, row in zip(rows, t.rows):
            cells = row.cells
            j = 0
            for cell_el in [c for c in tr if c.tag in ("td", "th")]:
                span = int(cell_el.get("colspan") or 1)
                cell = cells[j]
                if span > 1:
                    cell = cell.merge(cells[min(j + span - 1, ncols - 1)])
                p = cell.paragraphs[0]
                self.inline_children(p, cell_el, {"bold": cell_el.tag == "th"})
                j += span

    # inline
    def inline_children(self, p, el, fmt: dict, skip: set[str] | None = None) -> None:  # type: ignore[no-untyped-def, type-arg]  # python-docx and lxml objects have no type stubs
        if el.text:
            self._run(p, el.text, fmt)
        for child in el:
            if skip and child.tag in skip:
                if child.tail:
                    self._run(p, child.tail, fmt)
                continue
            self.inline(p, child, fmt)

    def inline(self, p, el, fmt: dict, *, with_tail: bool = True) -> None:  # type: ignore[no-untyped-def, type-arg]  # python-docx and lxml objects have no type stubs
        tag = el.tag if isinstance(el.tag, str) else ""
        f = dict(fmt)
        classes = set((el.get("class") or "").split()) if tag else set()
        if tag in ("strong", "b", "th"):
            f["bold"] = True
        elif tag in ("em", "i"):
            f["italic"] = True
        elif tag == "u":
            f["underline"] = True
        if "fill" in classes:
            f["fill"] = True
        if tag == "br":
            p.add_run().add_break()
        elif tag in ("p", "div") and p.text:  # block inside a cell or list item: new line
            p.add_run().add_break()
            self.inline_children(p, el, f)
        elif tag:
            self.inline_children(p, el, f)
        if with_tail and el.tail:
            self._run(p, el.tail, fmt)

    def _run(self, p, text: str, fmt: dict) -> None:  # type: ignore[no-untyped-def, type-arg]  # python-docx and lxml objects have no type stubs

        if not fmt.get("raw"):
            text = _collapse(text)
        if not text:
            return
        r = p.add_run(text)
        if fmt.get("bold"):
            r.bold = True
        if fmt.get("italic"):
            r.italic = True
        if fmt.get("underline"):
            r.underline = True
        if fmt.get("fill"):
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
        set_east_asian_font(r._element, DOCX_EAST_ASIA_FONT)


def _collapse(text: str) -> str:
    """HTML whitespace rules, roughly: newlines and runs of spaces collapse to one space."""

    return re.sub(r"[ \t\r\n]+", " ", text)


def docx_text(path: Path) -> str:
    """All paragraph and table text of a DOCX (for checks and tests)."""

    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    """The text layer of a PDF (pypdf)."""
    from pypdf import PdfReader

    return "\n".join((page.extract_text() or "") for page in PdfReader(str(path)).pages)


def fonts_embedded(path: Path) -> list[str]:
    """Base names of the fonts embedded in a PDF (FontFile/FontFile2/FontFile3 present)."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(str(path)).pages:
        res = page.get("/Resources") or {}
        fonts = res.get("/Font") or {}
        for ref in fonts.values():
            f = ref.get_object()
            descs: Iterable = [f] + [d.get_object() for d in f.get("/DescendantFonts") or []]
            for d in descs:
                fd = d.get("/FontDescriptor")
                if fd is None:
                    continue
                fd = fd.get_object()
                if any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(d.get("/BaseFont") or f.get("/BaseFont")))
    return sorted(names)
