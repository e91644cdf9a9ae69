"""Mention suggestions and the unpublished-link guard in the article and entity admins."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from newsroom.assistants import confirmation, suggestions
from newsroom.models import Article, Event, Person
from tests.conftest import png_bytes
from tests.factories import (
    make_article,
    make_brand,
    make_campaign,
    make_person,
    make_product,
    tomorrow,
    yesterday,
)

pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """Collects what a browser would submit from one form of a page."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._select = None
        self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(client, url, form_id, **changes):
    """The fields of ``form_id`` on the page at ``url``, with ``changes`` applied."""
    response = client.get(url)
    assert response.status_code == 200
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {name: values for name, values in reader.data.items() if values != []}
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    data.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def links_url(article):
    return reverse("admin:newsroom_article_link_mentions", args=[article.pk])


@pytest.fixture
def draft():
    return make_article(
        headline="Balenciaga's new face",
        dek="Michelle Yeoh carries the Bel Air.",
        body="<p>Shot by <em>Nadav Kander</em> at a rodeo, with the Bel Air Hobo.</p>",
        status=Article.Status.DRAFT,
    )


@pytest.fixture
def cast():
    brand = make_brand(name="Balenciaga")
    return {
        "brand": brand,
        "yeoh": make_person(name="Michelle Yeoh"),
        "kander": make_person(name="Nadav Kander"),
        "bel_air": make_product(name="Bel Air", brand=brand),
        "hobo": make_product(name="Bel Air Hobo", brand=brand),
        "rodeo": make_product(name="Rodeo", brand=brand),
        "stranger": make_person(name="Someone Unnamed"),
    }


# Mention suggestions ------------------------------------------------------------------


def test_report_lists_mentions_not_linked_and_links_not_mentioned(draft, cast):
    draft.people.add(cast["stranger"], cast["yeoh"])
    report = suggestions.mention_report(draft)
    assert [s.entity.name for s in report.suggestions] == [
        "Balenciaga",
        "Bel Air",
        "Nadav Kander",
        "Bel Air Hobo",
    ]
    assert [ref.name for ref in report.unmentioned] == ["Someone Unnamed"]
    assert [ref.name for ref in report.confirmed] == ["Michelle Yeoh"]
    kander = next(s for s in report.suggestions if s.entity.name == "Nadav Kander")
    assert kander.snippet.startswith("Shot by Nadav Kander at a rodeo")
    assert kander.entity.key == f"people:{cast['kander'].pk}"
    assert kander.where == "text"
    assert report.suggestions[0].where == "headline"
    assert report.suggestions[1].where == "dek"


def test_lower_case_word_is_not_a_mention_of_a_capitalised_name(draft, cast):
    names = [s.entity.name for s in suggestions.mention_report(draft).suggestions]
    assert "Rodeo" not in names


def test_suggestions_include_embargoed_entities(draft, cast):
    cast["kander"].embargoed_until = tomorrow()
    cast["kander"].save()
    kander = next(
        s for s in suggestions.mention_report(draft).suggestions if s.entity.name == "Nadav Kander"
    )
    assert kander.entity.is_embargoed


def test_change_form_shows_the_suggestions(editor_client, draft, cast):
    draft.people.add(cast["stranger"])
    response = editor_client.get(change_url(draft))
    content = " ".join(response.content.decode().split())
    assert "Nadav Kander</a> (person) is mentioned but not linked." in content
    assert f'name="link" value="people:{cast["kander"].pk}"' in content
    assert "Someone Unnamed</a> (person) is linked, but the text never mentions it." in content
    assert f'action="{links_url(draft)}"' in content


def test_add_form_starts_with_an_empty_live_panel(editor_client, cast):
    """Nothing is suggested before anything is typed; the panel fills in as one types."""
    response = editor_client.get(reverse("admin:newsroom_article_add"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="mention-suggestions"' in content
    assert "data-suggestion=" not in content and "data-unmentioned=" not in content


def test_one_click_links_a_suggestion(editor_client, draft, cast):
    version = draft.version
    response = editor_client.post(links_url(draft), {"link": f"people:{cast['kander'].pk}"})
    assert response.status_code == 302
    assert response.url == change_url(draft)
    assert list(draft.people.all()) == [cast["kander"]]
    draft.refresh_from_db()
    assert draft.version == version + 1, "a form opened before must now be stale"
    page = editor_client.get(response.url).content.decode()
    assert "Linked Nadav Kander to this article." in page
    latest = Version.objects.get_for_object(draft).first()
    assert latest.revision.comment == "Linked Nadav Kander from mention suggestions."
    assert latest.field_dict["people"] == [cast["kander"].pk]


def test_link_all_and_unlink(editor_client, draft, cast):
    draft.people.add(cast["stranger"])
    keys = [s.entity.key for s in suggestions.mention_report(draft).suggestions]
    editor_client.post(links_url(draft), {"link": keys})
    assert set(draft.products.all()) == {cast["bel_air"], cast["hobo"]}
    assert set(draft.brands.all()) == {cast["brand"]}
    assert suggestions.mention_report(draft).suggestions == []
    editor_client.post(links_url(draft), {"unlink": f"people:{cast['stranger'].pk}"})
    assert set(draft.people.all()) == {cast["kander"], cast["yeoh"]}


def test_linking_ignores_unknown_fields_and_rows(editor_client, draft, cast):
    response = editor_client.post(
        links_url(draft), {"link": ["tags:1", "people:999999", "x", "people:²", "people:1" + "0" * 40]}
    )
    assert response.status_code == 302
    assert not draft.people.exists()


def test_linking_needs_post(editor_client, draft, cast):
    assert editor_client.get(links_url(draft)).status_code == 405


def test_linking_needs_the_change_permission(client, django_user_model, draft, cast):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    response = client.post(links_url(draft), {"link": f"people:{cast['kander'].pk}"})
    assert response.status_code == 403
    assert not draft.people.exists()


def test_linking_needs_a_csrf_token(editor, draft, cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(links_url(draft), {"link": f"people:{cast['kander'].pk}"})
    assert response.status_code == 403
    assert not draft.people.exists()


def test_saving_reports_mentions_not_linked(editor_client, draft, cast):
    data = form_data(editor_client, change_url(draft), "article_form", _continue="1")
    response = editor_client.post(change_url(draft), data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "Balenciaga, Michelle Yeoh, Bel Air, Nadav Kander and Bel Air Hobo are mentioned "
        "but not linked" in m
        for m in messages
    ), messages


def test_index_is_built_once_and_rebuilt_after_a_change(cast, django_assert_max_num_queries):
    first = suggestions.mention_index()
    with django_assert_max_num_queries(len(suggestions.mentionable())):
        assert suggestions.mention_index() is first
    make_person(name="Nadav Kander Junior")
    assert suggestions.mention_index() is not first


def test_report_runs_a_fixed_number_of_queries(draft, django_assert_num_queries):
    brand = make_brand(name="Maison")
    for n in range(120):
        make_person(name=f"Model Number {n}", aliases=f"Number {n}")
        make_product(name=f"Bag {n}", brand=brand)
    suggestions.mention_index()  # warm
    draft.body += "<p>" + " ".join(f"Model Number {n}, Bag {n}." for n in range(120)) + "</p>"
    draft.save()
    # five version aggregates, five lookups of what is linked
    with django_assert_num_queries(10):
        report = suggestions.mention_report(draft)
    assert len(report.suggestions) == 240


# The publishing guard -----------------------------------------------------------------


@pytest.fixture
def in_review(cast):
    article = make_article(
        headline="Michelle Yeoh for Balenciaga",
        body="<p>Michelle Yeoh carries the Bel Air.</p>",
        status=Article.Status.REVIEW,
    )
    article.people.add(cast["yeoh"])
    article.products.add(cast["bel_air"])
    return article


def _publish_data(client, article, **changes):
    return form_data(
        client, change_url(article), "article_form", status="published", _save="1", **changes
    )


def test_publishing_without_problems_goes_straight_through(editor_client, in_review):
    response = editor_client.post(change_url(in_review), _publish_data(editor_client, in_review))
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.is_published


def test_publishing_with_an_embargoed_link_asks_first(editor_client, in_review, cast):
    cast["yeoh"].embargoed_until = tomorrow()
    cast["yeoh"].save()
    data = _publish_data(editor_client, in_review, headline="Michelle Yeoh, new face")
    response = editor_client.post(change_url(in_review), data)
    assert response.status_code == 200
    assert "admin/newsroom/article/confirm_links.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Michelle Yeoh (person)" in content
    assert "still under embargo" in content
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW
    assert in_review.headline == "Michelle Yeoh for Balenciaga", "nothing saved before Yes"

    reader = _FormReader(None)
    reader.inside = True
    reader.feed(content.split('id="confirm-links"', 1)[1])
    carried = {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}
    carried.pop("csrfmiddlewaretoken")
    assert carried["headline"] == "Michelle Yeoh, new face"
    response = editor_client.post(change_url(in_review), {**carried, "_confirm_links": "yes"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.is_published
    assert in_review.headline == "Michelle Yeoh, new face"


def test_answering_no_returns_to_the_form_unsaved(editor_client, in_review, cast):
    cast["bel_air"].embargoed_until = tomorrow()
    cast["bel_air"].save()
    data = _publish_data(editor_client, in_review, dek="A new dek")
    response = editor_client.post(change_url(in_review), {**data, "_links_back": "1"})
    assert response.status_code == 200
    assert "Not saved yet" in response.content.decode()
    assert response.context["adminform"].form["dek"].value() == "A new dek"
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW
    assert in_review.dek != "A new dek"


def test_live_article_asks_only_about_newly_linked_embargoed_things(editor_client, cast):
    live = make_article(headline="Live story", body="<p>Michelle Yeoh.</p>")
    cast["yeoh"].embargoed_until = tomorrow()
    cast["yeoh"].save()
    live.people.add(cast["yeoh"])  # linked before the embargo: already accepted
    data = form_data(editor_client, change_url(live), "article_form", dek="New dek", _save="1")
    assert editor_client.post(change_url(live), data).status_code == 302

    cast["kander"].embargoed_until = tomorrow()
    cast["kander"].save()
    data = form_data(editor_client, change_url(live), "article_form", _save="1")
    data["people"] = [str(cast["yeoh"].pk), str(cast["kander"].pk)]
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Save “Live story”?" in content
    assert "Nadav Kander (person)" in content
    assert "Michelle Yeoh (person)" not in content


def test_answering_no_with_an_upload_asks_to_choose_it_again(editor_client, in_review, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cast["yeoh"].embargoed_until = tomorrow()
    cast["yeoh"].save()
    data = _publish_data(editor_client, in_review, lead_image_alt="Yeoh")
    data["lead_image"] = SimpleUploadedFile("yeoh.png", png_bytes(), "image/png")
    held = editor_client.post(change_url(in_review), data).context["held_uploads"]
    data.pop("lead_image")
    response = editor_client.post(
        change_url(in_review), {**data, "_links_back": "1", "_held_upload": held}
    )
    assert response.status_code == 200
    assert "Choose the file to upload again" in response.content.decode()
    in_review.refresh_from_db()
    assert not in_review.lead_image


def test_an_embargo_that_lifts_before_publication_needs_no_confirmation(
    editor_client, in_review, cast
):
    cast["yeoh"].embargoed_until = tomorrow()
    cast["yeoh"].save()
    later = timezone.localtime(tomorrow() + timezone.timedelta(days=1))
    data = _publish_data(
        editor_client,
        in_review,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    response = editor_client.post(change_url(in_review), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    in_review.refresh_from_db()
    assert in_review.is_scheduled


def test_publishing_with_a_body_link_to_an_unpublished_article_asks_first(editor_client, in_review):
    hidden = make_article(headline="Not out yet", status=Article.Status.DRAFT)
    body = f'<p>See <a href="{hidden.get_absolute_url()}">this</a> and <a href="/nowhere/">that</a>.</p>'
    response = editor_client.post(
        change_url(in_review), _publish_data(editor_client, in_review, body=body)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "an article readers cannot see yet" in content
    assert "no page at this address" in content


def test_held_upload_is_saved_after_yes(editor_client, in_review, cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cast["yeoh"].embargoed_until = tomorrow()
    cast["yeoh"].save()
    data = _publish_data(editor_client, in_review, lead_image_alt="Michelle Yeoh in red")
    data["lead_image"] = SimpleUploadedFile("yeoh.png", png_bytes(), "image/png")
    response = editor_client.post(change_url(in_review), data)
    assert response.status_code == 200
    held = response.context["held_uploads"]
    assert len(held) == 1
    data.pop("lead_image")
    response = editor_client.post(
        change_url(in_review), {**data, "_confirm_links": "yes", "_held_upload": held}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.lead_image.name.startswith("articles/yeoh")
    assert in_review.lead_image_width == 40
    held_dir = settings.HELD_UPLOADS_ROOT
    assert not any(p.is_file() for p in held_dir.rglob("*")), "held copies are removed"


def test_abandoned_held_uploads_are_swept(settings):
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from newsroom.uploads import held_storage

    storage = held_storage()
    old = storage.save(f"{'a' * 32}.png", ContentFile(png_bytes()))
    fresh = storage.save(f"{'b' * 32}.png", ContentFile(png_bytes()))
    confirmation._sweep_held_uploads(now=timezone.now() + timedelta(minutes=30))
    assert storage.exists(old) and storage.exists(fresh)
    confirmation._sweep_held_uploads(now=timezone.now() + timedelta(hours=2))
    assert not storage.exists(old) and not storage.exists(fresh)


def test_forged_held_upload_is_ignored(editor_client, in_review):
    data = _publish_data(editor_client, in_review, lead_image_alt="x")
    response = editor_client.post(
        change_url(in_review), {**data, "_confirm_links": "yes", "_held_upload": "forged"}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert not in_review.lead_image


def _action(client, action, *articles, **extra):
    return client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles], "index": "0", **extra},
    )


def test_publish_action_asks_first_and_publishes_after_yes(editor_client, in_review, cast):
    cast["bel_air"].embargoed_until = tomorrow()
    cast["bel_air"].save()
    fine = make_article(status=Article.Status.REVIEW)
    response = _action(editor_client, "publish", in_review, fine)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bel Air (product)" in content
    assert "“Michelle Yeoh for Balenciaga” links to" in content
    assert not Article.objects.published().filter(pk__in=[in_review.pk, fine.pk]).exists()
    response = _action(editor_client, "publish", in_review, fine, _confirm_links="yes")
    assert response.status_code == 302
    assert Article.objects.published().filter(pk__in=[in_review.pk, fine.pk]).count() == 2


def test_publish_action_without_problems_does_not_ask(editor_client, in_review):
    response = _action(editor_client, "publish", in_review)
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.is_published


def test_unpublishing_a_story_others_link_to_asks_first(editor_client):
    target = make_article(headline="The original scoop")
    make_article(
        headline="The follow-up",
        body=f'<p>As <a href="{target.get_absolute_url()}">we reported</a>.</p>',
    )
    response = _action(editor_client, "unpublish", target)
    assert response.status_code == 200
    assert "The follow-up" in response.content.decode()
    target.refresh_from_db()
    assert target.is_published
    data = form_data(editor_client, change_url(target), "article_form", status="draft", _save="1")
    response = editor_client.post(change_url(target), data)
    assert response.status_code == 200
    assert "Unpublish “The original scoop”?" in response.content.decode()
    response = _action(editor_client, "unpublish", target, _confirm_links="yes")
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_published


# The embargo guard --------------------------------------------------------------------


def _embargo(client, obj, when, **extra):
    local = timezone.localtime(when)
    data = form_data(
        client,
        change_url(obj),
        f"{obj._meta.model_name}_form",
        embargoed_until_0=local.strftime("%Y-%m-%d"),
        embargoed_until_1=local.strftime("%H:%M:%S"),
        _save="1",
        **extra,
    )
    return client.post(change_url(obj), data)


@pytest.mark.parametrize("kind", ["person", "brand", "product", "campaign", "event"])
def test_embargoing_something_live_stories_link_to_asks_first(editor_client, kind):
    entity = {
        "person": make_person,
        "brand": make_brand,
        "product": make_product,
        "campaign": make_campaign,
        "event": lambda: Event.objects.create(name="Met Gala", slug="met-gala"),
    }[kind]()
    story = make_article(headline="A live story")
    getattr(
        story,
        Article._meta.get_field(
            {
                "person": "people",
                "brand": "brands",
                "product": "products",
                "campaign": "campaigns",
                "event": "events",
            }[kind]
        ).name,
    ).add(entity)
    response = _embargo(editor_client, entity, tomorrow())
    assert response.status_code == 200, response
    content = response.content.decode()
    assert "A live story" in content
    assert "Yes, embargo it" in content
    entity.refresh_from_db()
    assert entity.embargoed_until is None

    response = _embargo(editor_client, entity, tomorrow(), _confirm_links="yes")
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.embargoed_until is not None


def test_embargoing_something_only_drafts_link_to_does_not_ask(editor_client):
    person = make_person()
    make_article(status=Article.Status.DRAFT).people.add(person)
    assert _embargo(editor_client, person, tomorrow()).status_code == 302


def test_embargo_guard_lists_stories_linking_in_their_text(editor_client):
    person = make_person(name="Nadav Kander")
    make_article(
        headline="Hand-made link", body=f'<p><a href="{person.get_absolute_url()}">him</a></p>'
    )
    response = _embargo(editor_client, person, tomorrow())
    assert response.status_code == 200
    assert "Hand-made link" in response.content.decode()


def test_lifting_an_embargo_does_not_ask(editor_client):
    person = make_person(embargoed_until=tomorrow())
    make_article().people.add(person)
    assert _embargo(editor_client, person, yesterday()).status_code == 302
    assert Person.objects.public().filter(pk=person.pk).exists()


def test_places_and_months_are_not_offered_as_new_names(db):
    text = "Shown in Paris in March, the bags went on to Milan and to Coperni."
    assert suggestions.unknown_names(text, [], places={"paris"}) == ["Milan", "Coperni"]


def test_an_events_place_is_known_to_the_suggestions(db):
    Event.objects.create(name="Fall show", slug="fall-show", location="Paris, Le Carreau du Temple")
    suggestions.reset_mention_index()
    draft = make_article(
        headline="The fall show",
        body="<p>The house showed in Paris on Sunday with Coperni in the front row.</p>",
        status=Article.Status.DRAFT,
    )
    assert suggestions.mention_report(draft).unknown == ["Coperni"]
