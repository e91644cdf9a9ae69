"""Image rights: after its rights end, an image leaves public pages (a placeholder keeps
the layout), its renditions and share image go, and it comes back when extended.
Editors see what is about to end on the desk and filter images by it.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from catalog.images import image_rights_sources, rights_ended
from catalog.models import ProductImage
from catalog.renditions import image_set
from newsroom import cache as page_cache
from newsroom import dashboard
from newsroom.models import Article, Person
from tests.conftest import png_bytes
from tests.factories import make_article, make_brand, make_person, make_product

pytestmark = pytest.mark.django_db


def with_lead_image(article, until=None):
    article.lead_image.save("lead.png", ContentFile(png_bytes((800, 450))), save=False)
    article.lead_image_alt = "A black Bel Air on the opera steps"
    article.lead_image_rights_until = until
    article.save()
    return article


def test_every_image_has_a_rights_field():
    found = {(model.__name__, name) for model, name in image_rights_sources()}
    assert {
        ("Article", "lead_image_rights_until"),
        ("Person", "portrait_rights_until"),
        ("ProductImage", "image_rights_until"),
    } <= found


def test_an_ended_image_leaves_the_article_page_and_comes_back_when_extended(client):
    article = with_lead_image(make_article(), until=timezone.now() - timedelta(minutes=1))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "data-image-unavailable" in page
    assert 'width="800" height="450"' in page  # the layout is kept
    assert article.lead_image.url not in page  # no file, no rendition, no share image
    assert "A black Bel Air" not in page.split("<footer")[0].split("</header>", 1)[1]
    assert image_set(article.lead_image, 800, 450) is None

    Article.objects.filter(pk=article.pk).update(
        lead_image_rights_until=timezone.now() + timedelta(days=30)
    )
    page_cache.content_changed()  # an admin save does this
    page = client.get(article.get_absolute_url()).content.decode()
    assert "data-image-unavailable" not in page
    assert article.lead_image.url in page


def test_the_cached_page_changes_at_the_moment_rights_end():
    """Nothing to run: the end of the rights is a schedule point of the page cache."""
    end = timezone.now() + timedelta(hours=2)
    with_lead_image(make_article(), until=end)
    page_cache.content_changed()
    assert page_cache.next_schedule_point() == end


def test_card_lists_show_the_placeholder_too(client):
    article = with_lead_image(make_article(), until=timezone.now() - timedelta(days=1))
    home = client.get("/").content.decode()
    assert article.headline in home
    assert article.lead_image.url not in home


def test_an_ended_portrait_and_product_image_leave_their_pages(client):
    person = make_person(name="Michelle Yeoh", published_by_hand=True)
    person.portrait.save("yeoh.png", ContentFile(png_bytes((300, 400))), save=False)
    person.portrait_alt = "Michelle Yeoh"
    person.portrait_rights_until = timezone.now() - timedelta(hours=1)
    person.save()
    product = make_product(name="Bel Air", brand=make_brand(), published_by_hand=True)
    image = ProductImage(product=product, alt_text="The Bel Air in black")
    image.image.save("bel-air.png", ContentFile(png_bytes((600, 600))), save=False)
    image.image_rights_until = timezone.now() - timedelta(hours=1)
    image.save()
    assert rights_ended(person.portrait) and rights_ended(image.image)

    person_page = client.get(person.get_absolute_url())
    assert person_page.status_code == 200
    assert person.portrait.url not in person_page.content.decode()
    product_page = client.get(product.get_absolute_url())
    assert product_page.status_code == 200
    content = product_page.content.decode()
    assert image.image.url not in content and "data-image-unavailable" in content


def test_sitemap_never_names_an_ended_image(client):
    article = with_lead_image(make_article(), until=timezone.now() - timedelta(minutes=1))
    index = client.get("/sitemap.xml").content.decode()
    assert article.lead_image.name not in index


# --- The desk and the filters ----------------------------------------------------------


def test_desk_lists_live_stories_whose_image_rights_end_within_14_days(editor_client):
    soon = with_lead_image(make_article(headline="Soon"), until=timezone.now() + timedelta(days=3))
    with_lead_image(make_article(headline="Later"), until=timezone.now() + timedelta(days=40))
    with_lead_image(make_article(headline="Ended"), until=timezone.now() - timedelta(days=1))
    with_lead_image(
        make_article(headline="Draft", status=Article.Status.DRAFT),
        until=timezone.now() + timedelta(days=3),
    )
    response = editor_client.get(reverse("admin:index"))
    box = {b.key: b for b in response.context["desk"]}["rights"]
    assert [a.headline for a in box.articles] == ["Soon"]
    assert box.count == 1
    assert box.articles[0].desk_when.startswith("image rights end ")
    listed = editor_client.get(box.more_url)
    assert [a.pk for a in listed.context["cl"].result_list] == [soon.pk]
    assert dashboard.RIGHTS_SOON_DAYS == 14


@pytest.mark.parametrize(
    ("value", "expected"), [("ended", {"Ended"}), ("soon", {"Soon"}), ("none", {"Open"})]
)
def test_editors_filter_images_by_rights_ending(admin_client, value, expected):
    product = make_product(brand=make_brand())
    for alt, delta in [("Ended", -1), ("Soon", 5), ("Open", None)]:
        image = ProductImage(product=product, alt_text=alt)
        image.image.save(f"{alt}.png", ContentFile(png_bytes()), save=False)
        image.image_rights_until = timezone.now() + timedelta(days=delta) if delta else None
        image.save()
    response = admin_client.get(
        reverse("admin:catalog_productimage_changelist"), {"image_rights": value}
    )
    assert {i.alt_text for i in response.context["cl"].result_list} == expected
    people = admin_client.get(
        reverse("admin:newsroom_person_changelist"), {"portrait_rights": value}
    )
    assert people.status_code == 200


def test_rights_fields_are_on_the_forms(admin_client):
    article = make_article()
    page = admin_client.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    assert 'name="lead_image_rights_until_0"' in page.content.decode()
    person = Person.objects.create(name="Anna", slug="anna")
    page = admin_client.get(reverse("admin:newsroom_person_change", args=[person.pk]))
    assert 'name="portrait_rights_until_0"' in page.content.decode()
