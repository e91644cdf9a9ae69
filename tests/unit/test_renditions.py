"""Responsive image renditions: made once with Pillow, stored, then served from memory."""

import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from catalog import renditions
from catalog.models import ProductImage
from tests.conftest import png_bytes
from tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_image(db):
    image = ProductImage(product=make_product(), alt_text='A "black" bag <b>')
    image.image.save("bag.png", ContentFile(png_bytes(size=(1000, 500))), save=True)
    return image


def test_makes_smaller_renditions_and_keeps_the_original_as_largest(product_image):
    images = renditions.image_set(product_image.image, product_image.width, product_image.height)
    assert [c.width for c in images.candidates] == [320, 640, 960, 1000]
    assert [c.height for c in images.candidates] == [160, 320, 480, 500]
    name = renditions.rendition_name(product_image.image.name, 320, 1000, 500)
    with default_storage.open(name) as handle:
        assert Image.open(handle).size == (320, 160)
    assert images.src == product_image.image.url
    assert images.srcset.endswith(f"{product_image.image.url} 1000w")


def test_renditions_are_not_regenerated_and_storage_is_not_asked_again(product_image):
    renditions.image_set(product_image.image, 1000, 500)
    with mock.patch.object(renditions, "_build", wraps=renditions._build) as build:
        for _ in range(3):
            renditions.image_set(product_image.image, 1000, 500)
    build.assert_not_called()


def test_existing_renditions_are_reused_after_the_cache_is_flushed(product_image):
    from django.core.cache import cache

    renditions.image_set(product_image.image, 1000, 500)
    cache.clear()
    with mock.patch.object(renditions, "_write") as write:
        renditions.image_set(product_image.image, 1000, 500)
    write.assert_not_called()


def test_a_broken_source_falls_back_to_the_original(db):
    default_storage.save("products/broken.png", ContentFile(b"not an image"))
    image = ProductImage(product=make_product(), alt_text="x", image="products/broken.png")
    images = renditions.image_set(image.image, 10, 10)
    assert images.src.endswith("products/broken.png")
    assert images.candidates == ()


def test_tag_renders_srcset_sizes_lazy_loading_dimensions_and_escaped_alt(product_image):
    html = Template(
        "{% load reader_tags %}{% responsive_image image.image image.width image.height "
        'alt=image.alt_text sizes="50vw" %}'
    ).render(Context({"image": product_image}))
    assert 'srcset="' in html and " 320w" in html
    assert 'sizes="50vw"' in html
    assert 'loading="lazy"' in html
    assert 'width="1000" height="500"' in html
    assert 'alt="A &quot;black&quot; bag &lt;b&gt;"' in html


def test_empty_field_renders_nothing(db):
    image = ProductImage(product=make_product(), alt_text="x")
    html = Template("{% load reader_tags %}{% responsive_image image.image %}").render(
        Context({"image": image})
    )
    assert html == ""


def test_swatch_is_an_svg_without_style_and_rejects_bad_colours():
    ok = Template("{% load reader_tags %}{% swatch '#A1B2C3' %}").render(Context())
    assert 'fill="#a1b2c3"' in ok and "style" not in ok
    bad = Template("{% load reader_tags %}{% swatch colour %}").render(
        Context({"colour": 'red" onload="alert(1)'})
    )
    assert "onload" not in bad and 'fill="#cccccc"' in bad


def test_jpeg_renditions_stay_jpeg(db):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 20, 30)).save(buffer, "JPEG")
    image = ProductImage(product=make_product(), alt_text="x")
    image.image.save("photo.jpg", ContentFile(buffer.getvalue()), save=True)
    images = renditions.image_set(image.image, 800, 600)
    assert images.candidates[0].url.endswith("-w320.jpg")
