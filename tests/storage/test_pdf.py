"""PDF documents are checked by their content (asar.storage.pdf): a real parse, not the name."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from PIL import Image

from asar.errors import Invalid
from asar.i18n import use_language
from asar.storage.pdf import clean_pdf


def real_pdf(pages: int = 1) -> bytes:
    doc = FPDF()
    doc.set_font("helvetica", size=12)
    for n in range(pages):
        doc.add_page()
        doc.cell(text=f"Charter, page {n + 1}")
    return bytes(doc.output())


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    return out.getvalue()


def test_a_real_pdf_is_kept_as_uploaded() -> None:
    data = real_pdf(2)
    assert clean_pdf(data) == data


@pytest.mark.parametrize("fake", [
    png(),                                             # an image renamed .pdf
    b"MZ\x90\x00\x03" + b"\x00" * 200,                # a Windows executable renamed .pdf
    b"\x7fELF\x02\x01\x01" + b"\x00" * 200,           # a Linux one
    b"MZ\x90\x00" + real_pdf(),                        # an executable with a PDF appended
    b"%PDF-1.7\n this is not a pdf at all \n%%EOF",   # the header and nothing of a document
    real_pdf()[:300],                                  # truncated
])
def test_what_is_not_a_pdf_is_refused_with_a_translated_reason(fake: bytes) -> None:
    with use_language("kk"), pytest.raises(Invalid) as exc:
        clean_pdf(fake, field="doc_charter")
    assert exc.value.errors == {"doc_charter": "Бұл файл PDF құжаты емес."}


def test_size_is_capped_before_parsing_and_empty_files_refused() -> None:
    with use_language("en"), pytest.raises(Invalid) as exc:
        clean_pdf(real_pdf(), max_bytes=100)
    assert "too large" in exc.value.errors["file"]
    with pytest.raises(Invalid):
        clean_pdf(b"")


def test_a_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with use_language("en"), pytest.raises(Invalid) as exc:
        clean_pdf(out.getvalue())
    assert "password" in exc.value.errors["file"]
