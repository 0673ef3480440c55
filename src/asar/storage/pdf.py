"""Uploaded PDF documents made safe to keep: the type is decided by parsing the content (never by
the name or the declared type). A file must start with the PDF header, parse as a PDF document
(pypdf reads its cross-reference table and page tree) and have at least one page; a PNG or an
executable renamed .pdf, a truncated file or a password-protected one is refused with a
translated message. The size is capped before parsing. The bytes are kept as uploaded (a PDF is
not re-encoded as a cover image is): they are served only as a download (`content-disposition:
attachment`, `nosniff`), by the domain's own guarded route (a private purpose, see asar.storage).
"""

from __future__ import annotations

import io
import logging

from asar.errors import invalid
from asar.i18n import gettext as _

PDF_MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 2000
PDF_TYPE = "application/pdf"


def clean_pdf(raw: bytes, field: str = "file", max_bytes: int = PDF_MAX_BYTES) -> bytes:
    """The bytes of a real PDF document, or Invalid with a translated message for `field`."""
    from pypdf import PdfReader  # imported when a PDF is checked: most processes never do
    from pypdf.errors import PyPdfError

    if not raw:
        raise invalid({field: _("Choose a PDF file.")})
    if len(raw) > max_bytes:
        raise invalid({field: _("The file is too large: at most %(max)s MB.", max=max_bytes // 1024 // 1024)})
    not_pdf = invalid({field: _("This file is not a PDF document.")})
    # The header must come first (the standard allows it within the first 1024 bytes; nothing
    # else may come before it, so an executable or an image with a PDF appended is refused).
    if not raw.startswith(b"%PDF-"):
        raise not_pdf
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # a damaged upload is the user's error, not the log's
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise invalid({field: _("This PDF is protected by a password: upload it without one.")})
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError, ZeroDivisionError):
        raise not_pdf from None
    finally:
        pypdf_log.setLevel(level)
    if pages < 1:
        raise not_pdf
    if pages > MAX_PAGES:
        raise invalid({field: _("The document has too many pages: at most %(max)s.", max=MAX_PAGES)})
    return raw
