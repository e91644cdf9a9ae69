"""Only editors decide when something becomes public, whichever form a writer uses.

Lifting or shortening an embargo and publishing without a story are editorial
decisions, like publishing an article; so is changing the quotes a live story
reports. Writers may hold things back for longer and edit what is not live.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Ambassadorship, Article, Person, Quote, QuoteWording
from tests.admin.postdata import _dt, person_data, product_data
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_person,
    make_product,
    make_quote,
)

pytestmark = pytest.mark.django_db


def _when(value):
    return {f"embargoed_until{k}": v for k, v in _dt(value).items()}


@pytest.fixture
def held_person(db):
    return make_person(name="Held Back", embargoed_until=timezone.now() + timedelta(days=3))


def _change(client, obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("new_moment", [None, timedelta(days=1)], ids=["lift", "shorten"])
def test_a_writer_cannot_lift_or_shorten_an_embargo(writer_client, held_person, new_moment):
    before = held_person.embargoed_until
    when = timezone.now() + new_moment if new_moment else None
    response = writer_client.post(_change(writer_client, held_person), person_data(held_person, **_when(when)))
    assert response.status_code == 200
    assert "Only editors can lift or shorten an embargo." in response.content.decode()
    held_person.refresh_from_db()
    assert held_person.embargoed_until == before


def test_a_writer_can_lengthen_an_embargo(writer_client, held_person):
    later = held_person.embargoed_until + timedelta(days=5)
    response = writer_client.post(_change(writer_client, held_person), person_data(held_person, **_when(later)))
    assert response.status_code == 302
    held_person.refresh_from_db()
    assert held_person.embargoed_until == later.replace(microsecond=0)


def test_an_editor_can_lift_an_embargo(editor_client, held_person):
    response = editor_client.post(
        _change(editor_client, held_person), person_data(held_person, published_by_hand="on")
    )
    assert response.status_code == 302
    held_person.refresh_from_db()
    assert held_person.embargoed_until is None


def test_a_writer_cannot_lift_a_bags_embargo_either(writer_client):
    bag = make_product(name="Under Wraps", embargoed_until=timezone.now() + timedelta(days=2))
    response = writer_client.post(_change(writer_client, bag), product_data(bag))
    assert "Only editors can lift or shorten an embargo." in response.content.decode()
    bag.refresh_from_db()
    assert bag.embargoed_until is not None


def test_publishing_without_a_story_is_read_only_to_writers(writer_client):
    person = make_person(name="Waiting", published_by_hand=False)
    page = writer_client.get(_change(writer_client, person)).content.decode()
    assert 'name="published_by_hand"' not in page
    writer_client.post(_change(writer_client, person), person_data(person, published_by_hand="on"))
    person.refresh_from_db()
    assert person.published_by_hand is False


def test_the_service_refuses_whatever_form_is_used(writer, held_person):
    held_person.embargoed_until = None
    with pytest.raises(PermissionDenied):
        services.entity_check_publication(entity=held_person, user=writer)
    fresh = Person(name="New", slug="new", published_by_hand=True)
    with pytest.raises(PermissionDenied):
        services.entity_check_publication(entity=fresh, user=writer)


def test_an_ambassadorship_embargo_cannot_be_lifted_inline_by_a_writer(writer_client):
    person = make_person(name="Face")
    deal = make_ambassadorship(person=person, embargoed_until=timezone.now() + timedelta(days=2))
    data = person_data(person)
    data.update(
        {
            "ambassadorships-TOTAL_FORMS": "1",
            "ambassadorships-INITIAL_FORMS": "1",
            "ambassadorships-0-id": str(deal.pk),
            "ambassadorships-0-person": str(person.pk),
            "ambassadorships-0-brand": str(deal.brand_id),
            "ambassadorships-0-since_year": "",
            "ambassadorships-0-until_year": "",
            "ambassadorships-0-note": "",
            "ambassadorships-0-embargoed_until_0": "",
            "ambassadorships-0-embargoed_until_1": "",
        }
    )
    response = writer_client.post(_change(writer_client, person), data)
    assert "Only editors can lift or shorten an embargo." in response.content.decode()
    assert Ambassadorship.objects.get(pk=deal.pk).embargoed_until is not None


def test_a_writer_cannot_lift_an_ambassadorship_embargo_on_its_own_form(writer_client):
    deal = make_ambassadorship(embargoed_until=timezone.now() + timedelta(days=2))
    response = writer_client.post(
        _change(writer_client, deal),
        {"person": deal.person_id, "brand": deal.brand_id, "note": "", **_when(None)},
    )
    assert "Only editors can lift or shorten an embargo." in response.content.decode()
    assert Ambassadorship.objects.get(pk=deal.pk).embargoed_until is not None


# Quotes --------------------------------------------------------------------------------


def _quote_data(quote, wordings=(), **overrides):
    data = {
        "slug": quote.slug,
        "speaker_person": quote.speaker_person_id or "",
        "speaker_brand": quote.speaker_brand_id or "",
        "text": quote.text,
        "channel": quote.channel,
        "source": quote.source,
        "said_on": "",
        "said_on_precision": quote.said_on_precision,
        "context": quote.context,
        "campaign": "",
        "wordings-TOTAL_FORMS": str(len(wordings)),
        "wordings-INITIAL_FORMS": str(sum(1 for w in wordings if w.get("id"))),
        "wordings-MIN_NUM_FORMS": "0",
        "wordings-MAX_NUM_FORMS": "1000",
    }
    for i, wording in enumerate(wordings):
        for key, value in wording.items():
            data[f"wordings-{i}-{key}"] = value
    data.update(overrides)
    return data


def test_a_quote_a_live_story_reports_is_read_only_to_writers(writer_client):
    live = make_article(headline="Live story")
    quote = make_quote(text="The original words.", articles=[live])
    url = _change(writer_client, quote)
    response = writer_client.post(url, _quote_data(quote, text="Words the writer made up."))
    assert response.status_code == 403
    quote.refresh_from_db()
    assert quote.text == "The original words."
    assert "Words the writer made up" not in writer_client.get(live.get_absolute_url()).content.decode()


def test_a_writer_cannot_add_a_wording_to_a_live_story(writer_client):
    live = make_article(headline="Live story")
    draft = make_article(headline="Draft story", status=Article.Status.DRAFT)
    quote = make_quote(text="Words.", articles=[draft])
    existing = QuoteWording.objects.get(quote=quote)
    wordings = [
        {"id": existing.pk, "quote": quote.pk, "article": draft.pk, "text": ""},
        {"quote": quote.pk, "article": live.pk, "text": "Slipped into a live story."},
    ]
    response = writer_client.post(_change(writer_client, quote), _quote_data(quote, wordings))
    assert response.status_code == 200
    assert "only editors can change the quotes it reports" in response.content.decode()
    assert not QuoteWording.objects.filter(article=live).exists()


def test_a_writer_edits_quotes_that_only_drafts_report(writer_client):
    draft = make_article(headline="Draft story", status=Article.Status.DRAFT)
    quote = make_quote(text="Words.", articles=[draft])
    existing = QuoteWording.objects.get(quote=quote)
    wordings = [{"id": existing.pk, "quote": quote.pk, "article": draft.pk, "text": "Reworded."}]
    response = writer_client.post(
        _change(writer_client, quote), _quote_data(quote, wordings, text="Better words.")
    )
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).text == "Better words."
    assert QuoteWording.objects.get(pk=existing.pk).text == "Reworded."


def test_an_editor_edits_a_live_storys_quote(editor_client):
    live = make_article(headline="Live story")
    quote = make_quote(text="Words.", articles=[live])
    response = editor_client.post(_change(editor_client, quote), _quote_data(quote, text="Fixed typo."))
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).text == "Fixed typo."
