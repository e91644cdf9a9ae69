"""The desk's image-rights box: every image a live story shows, not only its lead image.

A story shows its lead image, the portraits of the people it links, the images of
the bags it links (any image with a rights end on a kind of the registry). Each
row names the image and links to the page where its date can be extended; images
whose rights have ended are listed too, as hidden from readers.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import ProductImage
from newsroom import dashboard
from newsroom.models import Article
from tests.conftest import png_bytes
from tests.factories import make_article, make_brand, make_person, make_product

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.now() + timedelta(days=n)


def with_lead_image(article, until):
    article.lead_image.save("lead.png", ContentFile(png_bytes()), save=False)
    article.lead_image_rights_until = until
    article.save()
    return article


def with_portrait(person, until):
    person.portrait.save("portrait.png", ContentFile(png_bytes()), save=False)
    person.portrait_rights_until = until
    person.save()
    return person


def add_image(product, until, position):
    image = ProductImage(product=product, alt_text=f"{product.name} {position}", position=position)
    image.image.save("bag.png", ContentFile(png_bytes()), save=False)
    image.image_rights_until = until
    image.save()
    return image


def rights_box(user):
    return {box.key: box for box in dashboard.desk_lists(user)}["rights"]


def test_portraits_and_bag_images_of_linked_rows_are_listed_with_what_they_are(
    editor_client, editor
):
    kim = with_portrait(make_person(name="Kim Kardashian"), until=days(3))
    city = make_product(name="Le City", brand=make_brand(name="Balenciaga"))
    add_image(city, until=None, position=1)
    second = add_image(city, until=days(5), position=2)
    add_image(city, until=days(40), position=3)  # later than 14 days
    story = with_lead_image(make_article(headline="The bag"), until=days(10))
    story.people.add(kim)
    story.products.add(city)

    response = editor_client.get(reverse("admin:index"))
    box = {b.key: b for b in response.context["desk"]}["rights"]
    assert [(r.headline, r.image) for r in box.articles] == [
        ("The bag", "Portrait of Kim Kardashian"),
        ("The bag", "Le City — image 2"),
        ("The bag", "Lead image"),
    ]
    assert all(r.desk_when.startswith("image rights end ") for r in box.articles)
    assert [r.until for r in box.articles] == [
        kim.portrait_rights_until,
        second.image_rights_until,
        story.lead_image_rights_until,
    ]
    assert box.count == 1, "one live story, whatever the number of its images"
    assert box.ended == []
    # Each row links to the page where its date can be extended.
    assert [r.change_url for r in box.articles] == [
        reverse("admin:newsroom_person_change", args=[kim.pk]),
        reverse("admin:catalog_productimage_change", args=[second.pk]),
        reverse("admin:newsroom_article_change", args=[story.pk]),
    ]
    content = response.content.decode()
    for row in box.articles:
        assert f'href="{row.change_url}"' in content
    assert "Portrait of Kim Kardashian" in content and "Le City — image 2" in content
    listed = editor_client.get(box.more_url)
    assert [a.pk for a in listed.context["cl"].result_list] == [story.pk]


def test_only_live_stories_and_what_readers_can_see_count(editor):
    ending = with_portrait(make_person(name="Soon Ending"), until=days(2))
    make_article(status=Article.Status.DRAFT).people.add(ending)
    make_article(published_at=days(1)).people.add(ending)  # scheduled, not live yet
    held = with_portrait(make_person(name="Held Back", embargoed_until=days(30)), until=days(2))
    make_article().people.add(held)  # an embargoed person is not shown to readers
    unlinked = with_portrait(make_person(name="Nobody Links"), until=days(2))
    assert unlinked.portrait_rights_until
    box = rights_box(editor)
    assert box.articles == [] and box.ended == [] and box.count == 0


def test_ended_images_of_live_stories_are_listed_as_hidden_from_readers(editor_client, editor):
    naomi = with_portrait(make_person(name="Naomi Campbell"), until=days(-2))
    hourglass = make_product(name="Hourglass")
    old = add_image(hourglass, until=days(-1), position=0)
    first = make_article(headline="The gala")
    first.people.add(naomi)
    second = with_lead_image(make_article(headline="The shoot"), until=days(-3))
    second.products.add(hourglass)
    with_lead_image(make_article(headline="Still fine"), until=days(60))
    with_portrait(make_person(name="Draft Only"), until=days(-1))  # linked by no live story

    response = editor_client.get(reverse("admin:index"))
    box = {b.key: b for b in response.context["desk"]}["rights"]
    assert box.articles == [] and box.count == 0
    # The most recently ended first.
    assert [(r.headline, r.image) for r in box.ended] == [
        ("The shoot", "Hourglass — image 1"),
        ("The gala", "Portrait of Naomi Campbell"),
        ("The shoot", "Lead image"),
    ]
    assert all(r.ended and r.desk_when.startswith("rights ended ") for r in box.ended)
    assert box.ended[0].change_url == reverse("admin:catalog_productimage_change", args=[old.pk])
    assert box.ended_count == 2
    content = response.content.decode()
    assert content.count("Rights ended: hidden from readers") == 3
    assert "No image of a live story loses its rights" not in content
    listed = editor_client.get(box.ended_url)
    assert {a.pk for a in listed.context["cl"].result_list} == {first.pk, second.pk}


def test_ended_and_ending_rows_are_each_a_short_list(editor):
    person = make_person(name="Many Images")
    story = make_article()
    story.people.add(person)
    product = make_product(name="Le Cagole")
    story.products.add(product)
    for n in range(dashboard.LIMIT + 2):
        add_image(product, until=days(-n - 1), position=n)
        add_image(product, until=days(n + 1), position=100 + n)
    box = rights_box(editor)
    assert len(box.ended) == dashboard.LIMIT and len(box.articles) == dashboard.LIMIT
    assert box.ended[0].until > box.ended[-1].until  # the most recently ended first
    assert box.articles[0].until < box.articles[-1].until  # the soonest first
    assert box.ended[0].image == "Le Cagole — image 1"
    assert box.articles[0].image == f"Le Cagole — image {dashboard.LIMIT + 3}"
    assert box.count == 1 and box.ended_count == 1


def _stories(n):
    brand = make_brand()
    for i in range(n):
        person = with_portrait(make_person(), until=days(i % 20 - 5))
        product = make_product(brand=brand)
        add_image(product, until=days(i % 13 - 3), position=0)
        add_image(product, until=days(i % 7 + 1), position=1)
        story = with_lead_image(make_article(), until=days(i % 11 - 2))
        story.people.add(person)
        story.products.add(product)


def _queries(user):
    user.has_perm("newsroom.publish_article")  # the permission cache is the session's
    with CaptureQueriesContext(connection) as captured:
        dashboard.desk_lists(user)
    return len(captured.captured_queries)


def test_the_rights_box_costs_the_same_for_2_or_10_stories(editor, django_assert_max_num_queries):
    _stories(2)
    few = _queries(editor)
    _stories(8)
    assert rights_box(editor).count > 2
    assert _queries(editor) == few
    with django_assert_max_num_queries(10):
        dashboard.desk_lists(editor)
