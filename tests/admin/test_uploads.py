"""Safe uploads: only real, complete, reasonably sized JPEG/PNG/WebP/GIF images get stored,
upright and without EXIF; every image field of the admin refuses the rest with a clear error."""

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from catalog.images import sanitised_upload
from catalog.models import Brand, ProductImage
from catalog.validators import validate_image_file
from newsroom.models import Article, Person
from tests.admin.postdata import article_data, brand_data, person_data
from tests.conftest import png_bytes
from tests.factories import make_brand, make_person, make_product

pytestmark = pytest.mark.django_db


# --- Files, good and bad ----------------------------------------------------------------


def noise_image(fmt, size=(120, 90)):
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, fmt)
    return buffer.getvalue()


def png_claiming(width, height):
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def jpeg_with_gps_rotated():
    """A 60×30 JPEG with a GPS position, taken with the camera turned (orientation 6)."""
    image = Image.new("RGB", (60, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Camera Maker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


BAD_FILES = {
    # name: (filename, bytes, what the editor is told)
    "text-renamed-png": ("photo.png", b"Just some notes, not a picture.\n" * 10, "not an image"),
    "svg-with-script": (
        "logo.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>",
        "SVG and other markup files are not accepted",
    ),
    "svg-renamed-png": (
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        "SVG and other markup files are not accepted",
    ),
    "html-gif-polyglot": (
        "anim.gif",
        b"GIF89a<html><script>alert(1)</script></html>",
        "not an image",
    ),
    "truncated-png": ("cut.png", noise_image("PNG")[:1500], "damaged or incomplete"),
    "truncated-jpeg": ("cut.jpg", noise_image("JPEG")[:2000], "damaged or incomplete"),
    "decompression-bomb": ("bomb.png", png_claiming(50_000, 50_000), "megapixels"),
    "bmp-format": ("old.bmp", noise_image("BMP", (8, 8)), "BMP images are not accepted"),
    "tiff-format": ("scan.tif", noise_image("TIFF", (8, 8)), "TIFF images are not accepted"),
}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- The validator on its own --------------------------------------------------------------


@pytest.mark.parametrize("kind", BAD_FILES)
def test_validator_refuses_bad_files(kind):
    name, content, message = BAD_FILES[kind]
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload(name, content))
    assert message in " ".join(error.value.messages)


def test_validator_refuses_files_over_the_byte_limit(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    content = noise_image("PNG")
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("big.png", content))
    assert "uploads are limited to 1.0\xa0KB" in error.value.messages[0]


def test_validator_refuses_too_many_pixels_under_pillows_own_limit(settings):
    settings.MAX_IMAGE_PIXELS = 100
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("wide.png", png_bytes((20, 10))))
    assert "This image is 20 × 10 pixels; the limit is 0.0001 megapixels" in error.value.messages[0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_real_images_of_each_format_pass(fmt):
    cleaned = sanitised_upload(upload(f"x.{fmt.lower()}", noise_image(fmt, (16, 12))))
    with Image.open(cleaned) as image:
        assert image.format == fmt
        assert image.size == (16, 12)


def test_exif_is_stripped_and_orientation_applied():
    cleaned = sanitised_upload(upload("holiday.jpeg", jpeg_with_gps_rotated()))
    assert cleaned.name == "holiday.jpg"
    data = cleaned.read()
    assert b"Camera Maker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (30, 60), "the orientation tag was applied to the pixels"
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)


def test_anything_after_the_image_data_is_dropped():
    payload = b"<script>alert('hidden')</script>"
    cleaned = sanitised_upload(upload("trailer.png", png_bytes() + payload))
    assert payload not in cleaned.read()


def test_a_file_named_for_another_format_is_stored_under_its_real_one():
    cleaned = sanitised_upload(upload("photo.png", noise_image("JPEG", (8, 8))))
    assert cleaned.name == "photo.jpg"
    assert cleaned.content_type == "image/jpeg"


def test_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    cleaned = sanitised_upload(upload("loop.gif", buffer.getvalue()))
    with Image.open(cleaned) as image:
        assert image.n_frames == 3


# --- Every image field in the admin --------------------------------------------------------


def _post_article(client, file, alt="A bag on a table"):
    return client.post(
        reverse("admin:newsroom_article_add"),
        {**article_data(lead_image_alt=alt), "lead_image": file},
    )


def _post_person(client, file, alt="Portrait of the designer"):
    person = make_person()
    url = reverse("admin:newsroom_person_change", args=[person.pk])
    return client.post(url, {**person_data(person, portrait_alt=alt), "portrait": file})


def _post_brand(client, file, alt="The house's logo"):
    brand = make_brand()
    url = reverse("admin:catalog_brand_change", args=[brand.pk])
    return client.post(url, {**brand_data(brand, logo_alt=alt), "logo": file})


def _post_product_image(client, file, alt="The bag from the side"):
    product = make_product()
    return client.post(
        reverse("admin:catalog_productimage_add"),
        {
            "product": product.pk,
            "image": file,
            "alt_text": alt,
            "caption": "",
            "credit": "",
            "position": 0,
        },
    )


def _stored_images():
    return {
        "article": [a.lead_image.name for a in Article.objects.exclude(lead_image="")],
        "person": [p.portrait.name for p in Person.objects.exclude(portrait="")],
        "brand": [b.logo.name for b in Brand.objects.exclude(logo="")],
        "product image": list(ProductImage.objects.values_list("image", flat=True)),
    }


POSTERS = {
    "article": _post_article,
    "person": _post_person,
    "brand": _post_brand,
    "product image": _post_product_image,
}


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("kind", BAD_FILES)
@pytest.mark.parametrize("field", POSTERS)
def test_admin_refuses_bad_uploads_and_stores_nothing(editor_client, settings, field, kind):
    name, content, message = BAD_FILES[kind]
    response = POSTERS[field](editor_client, upload(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _stored_images()[field] == []
    assert _media_files(settings) == []


@pytest.mark.parametrize("field", POSTERS)
def test_admin_refuses_oversized_uploads(editor_client, settings, field):
    settings.MAX_UPLOAD_BYTES = 2048
    response = POSTERS[field](editor_client, upload("big.png", noise_image("PNG")))
    assert "uploads are limited to 2.0\xa0KB" in response.content.decode()
    assert _stored_images()[field] == []


@pytest.mark.parametrize("field", POSTERS)
def test_admin_requires_alt_text_with_an_image(editor_client, settings, field):
    response = POSTERS[field](editor_client, upload("ok.png", png_bytes(), "image/png"), alt="  ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "for readers who cannot see it" in page or "This field is required" in page
    assert _stored_images()[field] == []
    assert _media_files(settings) == []


@pytest.mark.parametrize("field", POSTERS)
def test_admin_stores_a_clean_upright_copy(editor_client, field):
    response = POSTERS[field](editor_client, upload("trip.jpg", jpeg_with_gps_rotated()))
    assert response.status_code == 302, response.content.decode()[:3000]
    (name,) = _stored_images()[field]
    from django.core.files.storage import default_storage

    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.size == (30, 60)
        assert len(image.getexif()) == 0
