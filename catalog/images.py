"""Turning an accepted upload into the file we store.

Every image is decoded and encoded again: the camera's orientation is applied
to the pixels first (so nothing depends on an EXIF tag any more), then the file
is written without EXIF, XMP or text chunks, so no GPS position, camera serial
or editing history leaves the newsroom. Re-encoding also drops anything hidden
after the image data. The colour profile is kept, so colours stay right.
"""

import io
from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

from .validators import ALLOWED_FORMATS, validate_image_file

# Metadata worth keeping: none of it says anything about who took the picture, or where.
_KEEP_INFO = ("icc_profile", "transparency", "duration", "loop", "background")
_SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90},
    "GIF": {},
}


def strip_and_orient(file, image_format):
    """Return the bytes of ``file`` re-encoded upright and without metadata."""
    file.seek(0)
    with Image.open(file) as image:
        animated = getattr(image, "n_frames", 1) > 1
        keep = {key: image.info[key] for key in _KEEP_INFO if key in image.info}
        options = {**_SAVE_OPTIONS[image_format], **keep}
        output = io.BytesIO()
        if animated:
            # GIF and WebP animations carry no orientation; keep every frame.
            image.save(output, format=image_format, save_all=True, **options)
        else:
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # unreadable EXIF: keep the pixels as they are
                upright = image
            clean = upright.copy()
            clean.info = {}
            if image_format == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
                clean = clean.convert("RGB")
            clean.save(output, format=image_format, **options)
    file.seek(0)
    return output.getvalue()


def sanitised_upload(file):
    """Validate ``file`` and return a new upload holding the cleaned image."""
    image_format = validate_image_file(file)
    data = strip_and_orient(file, image_format)
    stem = PurePath(file.name or "image").stem or "image"
    name = f"{stem}.{ALLOWED_FORMATS[image_format]}"
    return SimpleUploadedFile(name, data, content_type=Image.MIME[image_format])


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
