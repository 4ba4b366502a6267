"""PDFs with Typst: the shipped fonts only, Devanagari that extracts in logical order, user data
printed as text (never as Typst markup), page numbers, and safe use from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from emitra.core import pdf
from emitra.core.tests.pdftext import pdf_text, squeezed

HINDI = ["शर्मा", "कृष्ण", "प्रमाण-पत्र", "श्री", "जाति प्रमाण-पत्र", "मूल निवास", "ई-मित्र"]
AMOUNT = "₹1,23,45,678.50"


def document(**extra):
    data = {
        "title": {"hi": "प्रमाण-पत्र", "en": "Certificate"},
        "facts": [
            {"label": {"hi": "नाम", "en": "Name"}, "value": "श्री कृष्ण शर्मा"},
            {"label": {"hi": "राशि", "en": "Amount"}, "value": AMOUNT},
        ],
        "paragraphs": HINDI,
        "footer": "ई-मित्र · e-Mitra",
        "page_of": "Page {page} of {pages}",
    }
    return pdf.render_pdf("core/document.typ", {**data, **extra}, strict=True)


def test_typst_sees_only_the_fonts_shipped_with_the_project():
    assert pdf.font_families() == ["Noto Sans", "Noto Sans Devanagari"]
    shipped = sorted(path.name for path in pdf.FONT_DIR.iterdir())
    assert shipped == [
        "NotoSans-Bold.ttf",
        "NotoSans-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
        "NotoSansDevanagari-Regular.ttf",
        "OFL.txt",
    ]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (pdf.FONT_DIR / "OFL.txt").read_text()


def test_a_rendered_document_is_a_pdf_with_the_noto_fonts_embedded():
    rendered = document()

    assert rendered.startswith(b"%PDF-")
    assert b"NotoSansDevanagari" in rendered
    assert b"NotoSans-" in rendered


def test_hindi_words_and_rupee_amounts_extract_in_logical_order():
    text = squeezed(pdf_text(document()))

    for word in [*HINDI, "श्रीकृष्णशर्मा", "नाम", "राशि", "Certificate"]:
        assert squeezed(word) in text, word
    assert AMOUNT in text


@pytest.mark.parametrize(
    "hostile",
    [
        '#panic("boom")',
        "$x^2$ *bold* _under_ `raw`",
        "[link] \\ @ref <label> = heading",
        '#read("/core/fonts/OFL.txt")',
        "#{sys.inputs}",
    ],
)
def test_user_data_with_typst_markup_is_printed_literally(hostile):
    rendered = document(
        facts=[{"label": {"hi": "नाम", "en": "Name"}, "value": f"शर्मा {hostile}"}],
        paragraphs=[hostile],
    )
    text = pdf_text(rendered)

    assert text.count(hostile) == 2
    assert "SIL" not in text  # #read was not run


def test_every_page_says_page_x_of_y():
    text = pdf_text(document(paragraphs=[f"अनुच्छेद {n}" for n in range(200)]))

    pages = text.count("Page ")
    assert pages >= 3
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


@pytest.mark.parametrize("name", ["core/../core/pdf/document.typ", "/etc/passwd", "document.typ"])
def test_template_names_must_be_app_and_file(name):
    with pytest.raises(pdf.PdfError, match="not a PDF template name"):
        pdf.render_pdf(name, {})


def test_a_missing_template_is_an_error():
    with pytest.raises(pdf.PdfError, match="no PDF template"):
        pdf.render_pdf("core/no_such_template.typ", {})


def test_a_template_error_names_the_template():
    with pytest.raises(pdf.PdfError, match=r"core/document\.typ"):
        pdf.render_pdf("core/document.typ", {"title": "not a dictionary"})


def test_data_must_be_json_so_money_is_formatted_before_it_reaches_a_template():
    with pytest.raises(TypeError, match="format_inr"):
        pdf.render_pdf("core/document.typ", {"title": {"hi": "", "en": ""}, "x": Decimal("1")})


def test_renders_from_many_threads_each_print_their_own_data():
    def render(n: int) -> tuple[int, str]:
        return n, pdf_text(document(paragraphs=[f"क्रमांक-{n}-समाप्त"]))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, range(24)))

    for n, text in results:
        assert f"क्रमांक-{n}-समाप्त" in squeezed(text)
        others = [m for m in range(24) if m != n and f"क्रमांक-{m}-समाप्त" in squeezed(text)]
        assert others == []
