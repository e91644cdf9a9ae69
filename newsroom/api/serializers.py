"""What each resource looks like in JSON.

Every object carries ``url`` (its API address) and ``html_url`` (its reader
page, or null while its kind has none); relations are small linked objects
(``name``, ``slug``, ``url``, ``html_url``). Serializers read rows that the
resources (:mod:`newsroom.api.resources`) loaded through the public querysets:
nothing here decides what is public.

Each serialized row adds its surrogate key to ``context["keys"]``, so that the
response names every row it shows (``Surrogate-Key``).
"""

from functools import cache

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.renditions import image_set
from newsroom import entities
from newsroom.templatetags.reader_tags import http_url


def api_path(plural, slug=None):
    root = reverse("api:root")
    return f"{root}{plural}/" if slug is None else f"{root}{plural}/{slug}/"


def absolute(context, path):
    if not path:
        return None
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def note_key(context, key):
    keys = context.get("keys")
    if keys is not None:
        keys.add(key)


URL_FIELD = {"type": "string", "format": "uri"}
NULLABLE_URL_FIELD = {"type": "string", "format": "uri", "nullable": True}


class LinkedSerializer(serializers.Serializer):
    """A row of a resource: name, slug, API address and page. Subclasses set the kind."""

    plural = None
    key = None

    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def page_path(self, obj):
        kind = entities.get(self.key)
        return kind.url(obj.slug)

    @extend_schema_field(URL_FIELD)
    def get_url(self, obj):
        return absolute(self.context, api_path(self.plural, obj.slug))

    @extend_schema_field(NULLABLE_URL_FIELD)
    def get_html_url(self, obj):
        return absolute(self.context, self.page_path(obj))

    def to_representation(self, instance):
        note_key(self.context, f"{self.key}-{instance.pk}")
        return super().to_representation(instance)


@cache
def link_serializer(key):
    """The linked-object serializer of a registered kind: ``PersonLink``, ``BrandLink``..."""
    kind = entities.get(key)
    name = "".join(part.title() for part in kind.key.split("_")) + "Link"
    return type(
        name,
        (LinkedSerializer,),
        {"plural": kind.plural, "key": kind.key, "__module__": __name__},
    )


def link(key, **kwargs):
    return link_serializer(key)(**kwargs)


# -- stories and tags (not kinds of the registry) -----------------------------------


class ArticleLink(LinkedSerializer):
    plural = "articles"
    key = "article"

    name = serializers.CharField(source="headline")
    published_at = serializers.DateTimeField()

    def page_path(self, obj):
        return obj.get_absolute_url()


class TagLink(LinkedSerializer):
    plural = "tags"
    key = "tag"

    def page_path(self, obj):
        return reverse("newsroom:tag-detail", kwargs={"slug": obj.slug})


# -- shared pieces -------------------------------------------------------------------


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField(allow_null=True)


class ImageSerializer(serializers.Serializer):
    """An image with its renditions (the ``srcset`` of the pages), alt text and credit."""

    src = serializers.URLField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = RenditionSerializer(many=True)
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)


def image_data(context, field_file, *, width=None, height=None, alt="", caption="", credit=""):
    """The image's data for :class:`ImageSerializer`, or None without an image."""
    images = image_set(field_file, width, height)
    if images is None:
        return None
    return {
        "src": absolute(context, images.src),
        "width": images.width,
        "height": images.height,
        "renditions": [
            {"url": absolute(context, c.url), "width": c.width, "height": c.height}
            for c in images.candidates
        ],
        "alt": alt,
        "caption": caption,
        "credit": credit,
    }


class StoriesMixin(serializers.Serializer):
    """The newest stories linking the row, and the filtered list of all of them."""

    stories = ArticleLink(many=True, source="api_stories")
    stories_url = serializers.SerializerMethodField()

    story_filter = None

    @extend_schema_field(URL_FIELD)
    def get_stories_url(self, obj):
        return absolute(self.context, f"{api_path('articles')}?{self.story_filter}={obj.slug}")


class DatedMixin(serializers.Serializer):
    date = serializers.DateField(allow_null=True)
    date_precision = serializers.CharField()
    date_display = serializers.CharField()


class YearsMixin(serializers.Serializer):
    since_year = serializers.IntegerField(allow_null=True)
    until_year = serializers.IntegerField(allow_null=True)
    years = serializers.CharField(source="years_display")


class QuoteSerializer(serializers.Serializer):
    """A public quote: its main wording and the published stories that report it."""

    slug = serializers.SlugField()
    text = serializers.CharField()
    channel = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    said_on = serializers.DateField(allow_null=True)
    said_on_precision = serializers.CharField()
    context = serializers.CharField(allow_blank=True)
    reported_in = serializers.SerializerMethodField()

    @extend_schema_field(ArticleLink(many=True))
    def get_reported_in(self, obj):
        return ArticleLink(
            [w.article for w in obj.wordings.all()], many=True, context=self.context
        ).data


# -- people ----------------------------------------------------------------------------


class PersonItem(link_serializer("person")):
    roles = serializers.SerializerMethodField()

    def get_roles(self, obj) -> list[str]:
        return [role.name for role in obj.roles.all()]


class AmbassadorshipSerializer(YearsMixin):
    brand = link("brand")
    note = serializers.CharField(allow_blank=True)


class AffiliationSerializer(YearsMixin):
    brand = link("brand")
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")


class CampaignWithDate(link_serializer("campaign"), DatedMixin):
    brand = link("brand")


class EventWithDate(link_serializer("event"), DatedMixin):
    pass


class PersonDetail(PersonItem, StoriesMixin):
    story_filter = "person"

    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    bio = serializers.CharField(allow_blank=True)
    portrait = serializers.SerializerMethodField()
    ambassadorships = AmbassadorshipSerializer(many=True, source="api_ambassadorships")
    affiliations = AffiliationSerializer(many=True, source="api_affiliations")
    campaigns = CampaignWithDate(many=True, source="api_campaigns")
    photographed_campaigns = CampaignWithDate(many=True, source="api_photographed")
    events = EventWithDate(many=True, source="api_events")
    quotes = QuoteSerializer(many=True, source="api_quotes")

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_portrait(self, obj):
        return image_data(
            self.context, obj.portrait, alt=obj.portrait_alt, credit=obj.portrait_credit
        )


# -- brands ----------------------------------------------------------------------------


class BrandItem(link_serializer("brand")):
    founded_year = serializers.IntegerField(allow_null=True)


class BrandAmbassadorship(YearsMixin):
    person = link("person")
    note = serializers.CharField(allow_blank=True)


class BrandAffiliation(YearsMixin):
    person = link("person")
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")


class BrandDetail(BrandItem, StoriesMixin):
    story_filter = "brand"

    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    description = serializers.CharField(allow_blank=True)
    website = serializers.SerializerMethodField()
    logo = serializers.SerializerMethodField()
    products = link("product", many=True, source="api_products")
    campaigns = CampaignWithDate(many=True, source="api_campaigns")
    ambassadorships = BrandAmbassadorship(many=True, source="api_ambassadorships")
    affiliations = BrandAffiliation(many=True, source="api_affiliations")
    events = EventWithDate(many=True, source="api_events")

    @extend_schema_field(NULLABLE_URL_FIELD)
    def get_website(self, obj):
        return http_url(obj.website) or None

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_logo(self, obj):
        return image_data(self.context, obj.logo, alt=obj.logo_alt)


# -- products --------------------------------------------------------------------------


class ProductItem(link_serializer("product")):
    brand = link("brand")
    category = serializers.CharField(allow_blank=True)
    year_introduced = serializers.IntegerField(allow_null=True)


class ColorwaySerializer(serializers.Serializer):
    name = serializers.CharField()
    hex = serializers.CharField(allow_blank=True)


class CarrierSerializer(serializers.Serializer):
    """Someone who carried the bag, and the campaigns they carried it in."""

    person = link("person")
    campaigns = link("campaign", many=True)


class ProductDetail(ProductItem, StoriesMixin):
    story_filter = "product"

    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    description = serializers.CharField(allow_blank=True)
    materials = serializers.ListField(child=serializers.CharField(), source="material_list")
    hallmark_features = serializers.ListField(child=serializers.CharField(), source="feature_list")
    sizes = serializers.CharField(allow_blank=True)
    colourways = ColorwaySerializer(many=True, source="api_colorways")
    images = serializers.SerializerMethodField()
    variant_of = link("product", allow_null=True, source="api_original")
    variants = link("product", many=True, source="api_variants")
    campaigns = CampaignWithDate(many=True, source="api_campaigns")
    events = EventWithDate(many=True, source="api_events")
    carried_by = CarrierSerializer(many=True, source="api_carried_by")

    @extend_schema_field(ImageSerializer(many=True))
    def get_images(self, obj):
        return [
            image_data(
                self.context,
                image.image,
                width=image.width,
                height=image.height,
                alt=image.alt_text,
                caption=image.caption,
                credit=image.credit,
            )
            for image in obj.api_images
        ]


# -- campaigns -------------------------------------------------------------------------


class SeriesLink(LinkedSerializer):
    """A run of campaigns (Balenciaga's Characters); public while one of them is."""

    plural = "series"
    key = "series"

    def page_path(self, obj):
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:  # an installation without series pages
            return None


SeriesSerializer = SeriesLink


class CampaignItem(link_serializer("campaign"), DatedMixin):
    brand = link("brand")
    season = serializers.CharField(allow_blank=True)


class ProductWithBrand(link_serializer("product")):
    brand = link("brand")


class CampaignDetail(CampaignItem, StoriesMixin):
    story_filter = "campaign"

    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    description = serializers.CharField(allow_blank=True)
    series = SeriesSerializer(allow_null=True)
    photographer = link("person", allow_null=True, source="api_photographer")
    people = link("person", many=True, source="api_people")
    products = ProductWithBrand(many=True, source="api_products")
    quotes = QuoteSerializer(many=True, source="api_quotes")


# -- events ----------------------------------------------------------------------------


class EventItem(link_serializer("event"), DatedMixin):
    kind = serializers.CharField()
    location = serializers.CharField(allow_blank=True)
    brand = link("brand", allow_null=True, source="api_brand")


class EventDetail(EventItem, StoriesMixin):
    story_filter = "event"

    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    description = serializers.CharField(allow_blank=True)
    people = link("person", many=True, source="api_people")
    products = ProductWithBrand(many=True, source="api_products")


# -- series ------------------------------------------------------------------------------


class SeriesItem(SeriesLink):
    brand = link("brand")


class CastSerializer(serializers.Serializer):
    """Someone the series photographed: in named instalments, or in one nobody named."""

    person = link("person")
    campaigns = link("campaign", many=True)
    notes = serializers.ListField(child=serializers.CharField())


class SeriesDetail(SeriesItem, StoriesMixin):
    story_filter = "series"

    description = serializers.CharField(allow_blank=True)
    photographer = link("person", allow_null=True, source="api_photographer")
    instalments = CampaignWithDate(many=True, source="api_instalments")
    cast = CastSerializer(many=True, source="api_cast")

    @extend_schema_field(URL_FIELD)
    def get_stories_url(self, obj):
        return absolute(self.context, f"{api_path('articles')}?series={obj.slug}")


# -- any other kind (registered later): the common part ------------------------------


def generic_serializers(kind):
    """List and detail serializers for a kind with no serializer of its own."""
    base = link_serializer(kind.key)
    item = type(f"{base.__name__[:-4]}Item", (base,), {"__module__": __name__})
    detail = type(
        f"{base.__name__[:-4]}Detail",
        (item, StoriesMixin),
        {
            "__module__": __name__,
            "story_filter": kind.key,
            "aliases": serializers.ListField(child=serializers.CharField(), source="alias_list"),
        },
    )
    return item, detail


# -- tags and articles -----------------------------------------------------------------


class TagItem(TagLink):
    pass


class TagDetail(TagItem, StoriesMixin):
    story_filter = "tag"


class ArticleItem(ArticleLink):
    headline = serializers.CharField()
    dek = serializers.CharField(allow_blank=True)
    lead_image = serializers.SerializerMethodField()

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_lead_image(self, obj):
        return image_data(
            self.context,
            obj.lead_image,
            width=obj.lead_image_width,
            height=obj.lead_image_height,
            alt=obj.lead_image_alt,
            caption=obj.lead_image_caption
            if "lead_image_caption" not in obj.get_deferred_fields()
            else "",
            credit=obj.lead_image_credit
            if "lead_image_credit" not in obj.get_deferred_fields()
            else "",
        )


class QuoteInStory(serializers.Serializer):
    """A quote as this story reports it: its wording here and its main wording."""

    slug = serializers.SlugField(source="quote.slug")
    wording = serializers.CharField(source="display_text")
    text = serializers.CharField(source="quote.text")
    speaker = serializers.SerializerMethodField()
    channel = serializers.CharField(source="quote.channel", allow_blank=True)
    source = serializers.CharField(source="quote.source", allow_blank=True)
    said_on = serializers.DateField(source="quote.said_on", allow_null=True)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["person", "brand"]},
                "name": {"type": "string"},
                "slug": {"type": "string"},
                "url": URL_FIELD,
                "html_url": NULLABLE_URL_FIELD,
            },
        }
    )
    def get_speaker(self, wording):
        quote = wording.quote
        key = "person" if quote.speaker_person_id else "brand"
        data = link(key, context=self.context).to_representation(quote.speaker)
        return {"kind": key, **data}


class ArticleDetail(ArticleItem):
    body = serializers.CharField(source="api_body")
    updated_at = serializers.DateTimeField()
    source_outlet = serializers.CharField(allow_blank=True)
    original_published_on = serializers.DateField(allow_null=True)
    tags = TagLink(many=True, source="api_tags")
    people = link("person", many=True, source="api_entities.people")
    brands = link("brand", many=True, source="api_entities.brands")
    products = ProductWithBrand(many=True, source="api_entities.products")
    campaigns = link("campaign", many=True, source="api_entities.campaigns")
    events = link("event", many=True, source="api_entities.events")
    quotes = QuoteInStory(many=True, source="api_wordings")
