"""Turning an accepted upload into the file we store.

Every image is decoded and encoded again from its pixels alone, so nothing but
the picture leaves the site: no EXIF (GPS position, camera serial), no XMP,
no PNG text chunks, no GIF comments or application extensions, and nothing
hidden after the image data. The camera's orientation is applied to the pixels
first, so nothing depends on an EXIF tag any more. An embedded colour profile
is applied too: the pixels are converted to sRGB, the colour space browsers
assume, and the profile itself (which can carry any text) is not kept.

:func:`encode` is the one way an image is written: uploads, held uploads and
renditions all go through it.
"""

import io
import logging
from pathlib import PurePath

from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from PIL import Image, ImageCms, ImageOps, ImageSequence

from .validators import ALLOWED_FORMATS, validate_image_file

logger = logging.getLogger(__name__)

_SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90},
    "GIF": {},
}
# Save options the caller may pass; everything else an image carries is dropped.
_ALLOWED_OPTIONS = {"quality", "optimize", "progressive", "save_all", "append_images"}
_ALLOWED_OPTIONS |= {"duration", "loop", "transparency"}
_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image):
    """``image`` with its embedded colour profile applied, or as it is without one."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A profile that does not fit the pixels: show them as they are.
        return image


def pixels_only(image):
    """A new image holding ``image``'s pixels (in sRGB) and nothing else.

    Returns ``(clean_image, transparency)``: a palette or greyscale image's
    transparent colour is part of the picture, not metadata, and is handed back
    so that :func:`encode` can write it again.
    """
    transparency = image.info.get("transparency")
    converted = _to_srgb(image)
    clean = converted.copy()
    clean.info = {}
    if isinstance(transparency, bytes) or clean.mode not in ("P", "L", "RGB"):
        # A palette alpha table (or a mode that carries its own alpha): as RGBA.
        if isinstance(transparency, bytes):
            clean = image.convert("RGBA")
            clean.info = {}
        transparency = None
    return clean, transparency


def encode(image, image_format, **options):
    """The bytes of ``image`` (one frame) written as ``image_format`` with no metadata."""
    clean, transparency = pixels_only(image)
    if image_format == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
        transparency = None
    if transparency is not None:
        options["transparency"] = transparency
    return _save(clean, image_format, options)


def _save(clean, image_format, options):
    unknown = set(options) - _ALLOWED_OPTIONS
    if unknown:
        raise TypeError(f"not an allowed save option: {', '.join(sorted(unknown))}")
    output = io.BytesIO()
    clean.save(output, format=image_format, **options)
    return output.getvalue()


def _encode_animation(image, image_format):
    """Every frame of an animated GIF, WebP or PNG, re-encoded from its pixels."""
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration") or 100))
        has_alpha = "transparency" in frame.info or frame.mode in ("RGBA", "LA", "PA")
        rgb = _to_srgb(frame).convert("RGBA" if has_alpha else "RGB")
        rgb.info = {}
        frames.append(rgb)
    options = {
        **_SAVE_OPTIONS[image_format],
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations,
        "loop": int(image.info.get("loop", 0) or 0),
    }
    return _save(frames[0], image_format, options)


def strip_and_orient(file, image_format):
    """Return the bytes of ``file`` re-encoded upright and without metadata."""
    file.seek(0)
    with Image.open(file) as image:
        if getattr(image, "n_frames", 1) > 1:
            # GIF, WebP and PNG animations carry no orientation.
            data = _encode_animation(image, image_format)
        else:
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # unreadable EXIF: keep the pixels as they are
                upright = image
            data = encode(upright, image_format, **_SAVE_OPTIONS[image_format])
    file.seek(0)
    return data


def sanitised_upload(file, *, name=None):
    """Validate ``file`` and return a new upload holding the cleaned image.

    The new upload is named ``name`` (without extension) or after the original
    file, with the extension of its real format.
    """
    image_format = validate_image_file(file)
    data = strip_and_orient(file, image_format)
    stem = name or PurePath(file.name or "image").stem or "image"
    return SimpleUploadedFile(
        f"{stem}.{ALLOWED_FORMATS[image_format]}", data, content_type=Image.MIME[image_format]
    )


class SafeImageField(forms.ImageField):
    """An image form field that only lets through clean, verified images.

    Used for every ``ImageField`` in the admin; see ``catalog.validators`` for
    what is refused, and ``strip_and_orient`` for what is done to the rest.
    """

    def to_python(self, data):
        if data in self.empty_values:
            return None
        cleaned = sanitised_upload(data)
        return super().to_python(cleaned)


# --- Image rights ------------------------------------------------------------------
#
# An image licensed for a period carries its end beside it: the image field
# ``<name>`` has a ``<name>_rights_until`` moment on the same model (a lead
# image's ``lead_image_rights_until``, a product image's ``image_rights_until``).
# From that moment public pages show a neutral placeholder instead, with nothing
# to run; moving the moment later brings the image back.

RIGHTS_SUFFIX = "_rights_until"


def rights_until(field_file):
    """When the licence of the image in ``field_file`` ends, or None (no end)."""
    instance = getattr(field_file, "instance", None)
    field = getattr(field_file, "field", None)
    if instance is None or field is None:
        return None
    return getattr(instance, field.name + RIGHTS_SUFFIX, None)


def rights_ended(field_file, now=None):
    """True when the image may no longer be shown to readers."""
    until = rights_until(field_file)
    return until is not None and until <= (now or timezone.now())


def image_rights_sources():
    """``(model, rights field name)`` of every image with a rights end, found by the naming rule."""
    sources = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ImageField)
                and field.name + RIGHTS_SUFFIX in names
            ):
                sources.append((model, field.name + RIGHTS_SUFFIX))
    return sources


def names_with_ended_rights(*, name=None, prefix=None, now=None):
    """The stored names of images whose rights have ended, among ``name`` or ``prefix*``.

    One UNION query over :func:`image_rights_sources`, narrowed first by the
    (indexed) rights moment: only images whose rights have ended are looked at.
    Nothing is cached, so a date moved later takes effect at the next request.
    """
    if (name is None) == (prefix is None):
        raise TypeError("give either name or prefix")
    now = now or timezone.now()
    queries = []
    for model, rights_field in image_rights_sources():
        field = rights_field.removesuffix(RIGHTS_SUFFIX)
        lookup = {field: name} if name is not None else {f"{field}__startswith": prefix}
        queries.append(
            model._default_manager.filter(**lookup, **{f"{rights_field}__lte": now})
            .order_by()
            .values_list(field, flat=True)
        )
    if not queries:
        return set()
    first, *rest = queries
    return set(first.union(*rest, all=True) if rest else first)
