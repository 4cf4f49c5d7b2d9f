#!/usr/bin/python3
# Writes the small PDFs the PDF reader's tests use (tests/data/pdf/*.pdf), from the bundled
# corpus, with reportlab's built-in Japanese CID fonts (not embedded: each file stays a few KB;
# readers map the CIDs through poppler-data). Debian's python3-reportlab lives in /usr/bin/python3.
# Usage: make-fixtures.py [OUTDIR]   (default: this script's directory)
#        make-fixtures.py --pages N OUT.pdf   (one N-page two-column report, for timing)
#        make-fixtures.py --report FIRST LAST OUT.pdf   (corpus lines FIRST..LAST set as a
#                                   report: tests/cli/pdf_template.sh)
# Deterministic: fixed invariant=1 output, so regenerating gives the same bytes.
import os
import sys

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

MINCHO, GOTHIC = "HeiseiMin-W3", "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
W, H = A4
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "corpus", "sendai-r3-jiritsushien.txt")


def corpus_paragraphs():
    """Non-empty corpus lines, stripped: real report sentences in the corpus's own wording."""
    with open(CORPUS, encoding="utf-8") as f:
        lines = [ln.strip().replace("\u3000", "") for ln in f]
    return [ln for ln in lines if len(ln) >= 12]


def wrap(text, font, size, width):
    """Cuts text into lines of at most width points, anywhere (Japanese wraps mid-word)."""
    lines, cur = [], ""
    for ch in text:
        if cur and pdfmetrics.stringWidth(cur + ch, font, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def new_canvas(path, **kw):
    c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1, **kw)
    c.setTitle("令和3年度 障害者自立支援協議会 取組状況")
    c.setAuthor("仙台市 健康福祉局")
    return c


def furniture(c, page, n_pages, style):
    """Running header at the top and a page number at the bottom, the same on every page."""
    c.setFont(GOTHIC, 8)
    c.drawString(40, H - 30, "仙台市障害者自立支援協議会 令和3年度報告")
    c.drawRightString(W - 40, H - 30, "資料2")
    c.setFont(MINCHO, 9)
    label = f"{page} / {n_pages}" if style == "slash" else f"- {page} -"
    c.drawCentredString(W / 2, 28, label)


def spaced_heading(c, x, y, text, size, gap_em):
    """A heading spread by character spacing (Tc), as reports set 人 件 費."""
    c.saveState()  # Tc lasts beyond the text object; the body must not inherit it
    t = c.beginText(x, y)
    t.setFont(GOTHIC, size)
    t.setCharSpace(size * gap_em)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def column_page(c, paras, x, width, top, bottom, size=10.5, lead=16):
    """Fills one column with paragraphs (first line indented one em); returns the rest."""
    y = top
    c.setFont(MINCHO, size)
    while paras:
        lines = wrap("\u3000" + paras[0], MINCHO, size, width)
        if y - lead * len(lines) < bottom:
            break
        for ln in lines:
            c.drawString(x, y, ln)
            y -= lead
        y -= lead / 2
        paras.pop(0)
    return paras


def make_columns(path, n_pages, style="slash"):
    """Two columns per page, a letter-spaced heading over both, header and footer."""
    paras = corpus_paragraphs()
    paras = ["".join(paras[i:i + 3]) for i in range(0, len(paras), 3)]
    c = new_canvas(path)
    headings = ["人件費", "事業費", "活動実績", "今後の課題"]
    for p in range(1, n_pages + 1):
        if not paras:
            paras = corpus_paragraphs()
        furniture(c, p, n_pages, style)
        spaced_heading(c, 60, H - 80, headings[(p - 1) % len(headings)], 14, 1.0)
        gutter = 30
        colw = (W - 80 - gutter) / 2
        paras = column_page(c, paras, 40, colw, H - 120, 60)
        paras = column_page(c, paras, 40 + colw + gutter, colw, H - 120, 60)
        c.showPage()
    c.save()


TABLE = [
    ("会議", "年間実施予定回数", "主な内容・議題等"),
    ("全体協議会", "１回", "事前アンケートとグループワーク"),
    ("実務者ネットワーク会議", "２回", "オンラインでネットワークづくり"),
    ("地域移行部会", "３回", "精神科病院からの地域移行"),
    ("相談支援部会", "４回", "ケース検討と研修会"),
]


def make_table(path):
    """A ruled table of three columns under a letter-spaced title, one page."""
    c = new_canvas(path)
    furniture(c, 1, 1, "dash")
    spaced_heading(c, 60, H - 80, "実施状況", 14, 1.5)
    xs = [50, 210, 330, 545]
    y = H - 120
    c.setFont(MINCHO, 10)
    for row in TABLE:
        c.line(xs[0], y + 14, xs[-1], y + 14)
        for i, cell in enumerate(row):
            c.drawString(xs[i] + 4, y, cell)
        y -= 22
    c.line(xs[0], y + 14, xs[-1], y + 14)
    for x in xs:
        c.line(x, H - 106, x, y + 14)
    c.setFont(MINCHO, 10.5)
    c.drawString(50, y - 20, "表の後の本文：各部会の開催状況は上表のとおりである。")
    c.showPage()
    c.save()


# Lines cut in the middle of words, the way narrow report cells wrap them.
WRAPPED = [
    "障害者の相談に応じるため、地域包",
    "括支援センターと障害者相談支援事",
    "業所が連携し、自立支援協議会の実",
    "務者ネットワーク会議を開催した。",
    "\u3000次年度も精神障害にも対応した地",
    "域包括ケアシステムの構築を進める。",
]


def make_wrap(path):
    """One paragraph block whose lines end mid-word (地域包|括支援センター), then a second."""
    c = new_canvas(path)
    c.setFont(MINCHO, 12)
    y = H - 80
    for ln in WRAPPED:
        c.drawString(60, y, ln)
        y -= 18
    c.drawString(60, y - 30, "Latin words wrap with a")
    c.drawString(60, y - 48, "space between them.")
    c.showPage()
    c.save()


def justified(c, x, y, text, font, size, width):
    """Draws text at x, y spread by character spacing to exactly width points."""
    t = c.beginText(x, y)
    t.setFont(font, size)
    if len(text) > 1:
        gap = width - pdfmetrics.stringWidth(text, font, size)
        t.setCharSpace(max(0.0, gap / (len(text) - 1)))
    t.textOut(text)
    c.drawText(t)


def make_lists(path):
    """One block of list items with hanging indents, the way Word and LaTeX set them: a marker,
    the item's text beside it, and its wrapped lines under that text (not under the marker),
    each wrapped line justified to the block's width; the last line of an item left short,
    except one item whose last line is full and is followed by the next item; a table of
    contents whose entries end in leaders and page numbers; then a paragraph whose last line
    is full, followed by a paragraph with a first-line indent."""
    paras = corpus_paragraphs()
    paras = ["".join(paras[i:i + 3]) for i in range(0, len(paras), 3)]
    c = new_canvas(path)
    size, lead, x, width = 10.5, 15, 60, 300
    y = H - 80

    def item(marker, text, indent_em, gap_pts=0.0, full_last=False):
        nonlocal y
        c.setFont(MINCHO, size)
        c.drawString(x, y, marker)
        tx = x + indent_em * size
        lines = wrap(text, MINCHO, size, x + width - tx)
        for k, ln in enumerate(lines):
            if k + 1 < len(lines) or full_last:
                justified(c, tx, y, ln, MINCHO, size, x + width - tx)
            else:
                c.setFont(MINCHO, size)
                c.drawString(tx, y, ln)
            y -= lead

    item("•", paras[3], 1.4)                    # bullet and a space: text 1.4 em in
    item("•", paras[5][:52], 1.4, full_last=True)  # ends flush right, then a new item
    item("（1）", paras[7], 3)                    # numbered: text right after the marker
    item("①", paras[9], 1)
    y -= 2 * lead
    for title, page in (("第１章　計画の基本的事項", 1), ("１．計画策定の趣旨", 2),
                        ("２．計画の位置づけ", 3)):
        c.setFont(MINCHO, size)
        c.drawString(x, y, title)
        c.drawRightString(x + width, y, str(page))
        dots = x + pdfmetrics.stringWidth(title, MINCHO, size) + 6
        while dots < x + width - 16:
            c.drawString(dots, y, ".")
            dots += 6
        y -= lead
    y -= 2 * lead
    for text in (paras[11], paras[12]):
        lines = wrap("\u3000" + text, MINCHO, size, width)
        for ln in lines[:-1]:  # full lines only: the paragraph ends flush right
            justified(c, x, y, ln, MINCHO, size, width)  # every line full, the last too
            y -= lead
    c.showPage()
    c.save()


def make_spacing(path):
    """One gap case per line, lines far apart (each its own block): letter spacing by Tc,
    two words with one space, Latin words, and two table cells."""
    c = new_canvas(path)
    y = H - 80
    spaced_heading(c, 60, y, "人件費", 12, 1.0)
    spaced_heading(c, 60, y - 40, "事業費", 12, 3.0)
    spaced_heading(c, 60, y - 80, "氏名", 12, 2.0)
    c.setFont(MINCHO, 12)
    c.drawString(60, y - 120, "会議")
    c.drawString(60 + 12 * 3, y - 120, "年間実施")
    c.drawString(60, y - 160, "Total cost of care")
    c.drawString(60, y - 200, "合計")
    c.drawString(60 + 12 * 8, y - 200, "１２３千円")
    c.showPage()
    c.save()


def draw_scan(c):
    """An image only, as a scanner makes: grey noise, no text operators at all."""
    from PIL import Image
    img = Image.new("L", (60, 80), 200)
    for i in range(0, 60 * 80, 7):
        img.putpixel((i % 60, i // 60), 40)
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(img), 40, 40, W - 80, H - 80)


def make_scanned(path, text_pages=()):
    """Three pages; the pages listed in text_pages have text, the others are scans."""
    c = new_canvas(path)
    for p in range(1, 4):
        if p in text_pages:
            c.setFont(MINCHO, 12)
            c.setFont(MINCHO, 12)
            c.drawString(60, H - 200, ["", "相談支援部会の報告", "", "地域移行部会の報告"][p])
        else:
            draw_scan(c)
        c.showPage()
    c.save()


def make_report(path, first, last):
    """Corpus lines first..last (1-based) as the PDF they were extracted from: the lines of a
    block (up to a line that ends in a space, as pdftotext marks a block's end) set one under
    the other, each wrapped line justified to the block's width as a typesetter does, a gap
    after the block; a running header and page numbers."""
    with open(CORPUS, encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n")[first - 1:last] if ln.strip()]
    blocks, cur = [], []
    for ln in lines:
        cur.append(ln.strip())
        if ln.endswith(" "):
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    c = new_canvas(path)
    size, lead, top, bottom = 10.5, 15, H - 70, 60
    page, y = 1, top
    furniture(c, page, 0, "dash")
    for block in blocks:
        if y - lead * len(block) < bottom:
            c.showPage()
            page, y = page + 1, top
            furniture(c, page, 0, "dash")
        width = max(pdfmetrics.stringWidth(t, MINCHO, size) for t in block)
        for k, text in enumerate(block):
            t = c.beginText(50, y)
            t.setFont(MINCHO, size)
            if k + 1 < len(block) and len(text) > 1:
                gap = width - pdfmetrics.stringWidth(text, MINCHO, size)
                t.setCharSpace(max(0.0, gap / (len(text) - 1)))
            t.textOut(text)
            c.drawText(t)
            y -= lead
        y -= lead
    c.showPage()
    c.save()


def make_encrypted(path):
    c = new_canvas(path, encrypt="secret")
    c.setFont(MINCHO, 12)
    c.drawString(60, H - 80, "暗号化された報告書")
    c.showPage()
    c.save()


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--report":
        make_report(sys.argv[4], int(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--pages":
        make_columns(sys.argv[3], int(sys.argv[2]))
        return
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    make_columns(os.path.join(out, "columns.pdf"), 3)
    make_table(os.path.join(out, "table.pdf"))
    make_wrap(os.path.join(out, "wrap.pdf"))
    make_spacing(os.path.join(out, "spacing.pdf"))
    make_lists(os.path.join(out, "lists.pdf"))
    make_scanned(os.path.join(out, "scanned.pdf"))
    make_scanned(os.path.join(out, "mixed.pdf"), text_pages=(1, 3))
    make_encrypted(os.path.join(out, "encrypted.pdf"))


if __name__ == "__main__":
    main()
