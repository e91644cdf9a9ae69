"""Object storage that refuses connections or never answers: pages still render, uploads
get a form error, and the storage is tried again after a short back-off."""

import importlib
import logging
import socket
import threading
import time
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import renditions
from catalog.models import Brand, ProductImage
from catalog.storage import OUTAGE_KEY, note_storage_failure, storage_unavailable
from newsroom.models import Article, Person
from tests.admin.postdata import article_data, brand_data, person_data, product_data
from tests.conftest import png_bytes
from tests.factories import make_article, make_brand, make_person, make_product
from tests.unit.test_storage import BUCKET

pytestmark = pytest.mark.django_db

REFUSED = "http://127.0.0.1:1"
QUICK = Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1})


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class HungEndpoint:
    url: str
    accepted: list


@pytest.fixture
def hung_endpoint():
    """A server on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host, port = listener.getsockname()
    yield HungEndpoint(f"http://{host}:{port}", accepted)
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def _use_bucket(settings, monkeypatch, endpoint, client_config=QUICK):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "querystring_auth": False,
                "file_overwrite": False,
                "client_config": client_config,
            },
        },
    }


@pytest.fixture
def public_product():
    """A published story's handbag, with an image row whose file is in the bucket."""
    product = make_product(name="Le City")
    make_article(headline="The bag of the season").products.add(product)
    ProductImage.objects.create(
        product=product, image="products/le-city.png", alt_text="The bag", width=1400, height=1000
    )
    return product


def _page(client, product):
    start = time.monotonic()
    response = client.get(product.get_absolute_url())
    return response, time.monotonic() - start


def _outage_warnings(caplog):
    return [
        r for r in caplog.records if r.name == "catalog.storage" and r.levelno >= logging.WARNING
    ]


def test_a_refused_endpoint_leaves_the_page_up_without_srcset(
    client, settings, monkeypatch, public_product, caplog
):
    _use_bucket(settings, monkeypatch, REFUSED)
    caplog.set_level(logging.WARNING)

    response, elapsed = _page(client, public_product)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'src="{REFUSED}/{BUCKET}/media/products/le-city.png"' in page
    assert 'width="1400" height="1000"' in page
    assert "srcset" not in page
    assert elapsed < 10
    key = renditions._cache_key("products/le-city.png", 1400, 1000)
    assert cache.get(key) is None, "nothing is remembered as made"
    assert len(_outage_warnings(caplog)) == 1


def test_a_hung_endpoint_leaves_the_page_up_quickly(
    client, settings, monkeypatch, public_product, hung_endpoint
):
    _use_bucket(settings, monkeypatch, hung_endpoint.url)

    response, elapsed = _page(client, public_product)

    assert response.status_code == 200
    assert "srcset" not in response.content.decode()
    assert elapsed < 10
    assert "no-cache" in response["Cache-Control"], "the degraded page is not cached"
    assert hung_endpoint.accepted, "the storage was asked"
    # During the back-off the next views do not call the storage at all.
    asked = len(hung_endpoint.accepted)
    response, elapsed = _page(client, public_product)
    assert response.status_code == 200
    assert elapsed < 10
    assert len(hung_endpoint.accepted) == asked


def test_storage_is_left_alone_during_the_back_off_then_tried_again(
    client, settings, monkeypatch, public_product, moto_endpoint, caplog
):
    # A back-off far longer than the checks below, however slow the machine; its
    # end is the cache entry expiring, which the test brings about by deleting it.
    settings.STORAGE_RETRY_AFTER = 300
    caplog.set_level(logging.WARNING)
    # The bucket that will come back, already holding the image.
    _use_bucket(settings, monkeypatch, moto_endpoint)
    bucket = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    bucket.create_bucket(Bucket=BUCKET)
    bucket.put_object(Bucket=BUCKET, Key="media/products/le-city.png", Body=png_bytes((1400, 1000)))
    try:
        _use_bucket(settings, monkeypatch, REFUSED)
        for _ in range(3):
            response = _page(client, public_product)[0]
            assert response.status_code == 200
            assert "no-cache" in response["Cache-Control"], "no cache keeps the degraded page"
        assert len(_outage_warnings(caplog)) == 1, "logged once per back-off, not per call"

        # The storage answers again, but the back-off still holds: no call is made.
        _use_bucket(settings, monkeypatch, moto_endpoint)
        assert "srcset" not in _page(client, public_product)[0].content.decode()
        assert not any(k["Key"].startswith("media/renditions/") for k in _objects(bucket))

        cache.delete(OUTAGE_KEY)  # the back-off period is over
        response = _page(client, public_product)[0]
        page = response.content.decode()
        assert "srcset" in page and "-w320.png 320w" in page
        assert "no-cache" not in response.get("Cache-Control", "")
        assert len(_outage_warnings(caplog)) == 1
    finally:
        for item in _objects(bucket):
            bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
        bucket.delete_bucket(Bucket=BUCKET)


def test_the_back_off_ends_on_its_own(settings):
    settings.STORAGE_RETRY_AFTER = 2
    note_storage_failure(OSError("down"), "testing")
    assert storage_unavailable()
    time.sleep(2.5)
    assert not storage_unavailable()


def _objects(bucket):
    return bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])


def test_a_local_disk_error_degrades_the_same_way(client, settings, public_product):
    # The media folder is a file: every read fails with NotADirectoryError (an OSError).
    settings.MEDIA_ROOT.parent.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT.write_bytes(b"")
    response, _elapsed = _page(client, public_product)
    assert response.status_code == 200
    assert 'src="/media/products/le-city.png"' in response.content.decode()
    assert cache.get(OUTAGE_KEY)


# Uploads while the storage is down ------------------------------------------------------


def _upload():
    return SimpleUploadedFile("bag.png", png_bytes((64, 48)), "image/png")


def _post_article(client):
    data = {**article_data(lead_image_alt="A bag"), "lead_image": _upload()}
    return client.post(reverse("admin:newsroom_article_add"), data)


def _post_person(client):
    person = make_person(name="Demna")
    url = reverse("admin:newsroom_person_change", args=[person.pk])
    return client.post(url, {**person_data(person, portrait_alt="Demna"), "portrait": _upload()})


def _post_brand(client):
    brand = make_brand(name="Balenciaga")
    url = reverse("admin:catalog_brand_change", args=[brand.pk])
    return client.post(url, {**brand_data(brand, logo_alt="Logo"), "logo": _upload()})


def _post_product_image(client):
    data = {
        "product": make_product().pk,
        "image": _upload(),
        "alt_text": "A bag",
        "caption": "",
        "credit": "",
        "position": 0,
    }
    return client.post(reverse("admin:catalog_productimage_add"), data)


def _post_product_inline(client):
    product = make_product(name="Rodeo")
    data = {
        **product_data(product),
        "images-TOTAL_FORMS": "1",
        "images-0-id": "",
        "images-0-product": str(product.pk),
        "images-0-image": _upload(),
        "images-0-alt_text": "A bag",
        "images-0-caption": "",
        "images-0-credit": "",
        "images-0-position": "0",
        "_save": "1",
    }
    return client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)


def _stored():
    return {
        "article": Article.objects.count(),
        "person": Person.objects.exclude(portrait="").count(),
        "brand": Brand.objects.exclude(logo="").count(),
        "product image": ProductImage.objects.count(),
        "product inline": ProductImage.objects.count(),
    }


POSTERS = {
    "article": _post_article,
    "person": _post_person,
    "brand": _post_brand,
    "product image": _post_product_image,
    "product inline": _post_product_inline,
}


@pytest.mark.parametrize("field", POSTERS)
def test_an_upload_while_the_bucket_is_down_is_a_form_error(
    editor_client, settings, monkeypatch, field
):
    _use_bucket(settings, monkeypatch, REFUSED)

    response = POSTERS[field](editor_client)

    assert response.status_code == 200
    assert "the file storage did not answer" in response.content.decode()
    assert _stored()[field] == 0, "no row saved"


def test_an_upload_goes_through_once_the_bucket_answers(
    editor_client, settings, monkeypatch, moto_endpoint
):
    _use_bucket(settings, monkeypatch, moto_endpoint)
    bucket = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    bucket.create_bucket(Bucket=BUCKET)
    try:
        assert _post_product_image(editor_client).status_code == 302
        (name,) = ProductImage.objects.values_list("image", flat=True)
        assert bucket.get_object(Bucket=BUCKET, Key=f"media/{name}")["Body"].read()
    finally:
        for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
        bucket.delete_bucket(Bucket=BUCKET)


# Settings ------------------------------------------------------------------------------


def test_storage_timeouts_come_from_the_environment(monkeypatch):
    from config import settings as project_settings

    monkeypatch.setenv("DJANGO_STORAGE_BUCKET", "shared-media")
    try:
        config = importlib.reload(project_settings).STORAGES["default"]["OPTIONS"]["client_config"]
        assert (config.connect_timeout, config.read_timeout) == (2.0, 3.0)
        assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
        monkeypatch.setenv("DJANGO_STORAGE_CONNECT_TIMEOUT", "0.5")
        monkeypatch.setenv("DJANGO_STORAGE_READ_TIMEOUT", "1.5")
        monkeypatch.setenv("DJANGO_STORAGE_MAX_ATTEMPTS", "1")
        config = importlib.reload(project_settings).STORAGES["default"]["OPTIONS"]["client_config"]
        assert (config.connect_timeout, config.read_timeout) == (0.5, 1.5)
        assert config.retries["total_max_attempts"] == 1
    finally:
        for name in (
            "DJANGO_STORAGE_BUCKET",
            "DJANGO_STORAGE_CONNECT_TIMEOUT",
            "DJANGO_STORAGE_READ_TIMEOUT",
            "DJANGO_STORAGE_MAX_ATTEMPTS",
        ):
            monkeypatch.delenv(name, raising=False)
        importlib.reload(project_settings)
