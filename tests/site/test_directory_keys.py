"""Directories and search in the page cache: the keys they carry, and every write that
changes them showing on the very next request, while other writes leave them cached.

Rows a facet counts are put on the second page of their directory where it matters
(``first_page_of``): the first page then shows none of them, so only the
directory's own keys, not the keys of the rows it shows, can make it change.
"""

import re
from html import unescape

import pytest
from taggit.models import Tag

from catalog.models import Colorway, Product, ProductImage
from newsroom import entities, surrogate
from newsroom.models import (
    Affiliation,
    Ambassadorship,
    Article,
    CampaignSeries,
    Event,
    QuoteWording,
    Role,
    TaggedArticle,
)
from newsroom.views.directories import PAGE_SIZE
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_colorway,
    make_event,
    make_person,
    make_product,
    tomorrow,
)
from tests.pagecache import get, is_hit, keys_of, still_cached, warm

pytestmark = pytest.mark.django_db

DIRECTORIES = ["/people/", "/brands/", "/products/", "/campaigns/", "/events/", "/tags/"]
SEARCH = "/search/?q=Moreau"
SUGGEST = "/search/suggest/?q=Moreau"


def fresh(client, url):
    """The next response for ``url``: rendered again, not served from the cache."""
    response = get(client, url)
    assert not is_hit(response), url
    return response


def facet_counts(response, param):
    """{option label: count} of one facet, as the page shows them."""
    html = response.content.decode()
    if f'id="facet-{param}"' not in html:
        return {}
    section = html.split(f'id="facet-{param}"', 1)[1].split("</section>", 1)[0]
    return {
        unescape(label.strip()): int(count)
        for label, count in re.findall(r'>([^<>]+) <span class="facet__count">(\d+)<', section)
    }


def listed(response):
    """The names linked in a directory's list (not its facets or the header)."""
    html = response.content.decode()
    block = html.split('class="directory__items"', 1)[1].split("</main>", 1)[0]
    block = block.split('class="pagination"', 1)[0]
    return [unescape(n) for n in re.findall(r'<a href="/[a-z]+/[^"/?]+/">([^<]+)</a>', block)]


def first_page_of(make):
    """Rows named "Aa 00".."Aa 24": a full first page and the one row read after it
    (to know there is a next page), so that a row named later is never read."""
    for n in range(PAGE_SIZE + 1):
        make(name=f"Aa {n:02d}")


@pytest.fixture
def world():
    """A live story linking one row of every kind, with a tag."""
    person = make_person(name="Ines Moreau")
    brand = make_brand(name="Maison Claire")
    product = make_product(name="Le Sac", brand=brand)
    campaign = make_campaign(name="Winter Light", brand=brand)
    event = make_event(name="Spring Show", brand=brand, kind=Event.Kind.RUNWAY)
    article = make_article(headline="Ines Moreau fronts the campaign")
    article.people.add(person)
    article.products.add(product)
    article.campaigns.add(campaign)
    article.events.add(event)
    article.tags.add("red carpet")
    return article, person


# -- what they carry ---------------------------------------------------------------------


EXPECTED_KEYS = {
    "/people/": {"people-list", "brands-list"},
    "/brands/": {"brands-list"},
    "/products/": {"products-list", "brands-list"},
    "/campaigns/": {"campaigns-list", "brands-list"},
    "/events/": {"events-list", "brands-list"},
    "/tags/": {surrogate.TAGS_LIST},
    SEARCH: {surrogate.SEARCH},
    SUGGEST: {surrogate.SEARCH},
}


@pytest.mark.parametrize("url", list(EXPECTED_KEYS))
def test_directories_and_search_carry_their_collections_not_content(client, world, url):
    collections = {
        surrogate.HOME,
        surrogate.ARTICLE_LIST,
        surrogate.FEEDS,
        surrogate.SITEMAP,
        surrogate.SEARCH,
        surrogate.TAGS_LIST,
        *surrogate.list_keys_of_kinds(),
    }
    for response in (get(client, url), get(client, url)):  # rendered, then from the cache
        keys = keys_of(response)
        assert surrogate.CONTENT not in keys
        assert keys & collections == EXPECTED_KEYS[url]
        assert surrogate.ALL in keys


def test_every_kind_with_a_directory_carries_its_list_key(client, world):
    for kind in entities.kinds():
        if kind.list_url:
            assert kind.list_cache_key in keys_of(get(client, kind.list_url)), kind.key


# -- writes that change nothing they show ----------------------------------------------


def test_a_draft_save_leaves_directories_and_search_cached(client, world):
    _, person = world
    warm(client, *DIRECTORIES, SEARCH, SUGGEST)
    draft = make_article(headline="Ines Moreau, work in progress", status=Article.Status.DRAFT)
    draft.people.add(person, make_person(name="Unseen Newcomer", published_by_hand=False))
    draft.tags.add("red carpet", "secret subject")
    for status in (Article.Status.DRAFT, Article.Status.REVIEW):
        draft.status = status
        draft.body = "<p>Ines Moreau, more words.</p>"
        draft.save()
    still_cached(client, *DIRECTORIES, SEARCH, SUGGEST)


def test_a_live_story_edited_in_place_leaves_directories_cached(client, world):
    article, _ = world
    warm(client, *DIRECTORIES)
    article.dek = "A new line under the headline."
    article.body = "<p>A typo fixed.</p>"
    article.save()
    still_cached(client, *DIRECTORIES)


def _rename_person(world):
    _, person = world
    person.refresh_from_db()
    person.name = "Ines Moreau-Laurent"
    person.save()


def _new_colorway(world):
    make_colorway(product=Product.objects.get(name="Le Sac"), name="Noir")


def _rename_bag(world):
    bag = Product.objects.get(name="Le Sac")
    bag.name = "Le Grand Sac"
    bag.save()


def _rename_tag(world):
    tag = Tag.objects.get(name="red carpet")
    tag.name = "Red Carpet Looks"
    tag.save()


@pytest.mark.parametrize(
    ("write", "changed"),
    [
        (_rename_person, {"/people/"}),
        (_new_colorway, {"/products/"}),
        # The bag's house is on these pages, and its page lists the bag: its key
        # goes. The people directory's house facet does not list bags.
        (_rename_bag, {"/products/", "/brands/", "/campaigns/", "/events/"}),
        (_rename_tag, {"/tags/"}),
    ],
)
def test_a_write_leaves_the_directories_that_do_not_show_it_cached(client, world, write, changed):
    warm(client, *DIRECTORIES)
    write(world)
    for url in changed:
        fresh(client, url)
    still_cached(client, *(set(DIRECTORIES) - changed))


def test_a_role_change_leaves_the_other_directories_cached(client, world):
    role = Role.objects.create(name="Muse")
    warm(client, *DIRECTORIES)
    role.name = "Muses"
    role.save()
    assert "Muses" not in get(client, "/people/").text  # nobody has it: nothing shown changed
    still_cached(client, *(set(DIRECTORIES) - {"/people/"}))


@pytest.mark.parametrize(
    ("model", "directories"),
    [
        (Ambassadorship, {"people-list", "brands-list"}),
        (Affiliation, {"people-list", "brands-list"}),
        (Role, {"people-list"}),  # through Person.roles
        (Colorway, {"products-list"}),
        (ProductImage, {"products-list"}),
        (CampaignSeries, {"campaigns-list", "brands-list", "people-list"}),  # Campaign.series
        (TaggedArticle, {surrogate.TAGS_LIST}),
        (QuoteWording, set()),
        (Tag, set()),  # listed itself, in the tag list: surrogate.list_key_of
    ],
)
def test_rows_read_through_a_relation_name_the_directories_that_read_them(model, directories):
    assert surrogate.related_list_keys(model) == directories


# -- the people directory ----------------------------------------------------------------


@pytest.fixture
def people_page():
    first_page_of(make_person)
    return make_person(name="Zoe Zed")


def test_a_new_ambassadorship_shows_in_the_house_facet(client, people_page):
    house = make_brand(name="Maison Claire")
    warm(client, "/people/")
    make_ambassadorship(person=people_page, brand=house)
    assert facet_counts(fresh(client, "/people/"), "house") == {"Maison Claire": 1}


def test_a_new_affiliation_shows_in_the_house_facet(client, people_page):
    house = make_brand(name="Maison Claire")
    warm(client, "/people/")
    Affiliation.objects.create(
        person=people_page, brand=house, role=Affiliation.Kind.CREATIVE_DIRECTOR
    )
    assert facet_counts(fresh(client, "/people/"), "house") == {"Maison Claire": 1}


def test_an_embargoed_ambassadorship_leaves_the_house_facet(client, people_page):
    ambassadorship = make_ambassadorship(person=people_page, brand=make_brand(name="Maison Claire"))
    warm(client, "/people/")
    ambassadorship.embargoed_until = tomorrow()
    ambassadorship.save()
    assert facet_counts(fresh(client, "/people/"), "house") == {}


def test_an_embargoed_person_leaves_the_facets(client, people_page):
    make_ambassadorship(person=people_page, brand=make_brand(name="Maison Claire"))
    warm(client, "/people/")
    people_page.refresh_from_db()
    people_page.embargoed_until = tomorrow()
    people_page.save()
    assert facet_counts(fresh(client, "/people/"), "house") == {}


def test_a_renamed_or_hidden_house_shows_in_the_house_facet(client, people_page):
    house = make_brand(name="Maison Claire")
    make_ambassadorship(person=people_page, brand=house)
    warm(client, "/people/")
    house.name = "Maison Claire Paris"
    house.save()
    assert facet_counts(fresh(client, "/people/"), "house") == {"Maison Claire Paris": 1}
    house.embargoed_until = tomorrow()
    house.save()
    assert facet_counts(fresh(client, "/people/"), "house") == {}


def test_a_role_given_from_either_end_shows_in_the_role_facet(client, people_page):
    role = Role.objects.create(name="Muse")
    warm(client, "/people/")
    role.people.add(people_page)
    assert facet_counts(fresh(client, "/people/"), "role") == {"Muse": 1}
    get(client, "/people/")
    people_page.roles.remove(role)
    assert facet_counts(fresh(client, "/people/"), "role") == {}


def test_a_renamed_role_shows_in_the_role_facet(client, people_page):
    role = Role.objects.create(name="Muse")
    people_page.roles.add(role)
    warm(client, "/people/")
    role.name = "Muses"
    role.save()
    assert facet_counts(fresh(client, "/people/"), "role") == {"Muses": 1}


def test_publishing_a_story_lists_the_people_it_makes_public(client, world, editor):
    from newsroom.services import article_publish

    newcomer = make_person(name="Adut Okafor", published_by_hand=False)
    draft = make_article(headline="A brand new story", status=Article.Status.DRAFT)
    draft.people.add(newcomer)
    warm(client, "/people/")
    assert "Adut Okafor" not in listed(get(client, "/people/"))
    article_publish(article=draft, user=editor)
    assert "Adut Okafor" in listed(fresh(client, "/people/"))


# -- houses, bags, campaigns, events -----------------------------------------------------


def test_a_bag_moved_to_another_house_moves_the_houses_in_their_directory(client):
    old = make_brand(name="Maison Ancienne", published_by_hand=False)
    new = make_brand(name="Maison Nouvelle", published_by_hand=False)
    bag = make_product(name="Le Sac", brand=old)
    make_article().products.add(bag)
    warm(client, "/brands/")
    assert listed(get(client, "/brands/")) == ["Maison Ancienne"]
    bag.refresh_from_db()
    bag.brand = new
    bag.save()
    assert listed(fresh(client, "/brands/")) == ["Maison Nouvelle"]


def test_a_house_made_public_by_a_bag_moved_to_it_shows_in_its_directory(client):
    first_page_of(make_brand)
    old = make_brand(name="Zz Ancienne", published_by_hand=False)
    new = make_brand(name="Aa 00 Nouvelle", published_by_hand=False)
    bag = make_product(name="Le Sac", brand=old)
    make_article().products.add(bag)
    warm(client, "/brands/")
    bag.refresh_from_db()
    bag.brand = new
    bag.save()
    assert "Aa 00 Nouvelle" in listed(fresh(client, "/brands/"))


def test_a_renamed_house_shows_in_its_directory(client, world):
    warm(client, "/brands/")
    brand = make_brand(name="Zz House")
    assert "Zz House" in listed(fresh(client, "/brands/"))
    brand.name = "Zz Maison"
    brand.save()
    assert "Zz Maison" in listed(fresh(client, "/brands/"))


@pytest.fixture
def products_page():
    house = make_brand(name="Aa House")
    first_page_of(lambda name: make_product(name=name, brand=house))
    return make_product(name="Zz Bag", brand=house)


def test_a_new_or_renamed_colourway_shows_in_the_colour_facet(client, products_page):
    warm(client, "/products/")
    colourway = make_colorway(product=products_page, name="Noir")
    assert facet_counts(fresh(client, "/products/"), "colour") == {"Noir": 1}
    colourway.name = "Black"
    colourway.save()
    assert facet_counts(fresh(client, "/products/"), "colour") == {"Black": 1}
    colourway.delete()
    assert facet_counts(fresh(client, "/products/"), "colour") == {}


def test_a_new_material_shows_in_the_material_facet(client, products_page):
    warm(client, "/products/")
    products_page.materials = "Lambskin"
    products_page.save()
    assert facet_counts(fresh(client, "/products/"), "material") == {"Lambskin": 1}


def test_a_renamed_house_shows_in_the_bag_facet(client, products_page):
    warm(client, "/products/")
    house = products_page.brand
    house.name = "Aa Maison"
    house.save()
    assert facet_counts(fresh(client, "/products/"), "house") == {"Aa Maison": PAGE_SIZE + 2}


def test_a_renamed_series_shows_in_the_campaign_facet(client):
    house = make_brand(name="Aa House")
    first_page_of(lambda name: make_campaign(name=name, brand=house))
    series = CampaignSeries.objects.create(brand=house, name="Characters")
    make_campaign(name="Zz Campaign", brand=house, series=series)
    warm(client, "/campaigns/")
    series.name = "The Characters"
    series.save()
    assert facet_counts(fresh(client, "/campaigns/"), "series") == {"The Characters": 1}


def test_a_new_event_shows_in_the_kind_facet(client):
    first_page_of(lambda name: make_event(name=name, kind=Event.Kind.RUNWAY))
    warm(client, "/events/")
    make_event(name="Zz Gala", kind=Event.Kind.GALA)
    assert facet_counts(fresh(client, "/events/"), "kind") == {
        "Runway show": PAGE_SIZE + 1,
        "Gala": 1,
    }


# -- tags --------------------------------------------------------------------------------


@pytest.fixture
def tags_page():
    """A tag list showing one tag; a new tag comes after it on the same page."""
    article = make_article(headline="A story with a tag")
    article.tags.add("aa subject")
    return article


def test_a_tag_added_to_a_live_story_shows_in_the_tag_list(client, tags_page):
    warm(client, "/tags/")
    make_article().tags.add("ab new subject")
    assert "ab new subject" in fresh(client, "/tags/").text


def test_a_tagged_story_saved_as_a_row_shows_in_the_tag_list(client, tags_page):
    tag = Tag.objects.create(name="ab subject")
    article = make_article()
    warm(client, "/tags/")
    tagged = TaggedArticle.objects.create(tag=tag, content_object=article)
    assert "ab subject" in fresh(client, "/tags/").text
    tagged.delete()
    assert "ab subject" not in fresh(client, "/tags/").text


def test_publishing_and_unpublishing_a_tagged_story_shows_in_the_tag_list(
    client, tags_page, editor
):
    from newsroom.services import article_publish, article_unpublish

    draft = make_article(status=Article.Status.DRAFT)
    draft.tags.add("ab new subject")
    warm(client, "/tags/")
    article_publish(article=draft, user=editor)
    assert "ab new subject" in fresh(client, "/tags/").text
    article_unpublish(article=draft, user=editor)
    assert "ab new subject" not in fresh(client, "/tags/").text


def test_a_tag_renamed_onto_the_first_page_shows_there(client):
    article = make_article()
    article.tags.add(*(f"ab {n:02d}" for n in range(PAGE_SIZE + 1)), "zz subject")
    warm(client, "/tags/")
    tag = Tag.objects.get(name="zz subject")
    tag.name = "aa subject"
    tag.save()
    assert "aa subject" in fresh(client, "/tags/").text


def test_a_person_renamed_onto_the_first_page_shows_there(client, people_page):
    warm(client, "/people/")
    people_page.refresh_from_db()
    people_page.name = "Aa 00 Zoe"
    people_page.save()
    assert "Aa 00 Zoe" in listed(fresh(client, "/people/"))


def test_a_renamed_tag_shows_in_the_tag_list(client, world):
    warm(client, "/tags/")
    _rename_tag(world)
    assert "Red Carpet Looks" in fresh(client, "/tags/").text


# -- search ------------------------------------------------------------------------------


def test_a_live_story_edited_to_match_shows_in_search(client, world):
    article, _ = world
    url = "/search/?q=zephyr"
    warm(client, url)
    assert "Ines Moreau fronts" not in get(client, url).text
    article.body = "<p>A zephyr of a campaign.</p>"
    article.save()
    assert "Ines Moreau fronts" in fresh(client, url).text


def test_a_new_alias_shows_in_search_and_suggestions(client, world):
    _, person = world
    urls = ["/search/?q=Nessa", "/search/suggest/?q=Nessa"]
    warm(client, *urls)
    person.refresh_from_db()
    person.aliases = "Nessa"
    person.save()
    for url in urls:
        assert "Ines Moreau" in fresh(client, url).content.decode(), url


def test_publishing_and_embargoes_show_in_search(client, world, editor):
    from newsroom.services import article_publish

    article, person = world
    draft = make_article(headline="Moreau returns", status=Article.Status.DRAFT)
    warm(client, SEARCH)
    article_publish(article=draft, user=editor)
    assert draft.get_absolute_url() in fresh(client, SEARCH).text
    person.refresh_from_db()
    person.embargoed_until = tomorrow()
    person.save()
    assert person.get_absolute_url() not in fresh(client, SEARCH).text
