"""Surrogate keys: what each page carries, what each write invalidates, and nothing more."""

import pytest

from newsroom import cache as pagecache
from newsroom import entities, surrogate
from newsroom.models import Article, CampaignSeries
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_campaign,
    make_event,
    make_person,
    make_product,
    make_quote,
    tomorrow,
)
from tests.pagecache import get, is_hit, keys_of, warm

pytestmark = pytest.mark.django_db


MAKERS = {
    "person": lambda name: make_person(name=name),
    "brand": lambda name: make_brand(name=name),
    "product": lambda name: make_product(name=name),
    "campaign": lambda name: make_campaign(name=name),
    "event": lambda name: make_event(name=name),
}


@pytest.fixture
def story():
    person = make_person(name="Ines Moreau")
    article = make_article(headline="Ines Moreau fronts the campaign")
    article.people.add(person)
    article.tags.add("red carpet")
    return article, person


@pytest.fixture
def unrelated():
    other = make_person(name="Adut Okafor")
    article = make_article(headline="Adut Okafor walks")
    article.people.add(other)
    return article, other


# -- what pages carry ------------------------------------------------------------------


def test_an_article_page_carries_the_story_and_everything_it_shows(client, story):
    article, person = story
    keys = keys_of(get(client, article.get_absolute_url()))
    tag = article.tags.get()
    assert {f"article-{article.pk}", f"person-{person.pk}", f"tag-{tag.pk}", "all"} <= keys
    assert "content" not in keys


@pytest.mark.parametrize(
    ("url", "key"),
    [("/", "home"), ("/articles/", "article-list"), ("/feeds/articles/", "feeds")],
)
def test_lists_carry_their_collection_key(client, story, url, key):
    article, _ = story
    keys = keys_of(get(client, url))
    assert {key, f"article-{article.pk}"} <= keys
    assert "content" not in keys


def test_sitemap_sections_carry_the_sitemap_and_directory_keys(client, story):
    assert {"sitemap", "people-list"} <= keys_of(get(client, "/sitemap-people.xml"))
    assert {"sitemap", "article-list"} <= keys_of(get(client, "/sitemap-articles.xml"))


def test_entity_pages_carry_their_own_key(client, story):
    brand = make_brand(name="Maison Claire")
    product = make_product(name="Le Sac", brand=brand)
    article, person = story
    article.products.add(product)
    assert f"person-{person.pk}" in keys_of(get(client, person.get_absolute_url()))
    brand_keys = keys_of(get(client, brand.get_absolute_url()))
    assert {f"brand-{brand.pk}", f"product-{product.pk}"} <= brand_keys
    assert "content" not in brand_keys
    assert f"product-{product.pk}" in keys_of(get(client, product.get_absolute_url()))


def test_series_and_event_pages_carry_their_own_key(client, story):
    article, person = story
    series = CampaignSeries.objects.create(name="Characters", slug="characters", brand=make_brand())
    campaign = make_campaign(name="Characters I", brand=series.brand, series=series)
    campaign.people.add(person)
    event = make_event(name="Met Gala")
    event.people.add(person)
    series_keys = keys_of(get(client, series.get_absolute_url()))
    assert {f"campaignseries-{series.pk}", f"campaign-{campaign.pk}", f"person-{person.pk}"} <= (
        series_keys
    )
    event_keys = keys_of(get(client, event.get_absolute_url()))
    assert {f"event-{event.pk}", f"person-{person.pk}"} <= event_keys
    assert "content" not in series_keys | event_keys


def test_search_suggestions_are_revalidated_by_browsers_and_kept_by_shared_caches(client, story):
    response = get(client, "/search/suggest/?q=Ines")
    assert "Ines Moreau" in response.content.decode()
    assert surrogate.SEARCH in keys_of(response)
    cache_control = response["Cache-Control"]
    assert "max-age=0" in cache_control and "s-maxage=" in cache_control


def test_robots_txt_shows_no_rows_and_carries_only_all(client):
    assert keys_of(get(client, "/robots.txt")) == {surrogate.ALL}


def test_a_render_that_declares_nothing_carries_content():
    with surrogate.collect() as recorder:
        surrogate.add_keys({"person-1"})
    assert recorder.final_keys() == {surrogate.ALL, surrogate.CONTENT, "person-1"}


def test_catalog_pages_name_their_row_as_the_registry_does():
    """catalog cannot import the registry; its header must spell keys the same way."""
    for kind in entities.kinds():
        if kind.model._meta.app_label == "catalog":
            assert kind.cache_key(7) == f"{kind.model._meta.model_name}-7"


def test_a_public_page_tells_shared_caches_to_keep_it_and_browsers_to_revalidate(client, story):
    article, _ = story
    for response in (
        get(client, article.get_absolute_url()),
        get(client, article.get_absolute_url()),
    ):
        cache_control = response["Cache-Control"]
        assert "max-age=0" in cache_control and "s-maxage=" in cache_control
        assert response["Surrogate-Control"].startswith("max-age=")


def test_shared_caches_never_keep_a_page_past_the_next_schedule_point(client, story):
    from datetime import timedelta

    from django.utils import timezone

    article, _ = story
    make_article(published_at=timezone.now() + timedelta(seconds=90))
    for response in (
        get(client, article.get_absolute_url()),
        get(client, article.get_absolute_url()),
    ):
        s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        assert 1 <= s_maxage <= 90


# -- what writes invalidate ------------------------------------------------------------


def test_a_draft_save_invalidates_nothing(client, story, unrelated):
    article, person = story
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        person.get_absolute_url(),
        "/feeds/articles/",
    ]
    warm(client, *urls)
    version = pagecache.current_state().version
    draft = make_article(headline="Work in progress", status=Article.Status.DRAFT)
    draft.people.add(person)
    draft.tags.add("red carpet")
    for status in (Article.Status.DRAFT, Article.Status.REVIEW):
        draft.status = status
        draft.body = "<p>More words.</p>"
        draft.save()
    assert pagecache.current_state().version == version
    for url in urls:
        assert is_hit(get(client, url)), url


def test_renaming_a_person_invalidates_only_the_pages_that_show_them(client, story, unrelated):
    article, person = story
    other_article, other = unrelated
    warm(client, article.get_absolute_url(), person.get_absolute_url())
    warm(client, other_article.get_absolute_url(), other.get_absolute_url())
    person.name = "Inès Moreau-Laurent"
    person.save()
    for url in (article.get_absolute_url(), person.get_absolute_url()):
        response = get(client, url)
        assert not is_hit(response), url
        assert "Inès Moreau-Laurent" in response.content.decode(), url
    assert is_hit(get(client, other_article.get_absolute_url()))
    assert is_hit(get(client, other.get_absolute_url()))


@pytest.mark.parametrize("kind_key", list(MAKERS))
def test_renaming_any_kind_shows_on_the_story_and_its_own_page_only(client, unrelated, kind_key):
    kind = entities.get(kind_key)
    assert set(MAKERS) == {k.key for k in entities.kinds()}, "a new kind needs a maker here"
    obj = MAKERS[kind_key]("Original Name")
    article = make_article(headline="A story that links it")
    getattr(article, kind.article_field).add(obj)
    other_article, _ = unrelated
    urls = [article.get_absolute_url()]
    url = kind.url(obj.slug)
    if url:
        urls.append(url)
    warm(client, *urls, other_article.get_absolute_url())
    assert kind.cache_key(obj.pk) in keys_of(get(client, article.get_absolute_url()))
    shown = [page for page in urls if "Original Name" in get(client, page).content.decode()]
    assert url is None or url in shown
    obj.refresh_from_db()  # linking it set linked_since in the database
    obj.name = "Renamed Thing"
    obj.save()
    for page in urls:
        response = get(client, page)
        assert not is_hit(response), page
        assert "Original Name" not in response.content.decode(), page
        if page in shown:
            assert "Renamed Thing" in response.content.decode(), page
    assert is_hit(get(client, other_article.get_absolute_url()))


def test_publishing_invalidates_the_story_its_lists_and_what_it_links(
    client, story, unrelated, editor
):
    from newsroom.services import article_publish

    article, person = story
    other_article, _ = unrelated
    fresh = make_person(name="Newcomer Name", published_by_hand=False)
    draft = make_article(headline="A brand new story", status=Article.Status.DRAFT)
    draft.people.add(person, fresh)
    warm(client, "/", "/articles/", person.get_absolute_url(), other_article.get_absolute_url())
    assert client.get(fresh.get_absolute_url()).status_code == 404
    article_publish(article=draft, user=editor)
    for url in ["/", "/articles/", person.get_absolute_url(), article.get_absolute_url()]:
        response = get(client, url)
        assert not is_hit(response), url
    assert "A brand new story" in get(client, person.get_absolute_url()).content.decode()
    assert "Newcomer Name" in get(client, draft.get_absolute_url()).content.decode()
    assert get(client, fresh.get_absolute_url()).status_code == 200
    assert is_hit(get(client, other_article.get_absolute_url()))


def test_scheduling_invalidates_nothing_until_the_moment(client, story):
    article, person = story
    warm(client, "/", person.get_absolute_url())
    scheduled = make_article(headline="Tomorrow's story", published_at=tomorrow())
    scheduled.people.add(person)
    assert is_hit(get(client, "/"))
    assert is_hit(get(client, person.get_absolute_url()))
    assert pagecache.current_state().next_point == pytest.approx(scheduled.published_at.timestamp())


def test_an_embargo_hides_the_row_everywhere_it_shows(client, story):
    article, person = story
    warm(client, article.get_absolute_url())
    person.embargoed_until = tomorrow()
    person.save()
    assert person.get_absolute_url() not in get(client, article.get_absolute_url()).content.decode()


def test_a_new_ambassadorship_shows_on_the_person_and_brand_pages(client, story):
    _, person = story
    brand = make_brand(name="Maison Claire", published_by_hand=True)
    warm(client, person.get_absolute_url(), brand.get_absolute_url())
    make_ambassadorship(person=person, brand=brand)
    assert "Maison Claire" in get(client, person.get_absolute_url()).content.decode()
    assert "Ines Moreau" in get(client, brand.get_absolute_url()).content.decode()


def test_a_quote_for_a_draft_invalidates_nothing(client, story):
    article, person = story
    draft = make_article(status=Article.Status.DRAFT)
    warm(client, article.get_absolute_url(), person.get_absolute_url())
    quote = make_quote(speaker_person=person, text="Not for print yet.", articles=[])
    # The quote's own row changes the speaker's key; its wording for a draft changes nothing.
    from newsroom.models import QuoteWording

    warm(client, person.get_absolute_url())
    QuoteWording.objects.create(quote=quote, article=draft)
    assert is_hit(get(client, person.get_absolute_url()))


def test_a_tag_rename_shows_on_the_story(client, story):
    article, _ = story
    warm(client, article.get_absolute_url())
    tag = article.tags.get()
    tag.name = "Red Carpet Looks"
    tag.save()
    assert "Red Carpet Looks" in get(client, article.get_absolute_url()).content.decode()


def test_a_write_to_raw_rows_can_name_its_keys(client, story, unrelated):
    article, person = story
    other_article, _ = unrelated
    warm(client, article.get_absolute_url(), other_article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(headline="Changed behind the ORM's back")
    pagecache.content_changed(surrogate.key_for(article))
    assert "behind the ORM" in get(client, article.get_absolute_url()).content.decode()
    assert is_hit(get(client, other_article.get_absolute_url()))


# -- one read per request --------------------------------------------------------------


def spy_on_cache(monkeypatch):
    """The page cache's own calls (pages, their state, fragments) from now on, by name."""
    cache = pagecache._cache()
    calls = []
    depth = []

    def spy(name):
        real = getattr(cache, name)

        def call(keys, *args, **kwargs):
            # Only the page cache's own calls, not those a backend makes inside one.
            names = [keys] if isinstance(keys, str) else list(keys)
            if not depth and any(key.startswith(("page", "fragment")) for key in names):
                calls.append(name)
            depth.append(name)
            try:
                return real(keys, *args, **kwargs)
            finally:
                depth.pop()

        return call

    for name in ("get", "get_many", "has_key", "add", "set", "set_many"):
        monkeypatch.setattr(cache, name, spy(name))
    return calls


def test_a_hit_reads_the_cache_once(client, story, monkeypatch):
    article, _ = story
    url = article.get_absolute_url()
    warm(client, url)
    calls = spy_on_cache(monkeypatch)
    assert is_hit(get(client, url))
    assert calls == ["get_many"], calls


def test_a_story_page_rendered_again_reads_and_writes_the_cache_six_times(
    client, story, monkeypatch
):
    article, _ = story
    url = article.get_absolute_url()
    warm(client, url)
    article.dek = "A new standfirst."
    article.save()
    calls = spy_on_cache(monkeypatch)
    assert "A new standfirst." in get(client, url).content.decode()
    # The page and its fragments read (two), the fragments kept (check, write),
    # the page kept (check, write): no round trip of its own for any part.
    assert calls == ["get_many", "get_many", "get_many", "set_many", "get_many", "set_many"], calls


# -- purges ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_purges_go_after_the_commit_with_the_keys_of_the_write(settings, monkeypatch):
    from django.db import transaction

    from newsroom import purge

    settings.PURGE_URLS = ["http://127.0.0.1:9/"]
    sent = []
    monkeypatch.setattr(purge, "send", lambda keys: sent.append(set(keys)))
    person = make_person(name="Ines Moreau")
    make_article().people.add(person)
    sent.clear()
    with transaction.atomic():
        person.name = "Renamed"
        person.save()
        assert sent == [], "nothing goes out before the commit"
    assert len(sent) == 1
    assert {f"person-{person.pk}", "people-list", "content"} <= sent[0]
    sent.clear()
    with transaction.atomic():
        draft = make_article(status=Article.Status.DRAFT)
        draft.people.add(person)
        draft.save()
    draft.body = "<p>Autocommitted draft save.</p>"
    draft.save()
    assert sent == []


def test_editing_a_person_readers_cannot_see_invalidates_nothing(client, story):
    article, person = story
    hidden = make_person(name="Adut Okafor", embargoed_until=tomorrow())
    article.people.add(hidden)
    urls = ["/", "/people/", article.get_absolute_url(), person.get_absolute_url()]
    warm(client, *urls)
    hidden.bio = "Walks for the house from next season."
    hidden.save()
    for url in urls:
        assert is_hit(get(client, url)), url
