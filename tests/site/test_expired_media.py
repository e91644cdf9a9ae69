"""An image whose rights have ended cannot be fetched from /media/ either, nor its renditions.

With local storage (``SERVE_MEDIA``), Django serves the uploads: a reader who kept
the file's URL, or a rendition's, gets 404 from the moment the rights end, and the
file again as soon as the date is moved later. One query per file, nothing cached.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import ProductImage
from catalog.renditions import image_set, withheld
from newsroom.models import Article, Person
from tests.conftest import png_bytes
from tests.factories import make_article, make_person, make_product

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def with_lead_image(until, name="lead.png", size=(1400, 700)):
    article = make_article()
    article.lead_image.save(name, ContentFile(png_bytes(size)), save=False)
    article.lead_image_rights_until = until
    article.save()
    return article


def fetch(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # the test client closes the file
    return response.status_code


def test_an_ended_lead_image_and_its_renditions_answer_404_and_return_when_extended(client):
    article = with_lead_image(until=later(days=2))
    images = image_set(article.lead_image, 1400, 700)  # made while the rights run
    renditions = [c.url for c in images.candidates if c.url != article.lead_image.url]
    assert len(renditions) == 4
    assert fetch(client, article.lead_image.url) == 200
    assert all(fetch(client, url) == 200 for url in renditions)

    Article.objects.filter(pk=article.pk).update(lead_image_rights_until=ago(minutes=1))
    assert fetch(client, article.lead_image.url) == 404
    assert [fetch(client, url) for url in renditions] == [404] * 4
    # The same file by another spelling of its path.
    folder, file = article.lead_image.url.rsplit("/", 1)
    assert fetch(client, f"{folder}/../{folder.rsplit('/', 1)[1]}//{file}") == 404

    Article.objects.filter(pk=article.pk).update(lead_image_rights_until=later(days=30))
    assert fetch(client, article.lead_image.url) == 200, "an extension takes effect at once"
    assert all(fetch(client, url) == 200 for url in renditions)


def test_portraits_and_product_images_too(client):
    person = make_person()
    person.portrait.save("face.png", ContentFile(png_bytes((400, 500))), save=False)
    person.portrait_rights_until = ago(hours=1)
    person.save()
    image = ProductImage(product=make_product(), alt_text="A bag")
    image.image.save("bag.jpg", ContentFile(png_bytes((700, 700), fmt="JPEG")), save=False)
    image.image_rights_until = ago(hours=1)
    image.save()
    assert fetch(client, person.portrait.url) == 404
    assert fetch(client, image.image.url) == 404
    Person.objects.filter(pk=person.pk).update(portrait_rights_until=None)
    assert fetch(client, person.portrait.url) == 200


def test_other_files_and_images_are_served_as_before(client):
    open_ended = with_lead_image(until=None, name="open.png")
    running = with_lead_image(until=later(hours=1), name="running.png")
    # An ended image whose name begins like theirs does not take their renditions along.
    ended = with_lead_image(until=later(days=1), name="open-more.png")
    sets = [image_set(a.lead_image, 1400, 700) for a in (open_ended, running, ended)]
    Article.objects.filter(pk=ended.pk).update(lead_image_rights_until=ago(minutes=1))
    for images in sets[:2]:
        assert all(fetch(client, c.url) == 200 for c in images.candidates)
    assert all(fetch(client, c.url) == 404 for c in sets[2].candidates)
    assert fetch(client, "/media/articles/never-uploaded.png") == 404


def test_browsers_ask_again_for_each_file_and_an_ended_one_is_not_revalidated(client):
    article = with_lead_image(until=later(days=2))
    response = client.get(article.lead_image.url)
    b"".join(response.streaming_content)
    assert "max-age=0" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]
    since = {"HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}
    assert client.get(article.lead_image.url, **since).status_code == 304
    Article.objects.filter(pk=article.pk).update(lead_image_rights_until=ago(minutes=1))
    assert client.get(article.lead_image.url, **since).status_code == 404


def test_staff_still_see_an_ended_image_in_the_admin(admin_client):
    article = with_lead_image(until=ago(minutes=1))
    response = admin_client.get(article.lead_image.url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_one_query_per_file(client):
    article = with_lead_image(until=later(days=1))
    images = image_set(article.lead_image, 1400, 700)
    rendition = images.candidates[0].url
    for url in (article.lead_image.url, rendition):
        with CaptureQueriesContext(connection) as served:
            assert fetch(client, url) == 200
        assert len(served.captured_queries) == 1, served.captured_queries
    Article.objects.filter(pk=article.pk).update(lead_image_rights_until=ago(minutes=1))
    for url in (article.lead_image.url, rendition):
        with CaptureQueriesContext(connection) as refused:
            assert fetch(client, url) == 404
        # Besides the look-up, only the redirects' fallback that every 404 of the site
        # asks (its Site, then its redirects).
        fallback = ("django_redirect", "django_site")
        ours = [
            q["sql"] for q in refused.captured_queries if not any(t in q["sql"] for t in fallback)
        ]
        assert len(ours) == 1, ours


def test_withheld_reads_rendition_names_back_to_their_source():
    article = with_lead_image(until=ago(minutes=1), name="look.png")
    name = article.lead_image.name
    stem = name.rsplit(".", 1)[0]
    assert withheld(name)
    assert withheld(f"renditions/{stem}-1400x700-w640.png")
    assert not withheld(f"renditions/{stem}x-1400x700-w640.png")
    assert not withheld(f"renditions/{stem}-1400x700-w640.jpg")
    assert not withheld("articles/other.png")
