"""Uploaded images made safe to serve: the type is decided by decoding the content (never by the
name or the declared type), the size is capped before and after decoding (a small file that
unpacks into a huge bitmap is refused), and the picture is re-encoded from its pixels, so that
nothing of the upload but the pixels survives: no EXIF (camera, GPS position), no ICC or XMP
chunk, no trailing payload (a "PNG" that is really an executable, or a polyglot, is refused
or comes out as a clean image).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from asar.errors import invalid
from asar.i18n import gettext as _

UPLOAD_MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 7000x5700 photo; more is a decompression bomb or nothing a cover needs
COVER_SIZE = (1600, 900)  # covers are scaled down to fit in this box
COVER_MAX_BYTES = 600 * 1024
ACCEPTED = {"PNG", "JPEG", "WEBP", "GIF"}


def clean_cover(raw: bytes, field: str = "cover") -> tuple[bytes, str]:
    """(re-encoded bytes, content type) for a cover image, or Invalid with a translated message."""
    if not raw:
        raise invalid({field: _("Choose an image file.")})
    if len(raw) > UPLOAD_MAX_BYTES:
        raise invalid({field: _("The image is too large: at most %(max)s MB.", max=UPLOAD_MAX_BYTES // 1024 // 1024)})
    not_image = invalid({field: _("This file is not an image in PNG, JPEG, WebP or GIF format.")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in ACCEPTED:
                    raise not_image
                width, height = probe.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise invalid({field: _("The image has too many pixels: at most %(max)s million.",
                                            max=MAX_PIXELS // 1_000_000)})
                probe.verify()  # checks the structure (CRCs, truncation) without decoding all of it
            with Image.open(io.BytesIO(raw)) as img:
                img.seek(0)  # the first frame of an animation
                img = ImageOps.exif_transpose(img)  # keep the orientation the camera meant, then drop EXIF
                img.load()
                picture = img.convert("RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError):
        raise not_image from None
    picture.thumbnail(COVER_SIZE)
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=82, method=4)  # no exif=, icc_profile=: nothing carried over
    data = out.getvalue()
    if len(data) > COVER_MAX_BYTES:
        out = io.BytesIO()
        picture.save(out, format="WEBP", quality=60, method=4)
        data = out.getvalue()
    return data, "image/webp"
