"""Uploads held while an editor answers a confirmation page: cleaned, private, short-lived."""

import io
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from catalog.models import ProductImage
from newsroom import uploads
from tests.admin.postdata import brand_data, product_data
from tests.conftest import png_bytes
from tests.factories import make_article, make_brand, make_product, tomorrow

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
GENERATED = re.compile(r"^[0-9a-f]{32}\.jpg$")


@pytest.fixture(autouse=True)
def held_root(settings, tmp_path):
    settings.HELD_UPLOADS_ROOT = tmp_path / "private" / "held-uploads"
    return settings.HELD_UPLOADS_ROOT


def polyglot_jpeg():
    """A JPEG with a GPS position whose comment segment is an HTML page."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 20, 40)).save(buffer, "JPEG", exif=exif, comment=HTML)
    return buffer.getvalue()


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _embargo_fields():
    local = timezone.localtime(tomorrow())
    return {
        "embargoed_until_0": local.strftime("%Y-%m-%d"),
        "embargoed_until_1": local.strftime("%H:%M:%S"),
        "_save": "1",
    }


@pytest.fixture
def linked_brand():
    """A brand a live story links to: embargoing it asks for confirmation."""
    brand = make_brand(name="Maison Polyglot")
    make_article(headline="A live story").brands.add(brand)
    return brand


def _brand_url(brand):
    return reverse("admin:catalog_brand_change", args=[brand.pk])


def test_a_held_upload_is_cleaned_private_and_named_by_us(
    editor_client, settings, held_root, linked_brand
):
    assert polyglot_jpeg().count(HTML) == 1 and b"Camera Maker" in polyglot_jpeg()
    data = {**brand_data(linked_brand, logo_alt="The logo"), **_embargo_fields()}
    upload = SimpleUploadedFile("poly.html", polyglot_jpeg(), "text/html")
    response = editor_client.post(_brand_url(linked_brand), {**data, "logo": upload})

    assert response.status_code == 200
    assert "Yes, embargo it" in response.content.decode()
    tokens = response.context["held_uploads"]
    assert len(tokens) == 1

    # Nothing was written to the public media, and the held copy is not under it.
    assert _files(settings.MEDIA_ROOT) == []
    (held,) = _files(held_root)
    assert not held.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
    assert GENERATED.match(held.name), held.name
    assert editor_client.get(f"{settings.MEDIA_URL}{held.name}").status_code == 404
    assert editor_client.get(f"{settings.MEDIA_URL}held-uploads/{held.name}").status_code == 404
    with pytest.raises(ValueError):
        uploads.held_storage().url(held.name)

    # Cleaned before it was stored: no GPS, no camera, no HTML; a real JPEG.
    content = held.read_bytes()
    assert HTML not in content and b"<script" not in content and b"Camera Maker" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "comment" not in image.info

    # "Yes": the brand is saved with a clean logo, and the held copy is gone.
    response = editor_client.post(
        _brand_url(linked_brand), {**data, "_confirm_links": "yes", "_held_upload": tokens}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    linked_brand.refresh_from_db()
    assert linked_brand.embargoed_until is not None
    assert re.match(r"^brands/poly[^/]*\.jpg$", linked_brand.logo.name), linked_brand.logo.name
    with default_storage.open(linked_brand.logo.name) as stored:
        stored_bytes = stored.read()
    assert HTML not in stored_bytes and b"Camera Maker" not in stored_bytes
    with Image.open(io.BytesIO(stored_bytes)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert _files(held_root) == []


def test_an_invalid_inline_upload_gets_its_form_error_not_a_confirmation(
    editor_client, settings, held_root
):
    product = make_product(name="Bel Air")
    make_article(headline="A live story").products.add(product)
    data = {
        **product_data(product),
        **_embargo_fields(),
        "images-TOTAL_FORMS": "1",
        "images-0-id": "",
        "images-0-product": str(product.pk),
        "images-0-image": SimpleUploadedFile("bag.jpg", HTML, "image/jpeg"),
        "images-0-alt_text": "The bag",
        "images-0-caption": "",
        "images-0-credit": "",
        "images-0-position": "0",
    }
    response = editor_client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "held_uploads" not in response.context
    assert "Yes, embargo it" not in content
    assert "SVG and other markup files are not accepted" in content
    assert _files(held_root) == []
    assert _files(settings.MEDIA_ROOT) == []
    product.refresh_from_db()
    assert product.embargoed_until is None
    assert not ProductImage.objects.filter(product=product).exists()


def test_an_invalid_upload_on_the_main_form_gets_its_form_error(
    editor_client, held_root, linked_brand
):
    data = {**brand_data(linked_brand, logo_alt="The logo"), **_embargo_fields()}
    upload = SimpleUploadedFile("logo.png", b"GIF89a not really an image", "image/png")
    response = editor_client.post(_brand_url(linked_brand), {**data, "logo": upload})
    assert response.status_code == 200
    assert "held_uploads" not in response.context
    assert "This file is not an image" in response.content.decode()
    assert _files(held_root) == []


def test_only_uploads_of_valid_images_are_held(held_root):
    tokens = uploads.hold_all(
        {
            "logo": SimpleUploadedFile("ok.png", png_bytes(), "image/png"),
            "junk": SimpleUploadedFile("page.html", HTML, "text/html"),
        }
    )
    assert len(tokens) == 1
    (held,) = _files(held_root)
    assert re.match(r"^[0-9a-f]{32}\.png$", held.name)
    files, names, lost = uploads.restore(tokens)
    assert list(files) == ["logo"] and names == [held.name] and lost == 0
    assert files["logo"].name == "ok.png"


def test_a_token_can_only_name_a_held_upload(held_root, settings):
    secret = settings.MEDIA_ROOT / "articles" / "private.png"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(png_bytes())
    for name in ("../../media/articles/private.png", "held-uploads/x/private.png", "a.png"):
        token = signing.dumps(
            {"field": "logo", "name": name, "filename": "x.png", "type": "image/png"},
            salt="newsroom.uploads.held",
        )
        assert uploads.restore([token]) == ({}, [], 0)
    assert uploads.restore(["forged"]) == ({}, [], 0)


def test_old_holds_are_swept_and_fresh_ones_kept(held_root):
    storage = uploads.held_storage()
    kept = storage.save(f"{'a' * 32}.png", ContentFile(png_bytes()))
    uploads.sweep(now=timezone.now() + timedelta(minutes=59))
    assert storage.exists(kept)
    uploads.sweep(now=timezone.now() + timedelta(minutes=61))
    assert not storage.exists(kept)
    assert _files(held_root) == []


def test_holding_sweeps_old_holds(held_root):
    storage = uploads.held_storage()
    old = storage.save(f"{'c' * 32}.png", ContentFile(png_bytes()))
    two_hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    import os

    os.utime(storage.path(old), (two_hours_ago, two_hours_ago))
    uploads.hold_all({"logo": SimpleUploadedFile("new.png", png_bytes(), "image/png")})
    names = [p.name for p in _files(held_root)]
    assert old not in names and len(names) == 1


def test_uploads_held_in_public_media_by_earlier_versions_are_removed(settings, held_root):
    legacy = default_storage.save("held-uploads/0123/poly.html", ContentFile(HTML))
    assert (settings.MEDIA_ROOT / legacy).exists()
    uploads.sweep()
    assert not default_storage.exists(legacy)


def test_a_hold_folder_inside_the_public_media_is_refused(settings):
    settings.HELD_UPLOADS_ROOT = settings.MEDIA_ROOT / "held-uploads"
    with pytest.raises(ImproperlyConfigured):
        uploads.held_storage()


def test_a_confirmed_save_whose_held_upload_is_gone_saves_nothing(
    editor_client, settings, held_root, linked_brand
):
    data = {**brand_data(linked_brand, logo_alt="The logo"), **_embargo_fields()}
    upload = SimpleUploadedFile("logo.png", png_bytes(), "image/png")
    tokens = editor_client.post(_brand_url(linked_brand), {**data, "logo": upload}).context[
        "held_uploads"
    ]
    for held in _files(held_root):  # swept, or held on another host
        held.unlink()

    response = editor_client.post(
        _brand_url(linked_brand), {**data, "_confirm_links": "yes", "_held_upload": tokens}
    )

    assert response.status_code == 200
    assert "Choose the file again" in response.content.decode()
    linked_brand.refresh_from_db()
    assert linked_brand.embargoed_until is None and not linked_brand.logo
