"""Checks every uploaded image passes before anything is stored.

An upload is accepted only when Pillow recognises it as a JPEG, PNG, WebP or
GIF, can decode all of it, and it stays under the byte, pixel and frame limits
of the settings (``MAX_UPLOAD_BYTES``, ``MAX_IMAGE_PIXELS``, ``MAX_IMAGE_FRAMES``:
every frame of an animation is decoded and encoded again when it is stored, so
a long one would tie up a worker). The pixel limit is checked
from the header, before a single pixel is decoded, so a small file that would
expand to gigabytes (a decompression bomb) costs nothing to refuse.
"""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

# Pillow's format name -> the file extension we store it under.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ALLOWED_LABEL = "JPEG, PNG, WebP or GIF"

_MARKUP_PREFIXES = (b"<svg", b"<?xml", b"<!doctype", b"<html", b"<!--")


def _sniff_markup(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(_MARKUP_PREFIXES) or b"<svg" in text


def validate_image_file(file):
    """Raise ``ValidationError`` unless ``file`` is an acceptable image upload.

    Returns Pillow's format name ("JPEG", "PNG", ...) of an accepted file.
    """
    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            "This file is %(size)s; uploads are limited to %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    if size == 0:
        raise ValidationError("This file is empty.", code="empty")

    file.seek(0)
    head = file.read(512)
    file.seek(0)
    if _sniff_markup(head):
        raise ValidationError(
            "SVG and other markup files are not accepted (they can carry scripts). "
            "Upload a %(allowed)s image.",
            code="markup",
            params={"allowed": ALLOWED_LABEL},
        )

    max_pixels = settings.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # We enforce our own, lower pixel limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, None, max_pixels) from None
    except Exception:  # Pillow raises many types for things that are not images.
        raise ValidationError(
            "This file is not an image. Upload a %(allowed)s image.",
            code="not_an_image",
            params={"allowed": ALLOWED_LABEL},
        ) from None
    finally:
        file.seek(0)

    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a %(allowed)s image.",
            code="format",
            params={"format": image_format, "allowed": ALLOWED_LABEL},
        )
    max_frames = getattr(settings, "MAX_IMAGE_FRAMES", 100)
    if frames > max_frames:
        raise ValidationError(
            "This animation has %(frames)s frames; the limit is %(limit)s. "
            "Shorten it (or upload a still image) and try again.",
            code="too_many_frames",
            params={"frames": frames, "limit": max_frames},
        )
    if width * height * max(frames, 1) > max_pixels:
        raise _too_many_pixels(width, height, max_pixels)

    try:
        with Image.open(file) as image:
            image.verify()  # structure and checksums
        file.seek(0)
        with Image.open(file) as image:
            image.load()  # every pixel: catches truncated files verify() lets through
    except Exception:
        raise ValidationError(
            "This image is damaged or incomplete (was the upload cut short?). "
            "Export it again and upload the new file.",
            code="broken_image",
        ) from None
    finally:
        file.seek(0)
    return image_format


def _too_many_pixels(width, height, limit):
    if width is None:
        return ValidationError(
            "This image has far too many pixels; the limit is %(limit)s megapixels.",
            code="too_many_pixels",
            params={"limit": f"{limit / 1e6:g}"},
        )
    return ValidationError(
        "This image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. "
        "Resize it before uploading.",
        code="too_many_pixels",
        params={"width": width, "height": height, "limit": f"{limit / 1e6:g}"},
    )
