"""Images for lessons: checked by content and size, stored under a hash name with alt text
in both languages."""

from __future__ import annotations

import hashlib
import io
import re

from course.core.content import LANGUAGES
from course.core.files import atomic_write
from course.core.refusals import Refusal
from course.modules.authoring import units as u
from course.modules.authoring.services.common import IMAGE
from course.modules.authoring.services.saving import Author, Conflict, Edit, save

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_SIDE = 4096


class ImageRefused(Refusal):
    """`reason`: type (not an image we accept), size (too large), alt (alt text missing)."""


def check_image(data: bytes, max_bytes: int) -> str:
    """The file name an accepted image is stored under (its content decides the type)."""
    from PIL import Image

    if len(data) > max_bytes:
        raise ImageRefused("size")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            if kind is None or max(image.size) > MAX_IMAGE_SIDE:
                raise ImageRefused("type")
            image.verify()
    except ImageRefused:
        raise
    except Exception as e:  # Pillow raises many kinds for a file that is not an image
        raise ImageRefused("type") from e
    # Named by content, never by the uploaded name: no path comes from the user.
    return f"{hashlib.sha256(data).hexdigest()[:20]}.{kind}"


def _alt(text: str) -> str:
    text = " ".join((text or "").split())
    return re.sub(r"[\[\]]", "", text)


def add_image(
    d: u.Draft,
    author: Author,
    module_id: str,
    lesson_id: str,
    data: bytes,
    alt: dict[str, str],
    bases: dict[str, str],
    max_bytes: int,
) -> str:
    """Store an image under media/ and show it at the end of the lesson in both languages."""
    alt = {lang: _alt(alt.get(lang, "")) for lang in LANGUAGES}
    if not all(alt.values()):
        raise ImageRefused("alt")
    name = check_image(data, max_bytes)
    page = f"lesson:{module_id}/{lesson_id}"
    key = f"{page}:body"
    unit = d.units[key]
    edits = [
        Edit(key, lang, f"{unit.text[lang]}\n\n![{alt[lang]}](../../media/{name})", bases[lang])
        for lang in LANGUAGES
    ]
    target = d.root / "media" / name
    existed = target.exists()
    if not existed:
        atomic_write(target, data)
    try:
        save(d, author, edits, source=IMAGE)
    except Conflict:
        if not existed:
            target.unlink()
        raise
    return name
