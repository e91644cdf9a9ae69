"""Stored images carry pixels only: no EXIF, XMP, text chunks, comments or colour profile,
in every accepted format, still or animated, and in renditions; long animations are refused."""

import io
import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from catalog import renditions
from catalog.images import sanitised_upload
from catalog.models import ProductImage
from catalog.validators import validate_image_file
from tests.factories import make_product

pytestmark = pytest.mark.django_db

SECRETS = (b"SECRET-CAMERA", b"SECRET-XMP", b"SECRET-TEXT", b"SECRET-COMMENT", b"SECRET-ZIP")
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SECRET-XMP</rdf:RDF></x:xmpmeta>'
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Comment", "zip"}


def _exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SECRET-CAMERA"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    return exif


def _frames(count, size=(24, 16), mode="RGB"):
    return [
        Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode))) for _ in range(count)
    ]


def with_metadata(fmt, frames=1):
    """An image of ``fmt`` carrying every kind of metadata the format can hold."""
    images = _frames(frames)
    options = {}
    if fmt == "JPEG":
        options = {"exif": _exif(), "xmp": XMP, "comment": b"SECRET-COMMENT"}
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "SECRET-TEXT")
        info.add_text("Software", "SECRET-ZIP", zip=True)
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options = {"pnginfo": info, "exif": _exif()}
    elif fmt == "WEBP":
        options = {"exif": _exif(), "xmp": XMP}
    elif fmt == "GIF":
        options = {"comment": b"SECRET-COMMENT"}
    if fmt != "GIF":
        options["icc_profile"] = SRGB_ICC
    if frames > 1:
        options.update(save_all=True, append_images=images[1:], duration=80, loop=0)
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, **options)
    return buffer.getvalue()


CASES = [("JPEG", 1), ("PNG", 1), ("PNG", 3), ("WEBP", 1), ("WEBP", 3), ("GIF", 1), ("GIF", 3)]


@pytest.mark.parametrize(("fmt", "frames"), CASES)
def test_every_format_is_stored_without_metadata(fmt, frames):
    original = with_metadata(fmt, frames)
    assert any(secret in original for secret in SECRETS), "the sample carries metadata"

    cleaned = sanitised_upload(SimpleUploadedFile(f"x.{fmt.lower()}", original)).read()

    for secret in SECRETS:
        assert secret not in cleaned
    assert SRGB_ICC not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == fmt
        assert getattr(image, "n_frames", 1) == frames
        assert image.size == (24, 16)
        assert not METADATA_KEYS & set(image.info), image.info
        assert len(image.getexif()) == 0
        if frames > 1:
            image.seek(frames - 1)
            assert not METADATA_KEYS & set(image.info), image.info


def test_an_animated_gif_keeps_its_timing():
    cleaned = sanitised_upload(SimpleUploadedFile("loop.gif", with_metadata("GIF", 3)))
    with Image.open(cleaned) as image:
        assert image.info.get("loop") == 0
        assert image.info.get("duration") == 80


def test_a_colour_profile_is_applied_to_the_pixels_not_kept():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 60)).save(buffer, "PNG", icc_profile=SRGB_ICC)
    cleaned = sanitised_upload(SimpleUploadedFile("c.png", buffer.getvalue()))
    with Image.open(cleaned) as image:
        assert "icc_profile" not in image.info
        red, green, blue = image.convert("RGB").getpixel((0, 0))
        assert abs(red - 200) <= 2 and abs(green - 30) <= 2 and abs(blue - 60) <= 2


def test_palette_transparency_survives_cleaning():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    cleaned = sanitised_upload(SimpleUploadedFile("logo.png", buffer.getvalue()))
    with Image.open(cleaned) as result:
        rgba = result.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0
        assert rgba.getpixel((1, 1)) == (255, 0, 0, 255)


def _gif(frames):
    images = _frames(frames, size=(8, 8))
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=20)
    return buffer.getvalue()


def test_an_animation_longer_than_the_frame_limit_is_refused(settings):
    settings.MAX_IMAGE_FRAMES = 5
    assert validate_image_file(SimpleUploadedFile("ok.gif", _gif(5))) == "GIF"
    with pytest.raises(ValidationError) as error:
        validate_image_file(SimpleUploadedFile("long.gif", _gif(6)))
    assert error.value.code == "too_many_frames"
    assert "This animation has 6 frames; the limit is 5" in error.value.messages[0]


def test_a_999_frame_gif_is_refused_quickly():
    data = _gif(999)
    start = time.monotonic()
    with pytest.raises(ValidationError) as error:
        sanitised_upload(SimpleUploadedFile("long.gif", data))
    assert error.value.code == "too_many_frames"
    assert time.monotonic() - start < 2


def test_the_admin_refuses_a_long_animation_with_a_form_error(editor_client, settings):
    settings.MAX_IMAGE_FRAMES = 5
    response = editor_client.post(
        reverse("admin:catalog_productimage_add"),
        {
            "product": make_product().pk,
            "image": SimpleUploadedFile("long.gif", _gif(6), "image/gif"),
            "alt_text": "A bag",
            "caption": "",
            "credit": "",
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "This animation has 6 frames; the limit is 5" in response.content.decode()
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_renditions_carry_no_metadata_even_from_an_uncleaned_source(fmt):
    # A file that reached the storage some other way (an import, an old upload).
    buffer = io.BytesIO()
    Image.frombytes("RGB", (700, 350), os.urandom(700 * 350 * 3)).save(
        buffer, fmt, exif=_exif(), icc_profile=SRGB_ICC
    )
    name = default_storage.save(f"products/raw.{fmt.lower()}", ContentFile(buffer.getvalue()))
    image = ProductImage(product=make_product(), alt_text="x", image=name)

    images = renditions.image_set(image.image, 700, 350)

    made = [c for c in images.candidates if c.width < 700]
    assert [c.width for c in made] == [320, 640]
    for width in (320, 640):
        rendition = renditions.rendition_name(name, width, 700, 350)
        with default_storage.open(rendition) as handle:
            data = handle.read()
        assert b"SECRET-CAMERA" not in data and SRGB_ICC not in data
        with Image.open(io.BytesIO(data)) as result:
            assert not METADATA_KEYS & set(result.info)
            assert len(result.getexif()) == 0
