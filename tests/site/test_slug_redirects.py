"""Old addresses keep working: a changed slug answers 301 to the new address."""

import pytest
from django.contrib.redirects.models import Redirect
from django.urls import reverse

from tests.admin.postdata import brand_data
from tests.factories import make_article, make_brand, make_campaign, make_person, make_product

pytestmark = pytest.mark.django_db

FACTORIES = {
    "article": make_article,
    "person": make_person,
    "campaign": make_campaign,
    "brand": make_brand,
    "product": make_product,
}


def _rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj.get_absolute_url()


@pytest.mark.parametrize("kind", FACTORIES)
def test_old_address_answers_301_to_the_new_one(client, kind):
    obj = FACTORIES[kind](slug="first-name")
    old = obj.get_absolute_url()
    new = _rename(obj, "second-name")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("kind", FACTORIES)
def test_chains_collapse(client, kind):
    obj = FACTORIES[kind](slug="a-name")
    first = obj.get_absolute_url()
    second = _rename(obj, "b-name")
    third = _rename(obj, "c-name")
    for old in (first, second):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, third)
    assert Redirect.objects.filter(new_path=second).count() == 0


def test_renaming_back_removes_the_redirect_away_from_it(client):
    person = make_person(slug="demna")
    first = person.get_absolute_url()
    second = _rename(person, "demna-gvasalia")
    assert _rename(person, "demna") == first
    assert client.get(first).status_code == 200
    response = client.get(second)
    assert (response.status_code, response["Location"]) == (301, first)
    assert not Redirect.objects.filter(old_path=first).exists()


def test_unchanged_slug_leaves_no_redirect():
    brand = make_brand()
    brand.description = "Edited"
    brand.save()
    assert not Redirect.objects.exists()


def test_slug_change_in_the_admin_leaves_a_redirect(editor_client, client):
    brand = make_brand(slug="balenciaga-paris")
    response = editor_client.post(
        reverse("admin:catalog_brand_change", args=[brand.pk]),
        brand_data(brand, slug="balenciaga"),
    )
    assert response.status_code == 302
    client.logout()
    response = client.get("/brands/balenciaga-paris/")
    assert (response.status_code, response["Location"]) == (301, "/brands/balenciaga/")


def test_loaddata_style_raw_saves_do_not_invent_redirects():
    from django.db.models.signals import post_save

    brand = make_brand(slug="raw-one")
    brand.slug = "raw-two"
    post_save.send(type(brand), instance=brand, created=False, raw=True, using="default",
                   update_fields=None)
    assert not Redirect.objects.exists()
