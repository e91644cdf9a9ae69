"""Uploads in S3-compatible object storage, against moto's S3 server on 127.0.0.1."""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import renditions
from catalog.models import ProductImage
from tests.conftest import png_bytes
from tests.factories import make_product

BUCKET = "newsroom-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def object_storage(s3_endpoint, settings, monkeypatch):
    """The default storage pointed at a fresh bucket, configured as settings.py does."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client):
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_settings_choose_object_storage_from_the_environment(monkeypatch):
    import importlib

    from config import settings as project_settings

    monkeypatch.setenv("DJANGO_STORAGE_BUCKET", "shared-media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    try:
        configured = importlib.reload(project_settings)
        default = configured.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "shared-media"
        assert default["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
        assert configured.SERVE_MEDIA is False
    finally:
        monkeypatch.delenv("DJANGO_STORAGE_BUCKET")
        monkeypatch.delenv("AWS_S3_ENDPOINT_URL")
        local = importlib.reload(project_settings)
    assert local.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
    assert local.SERVE_MEDIA is True


def test_an_upload_round_trips_through_object_storage(object_storage, s3_endpoint):
    data = png_bytes(size=(64, 48))
    name = default_storage.save("products/round-trip.png", ContentFile(data))
    assert f"media/{name}" in keys(object_storage)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == data
    assert default_storage.url(name).startswith(f"{s3_endpoint}/{BUCKET}/media/products/")
    # Another host (a second storage client) sees the same bytes.
    body = object_storage.get_object(Bucket=BUCKET, Key=f"media/{name}")["Body"].read()
    assert body == data


def test_renditions_are_written_to_object_storage(object_storage, db):
    product = make_product(name="Le City")
    upload = SimpleUploadedFile("le-city.png", png_bytes(size=(1400, 1000)), "image/png")
    image = ProductImage.objects.create(product=product, image=upload, alt_text="The bag")
    assert (image.width, image.height) == (1400, 1000)
    assert f"media/{image.image.name}" in keys(object_storage)

    result = renditions.image_set(image.image, image.width, image.height)

    stored = keys(object_storage)
    written = {k for k in stored if k.startswith("media/renditions/")}
    assert len(written) == len(renditions.WIDTHS)
    assert [c.width for c in result.candidates] == [*renditions.WIDTHS, 1400]
    assert all(BUCKET in c.url for c in result.candidates)
    smallest = object_storage.get_object(Bucket=BUCKET, Key=sorted(written)[0])["Body"].read()
    assert smallest.startswith(b"\x89PNG")
