"""Responsive renditions of uploaded images.

For an image of the default storage, smaller copies are made with Pillow at a
few fixed widths and written once through ``default_storage`` (a local folder
or object storage alike). A rendition's name derives from the source's name,
its dimensions and the target width, so a replaced source gets new renditions
and stale copies are never served.

What exists is remembered in the cache (shared by every worker when Redis is
configured), so a page view costs one cache read per image: no storage call,
no decoding. Only the first view of an image after a cache flush touches the
storage, and only the first view ever generates the files.

When the storage fails (unreachable, timing out, refusing), the page still
renders: the image shows from its original URL without a ``srcset``, nothing
is remembered as made, and storage calls pause for a short back-off shared by
every worker (see :mod:`catalog.storage`) before the next view tries again. A
file that is missing, or not an image, is remembered for a few minutes.
"""

import contextlib
import hashlib
import io
import logging
import posixpath
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from .images import encode, names_with_ended_rights, rights_ended
from .storage import (
    STORAGE_ERRORS,
    is_missing_file,
    mark_page_degraded,
    note_storage_failure,
    storage_unavailable,
)

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 960, 1280)
RENDITION_FOLDER = "renditions"
CACHE_PREFIX = "rendition:v1:"
CACHE_TIMEOUT = 60 * 60 * 24 * 30
FAILURE_CACHE_TIMEOUT = 60 * 5
# Refuse to decode absurdly large images (decompression bombs) in a request.
MAX_SOURCE_PIXELS = 40_000_000

_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "PNG"}


@dataclass(frozen=True)
class Source:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageSet:
    """What an ``<img>`` needs: the fallback source, its size and the srcset candidates."""

    src: str
    width: int | None
    height: int | None
    candidates: tuple = ()

    @property
    def srcset(self):
        return ", ".join(f"{c.url} {c.width}w" for c in self.candidates)


def rendition_name(name, width, source_width, source_height):
    """Where the rendition of ``name`` at ``width`` pixels lives in the storage."""
    stem, ext = posixpath.splitext(name)
    ext = ext.lower() if ext.lower() in _FORMATS and ext.lower() != ".gif" else ".png"
    return f"{RENDITION_FOLDER}/{stem}-{source_width}x{source_height}-w{width}{ext}"


_RENDITION_NAME = re.compile(
    rf"^{RENDITION_FOLDER}/(?P<stem>.+)-(?P<source_width>\d+)x(?P<source_height>\d+)"
    r"-w(?P<width>\d+)\.[A-Za-z0-9]+$"
)


def withheld(name, *, now=None):
    """True when the stored file ``name`` is an image whose rights have ended, or a rendition of one.

    What the media view asks before serving a file from local storage (one
    query; nothing cached, so a date moved later takes effect at once). A
    rendition's name is read back to its source's stem (see
    :func:`rendition_name`); the sources with that stem and ended rights are
    named again, and one that gives exactly ``name`` withholds it. A file that
    several rows name is withheld once one of them has its rights ended.
    """
    match = _RENDITION_NAME.match(name)
    if match is None:
        return bool(names_with_ended_rights(name=name, now=now))
    width, source_width, source_height = (
        int(match[group]) for group in ("width", "source_width", "source_height")
    )
    return any(
        rendition_name(source, width, source_width, source_height) == name
        for source in names_with_ended_rights(prefix=match["stem"], now=now)
    )


def _cache_key(name, width, height):
    digest = hashlib.sha256(f"{name}|{width}|{height}".encode()).hexdigest()[:32]
    return CACHE_PREFIX + digest


def image_set(field_file, width=None, height=None, *, storage=None):
    """The responsive :class:`ImageSet` of an image field's file.

    ``width`` and ``height`` are the source's stored dimensions when the model
    keeps them (``width_field``); without them the source is opened once to
    learn them. Returns None for an empty field, or when the storage cannot
    even name the file's URL.
    """
    if not field_file or not getattr(field_file, "name", None):
        return None
    if rights_ended(field_file):  # licensed for a period that has ended: no renditions
        return None
    storage = storage or default_storage
    name = field_file.name
    key = _cache_key(name, width, height)
    known = cache.get(key)
    if known is None:
        known = _fallback(name, width, height)
        if storage_unavailable():
            mark_page_degraded()
        else:
            try:
                known, timeout = _build(name, width, height, storage)
            except STORAGE_ERRORS as error:
                # Not remembered: the next view after the back-off tries again.
                note_storage_failure(error, f"making renditions of {name}")
                mark_page_degraded()
                known = _fallback(name, width, height)
            else:
                cache.set(key, known, timeout)
    try:
        return ImageSet(
            src=storage.url(known["src"]),
            width=known["width"],
            height=known["height"],
            candidates=tuple(Source(storage.url(n), w, h) for n, w, h in known["candidates"]),
        )
    except STORAGE_ERRORS as error:
        note_storage_failure(error, f"naming the URL of {name}")
        mark_page_degraded()
        return None


def _fallback(name, width, height):
    return {"src": name, "width": width, "height": height, "candidates": []}


_IMAGE_ERRORS = (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError)


def _build(name, width, height, storage):
    """Make the missing renditions of ``name``; return what exists and how long to trust it.

    Storage errors propagate (the caller backs off and remembers nothing); a
    missing file or one that is not an image gives the fallback, remembered
    for ``FAILURE_CACHE_TIMEOUT``.
    """
    fallback = _fallback(name, width, height)
    try:
        with storage.open(name, "rb") as handle:
            data = handle.read()
    except STORAGE_ERRORS as error:
        if not is_missing_file(error):
            raise
        logger.warning("Could not make renditions of %s: the file is missing", name)
        return fallback, FAILURE_CACHE_TIMEOUT
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise ValueError(f"{probe.width}x{probe.height} is too large to resize")
            # The size as shown: a photo turned by its EXIF orientation swaps sides.
            source_width, source_height = ImageOps.exif_transpose(probe).size
    except _IMAGE_ERRORS:
        logger.warning("Could not make renditions of %s", name, exc_info=True)
        return fallback, FAILURE_CACHE_TIMEOUT
    candidates = []
    for target in WIDTHS:
        if target >= source_width:
            break
        target_height = round(source_height * target / source_width)
        target_name = rendition_name(name, target, source_width, source_height)
        if not storage.exists(target_name):
            try:
                _write(data, target, target_height, target_name, storage)
            except _NotResizable:
                logger.warning("Could not make renditions of %s", name, exc_info=True)
                return fallback, FAILURE_CACHE_TIMEOUT
        candidates.append((target_name, target, target_height))
    candidates.append((name, source_width, source_height))
    return (
        {"src": name, "width": source_width, "height": source_height, "candidates": candidates},
        CACHE_TIMEOUT,
    )


class _NotResizable(Exception):
    """Pillow could not make a rendition of the source (not a storage problem)."""


def _write(data, width, height, target_name, storage):
    """Make one rendition and store it; storage errors propagate as they are."""
    try:
        rendition = _render(data, width, height, target_name)
    except _IMAGE_ERRORS as error:
        raise _NotResizable(str(error)) from error
    _store(rendition, target_name, storage)


def _render(data, width, height, target_name):
    """The bytes of one rendition, written without metadata (see ``catalog.images``)."""
    fmt = _FORMATS.get(posixpath.splitext(target_name)[1], "PNG")
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        if image.mode in ("P", "PA", "LA", "1"):
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        # Only the colour profile goes on, to be applied to the pixels by encode().
        resized.info = {"icc_profile": icc} if icc else {}
        options = {"quality": 82, "optimize": True} if fmt in ("JPEG", "WEBP") else {}
        if fmt == "JPEG":
            options["progressive"] = True
        return encode(resized, fmt, **options)


def _store(rendition, target_name, storage):
    try:
        storage.save(target_name, ContentFile(rendition))
    except STORAGE_ERRORS:
        # Leave no half-written file that a later view would take for a rendition.
        with contextlib.suppress(*STORAGE_ERRORS):
            storage.delete(target_name)
        raise
