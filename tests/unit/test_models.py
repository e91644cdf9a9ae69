import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from catalog.models import Brand, Colorway, Product
from newsroom.models import Ambassadorship, Article, Person, Quote, TaggedArticle
from tests.conftest import png_bytes
from tests.factories import (
    make_ambassadorship,
    make_article,
    make_brand,
    make_colorway,
    make_person,
    make_product,
    make_quote,
    tomorrow,
    yesterday,
)

pytestmark = pytest.mark.django_db


class TestPublished:
    def test_published_article_from_the_past_is_public(self):
        article = make_article(published_at=yesterday())
        assert list(Article.objects.published()) == [article]
        assert article.is_published

    @pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
    def test_draft_and_review_are_not_public(self, status):
        article = make_article(status=status, published_at=yesterday())
        assert not Article.objects.published().exists()
        assert not article.is_published

    def test_future_date_is_scheduled_not_public(self):
        article = make_article(published_at=tomorrow())
        assert not Article.objects.published().exists()
        assert list(Article.objects.scheduled()) == [article]
        assert article.is_scheduled and not article.is_published

    def test_published_without_a_date_is_not_public(self):
        make_article(published_at=None)
        assert not Article.objects.published().exists()

    def test_reverse_managers_inherit_published(self):
        person = make_person()
        public = make_article()
        draft = make_article(status=Article.Status.DRAFT)
        public.people.add(person)
        draft.people.add(person)
        assert list(person.articles.published()) == [public]


class TestValidation:
    def test_ambassadorship_cannot_end_before_it_starts(self):
        ambassadorship = Ambassadorship(
            person=make_person(), brand=make_brand(), since_year=2024, until_year=2020
        )
        with pytest.raises(ValidationError) as error:
            ambassadorship.full_clean()
        assert "before it starts" in str(error.value)

    def test_database_refuses_an_inverted_ambassadorship_too(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_ambassadorship(since_year=2024, until_year=2020)

    def test_quote_needs_exactly_one_speaker(self):
        quote = Quote(slug="q", text="Hi", speaker_person=make_person(), speaker_brand=make_brand())
        with pytest.raises(ValidationError):
            quote.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Quote.objects.create(slug="nobody", text="Hi")

    def test_product_cannot_be_its_own_variant(self):
        product = make_product()
        product.variant_of = product
        with pytest.raises(ValidationError):
            product.full_clean()

    def test_variant_must_share_the_brand(self):
        original = make_product()
        variant = Product(name="Hobo", brand=make_brand(), variant_of=original)
        with pytest.raises(ValidationError) as error:
            variant.full_clean()
        assert "same brand" in str(error.value)

    def test_swatch_must_be_a_hex_colour(self):
        colorway = Colorway(product=make_product(), name="Black", hex="black")
        with pytest.raises(ValidationError):
            colorway.full_clean()

    def test_lead_image_needs_alt_text(self):
        article = Article(headline="H", slug="h")
        article.lead_image = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert "lead_image_alt" in error.value.message_dict

    def test_slug_is_derived_from_the_name(self):
        assert make_person(name="Kim Kardashian").slug == "kim-kardashian"
        assert make_product(name="Le City").slug == "le-city"


class TestSanitising:
    def test_body_is_cleaned_on_save(self):
        article = make_article(
            body='<p onclick="steal()">Hi<script>alert(1)</script>'
            '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)></p>'
        )
        article.refresh_from_db()
        assert "script" not in article.body
        assert "onclick" not in article.body
        assert "javascript:" not in article.body
        assert "<img" not in article.body
        assert article.body.startswith("<p>Hi")

    def test_editor_formatting_survives(self):
        html = "<p>A <strong>bold</strong> and <em>quiet</em> line.</p><blockquote><p>Q</p></blockquote>"
        assert make_article(body=html).body == html


class TestNaturalKeys:
    def test_every_model_round_trips_by_natural_key(self):
        """Dump by natural keys, empty the tables, load again: the same content comes back."""
        brand = make_brand(name="Balenciaga")
        product = make_product(name="Bel Air", brand=brand)
        colorway = make_colorway(product=product, name="Black", hex="#000000")
        person = make_person(name="Kim Kardashian")
        ambassadorship = make_ambassadorship(person=person, brand=brand, since_year=2024)
        article = make_article(headline="Kim and the Bel Air")
        article.people.add(person)
        article.tags.add("Handbags")
        quote = make_quote(slug="ambassador-statement", speaker_person=person, articles=[article])
        tagged = TaggedArticle.objects.get()
        objects = [brand, product, colorway, person, ambassadorship, article, quote, tagged]
        for obj in objects:
            assert type(obj).objects.get_by_natural_key(*obj.natural_key()) == obj

        data = serializers.serialize(
            "json",
            [*objects, *quote.wordings.all()],
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        assert '"pk"' not in data
        for model in (Quote, Article, Ambassadorship, Person, Colorway, Product, Brand):
            model.objects.all().delete()
        for deserialized in serializers.deserialize("json", data, handle_forward_references=True):
            deserialized.save()

        article = Article.objects.get_by_natural_key("kim-and-the-bel-air")
        assert list(article.people.values_list("slug", flat=True)) == ["kim-kardashian"]
        assert list(article.tags.names()) == ["Handbags"]
        assert Colorway.objects.get_by_natural_key("bel-air", "Black").hex == "#000000"
        assert (
            Ambassadorship.objects.get_by_natural_key("kim-kardashian", "balenciaga").since_year
            == 2024
        )
        assert Quote.objects.get(slug="ambassador-statement").articles.get() == article


@pytest.mark.django_db
def test_a_row_loaded_before_its_story_went_live_keeps_its_publication_when_saved():
    opened = make_person(name="Nadia Roux", published_by_hand=False)  # an admin form, say
    assert not opened.is_published
    story = make_article(headline="Nadia Roux joins the house")
    story.people.add(opened)
    assert Person.objects.get(pk=opened.pk).is_published

    opened.aliases = "Nadia"
    opened.save()

    stored = Person.objects.get(pk=opened.pk)
    assert stored.aliases == "Nadia"
    assert stored.is_published, "the stale instance did not write its old linked_since back"
