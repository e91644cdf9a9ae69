"""Stories and the people, campaigns, events and quotes they are about."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from catalog.models import (
    YEAR_VALIDATORS,
    Brand,
    EmbargoMixin,
    NamedMixin,
    Product,
    PublicQuerySet,
    PublishableManager,
    PublishableMixin,
)

from . import dates, paths
from .dates import DatePrecision
from .html import BODY_EDITOR, clean_html


class PartialDateMixin(models.Model):
    """A date known to the year, the month or the day, as sources often give it."""

    date = models.DateField(
        null=True,
        blank=True,
        help_text="When only the year or month is known, pick its first day and set the precision.",
    )
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    class Meta:
        abstract = True

    @property
    def date_display(self):
        return dates.label(self.date, self.date_precision)


class NaturalSlugManager(models.Manager):
    """The manager of a row readers never reach on its own (a role): only its slug as
    natural key. Kinds readers can reach use ``catalog.models.PublishableManager``."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Role(models.Model):
    """What a person is known as: ambassador, creative director, photographer, ..."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = NaturalSlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Person(NamedMixin, PublishableMixin):
    bio = models.TextField(blank=True, help_text="Plain text; shown on the person's page.")
    roles = models.ManyToManyField(Role, blank=True, related_name="people")
    portrait = models.ImageField(upload_to="people/", blank=True)
    portrait_alt = models.CharField("portrait alt text", max_length=250, blank=True)
    portrait_credit = models.CharField(max_length=200, blank=True)
    portrait_rights_until = models.DateTimeField(
        "portrait rights until",
        null=True,
        blank=True,
        db_index=True,
        help_text="Leave empty when the licence has no end. From this moment the image leaves public pages (a neutral placeholder keeps the layout) until the date is extended.",
    )

    objects = PublishableManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def get_absolute_url(self):
        return paths.slug_path("newsroom:person-detail", self.slug)

    def clean(self):
        if self.portrait and not self.portrait_alt.strip():
            raise ValidationError(
                {"portrait_alt": "Describe the portrait for readers who cannot see it."}
            )


class AmbassadorshipManager(models.Manager.from_queryset(PublicQuerySet)):
    def get_by_natural_key(self, person_slug, brand_slug):
        return self.get(person__slug=person_slug, brand__slug=brand_slug)


class YearSpanMixin(models.Model):
    since_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=YEAR_VALIDATORS, help_text="Leave empty if unknown."
    )
    until_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text="Leave empty if ongoing or unknown.",
    )

    class Meta:
        abstract = True

    def clean(self):
        if self.since_year and self.until_year and self.until_year < self.since_year:
            raise ValidationError(
                {
                    "until_year": f"It cannot end ({self.until_year}) before it starts "
                    f"({self.since_year})."
                }
            )

    @property
    def years_display(self):
        if self.since_year and self.until_year:
            return f"{self.since_year}–{self.until_year}"
        if self.since_year:
            return f"since {self.since_year}"
        if self.until_year:
            return f"until {self.until_year}"
        return ""


class Ambassadorship(YearSpanMixin, EmbargoMixin):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ambassadorships")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="ambassadorships")
    note = models.CharField(max_length=300, blank=True)

    objects = AmbassadorshipManager()

    class Meta:
        ordering = ["brand", "since_year", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "brand"], name="unique_ambassadorship"),
            models.CheckConstraint(
                condition=Q(until_year__isnull=True)
                | Q(since_year__isnull=True)
                | Q(until_year__gte=models.F("since_year")),
                name="ambassadorship_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.person} for {self.brand}"

    def natural_key(self):
        return (self.person.slug, self.brand.slug)

    natural_key.dependencies = ["newsroom.person", "catalog.brand"]


class AffiliationManager(models.Manager):
    def get_by_natural_key(self, person_slug, brand_slug, role):
        return self.get(person__slug=person_slug, brand__slug=brand_slug, role=role)


class Affiliation(YearSpanMixin):
    """A person's role at a brand other than ambassador: creative director, founder, ..."""

    class Kind(models.TextChoices):
        CREATIVE_DIRECTOR = "creative-director", "Creative director"
        FOUNDER = "founder", "Founder"
        OWNER = "owner", "Owner"
        DESIGNER = "designer", "Designer"
        EXECUTIVE = "executive", "Executive"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(max_length=30, choices=Kind.choices)

    objects = AffiliationManager()

    class Meta:
        ordering = ["brand", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "brand", "role"], name="unique_affiliation"),
            models.CheckConstraint(
                condition=Q(until_year__isnull=True)
                | Q(since_year__isnull=True)
                | Q(until_year__gte=models.F("since_year")),
                name="affiliation_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.person}, {self.get_role_display().lower()} at {self.brand}"

    def natural_key(self):
        return (self.person.slug, self.brand.slug, self.role)

    natural_key.dependencies = ["newsroom.person", "catalog.brand"]


class CampaignSeries(models.Model):
    """A run of campaigns under one idea, such as Balenciaga's Characters."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaign_series")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    photographer = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photographed_series",
    )
    description = models.TextField(blank=True)

    objects = NaturalSlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "campaign series"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return paths.slug_path("newsroom:series-detail", self.slug)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class SeriesAppearanceManager(models.Manager):
    def get_by_natural_key(self, series_slug, person_slug):
        return self.get(series__slug=series_slug, person__slug=person_slug)


class SeriesAppearance(models.Model):
    """Someone known to have appeared in a series when the instalment is not known.

    Michelle Yeoh and Isabelle Huppert modelled for Balenciaga's Characters, but
    the story does not say in which campaign: that fact is recorded here rather
    than as a campaign nobody named. People in a known instalment are that
    campaign's ``people`` instead.
    """

    series = models.ForeignKey(
        "CampaignSeries", on_delete=models.CASCADE, related_name="appearances"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="series_appearances")
    note = models.CharField(
        max_length=300, blank=True, help_text="What the source says, e.g. “modelled for it”."
    )

    objects = SeriesAppearanceManager()

    class Meta:
        ordering = ["series", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="unique_series_appearance")
        ]

    def __str__(self):
        return f"{self.person} in {self.series}"

    def natural_key(self):
        return (self.series.slug, self.person.slug)

    natural_key.dependencies = ["newsroom.campaignseries", "newsroom.person"]


class Campaign(NamedMixin, PublishableMixin, PartialDateMixin):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaigns")
    series = models.ForeignKey(
        CampaignSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    season = models.CharField(max_length=100, blank=True, help_text="e.g. Holiday 2022.")
    series_position = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Where it comes in its series, relative to the others (1 before 2); "
        "not an instalment number. Leave empty if unknown.",
    )
    photographer = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photographed_campaigns",
    )
    people = models.ManyToManyField(
        Person, blank=True, related_name="campaigns", help_text="People who appear in it."
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="campaigns", help_text="Products it features."
    )
    description = models.TextField(blank=True)

    objects = PublishableManager()

    class Meta:
        ordering = ["-date", "name"]

    def get_absolute_url(self):
        return paths.slug_path("newsroom:campaign-detail", self.slug)


class Event(NamedMixin, PublishableMixin, PartialDateMixin):
    """A show, gala or presentation where people were seen or products first shown."""

    class Kind(models.TextChoices):
        RUNWAY = "runway", "Runway show"
        PRESENTATION = "presentation", "Presentation"
        GALA = "gala", "Gala"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    brand = models.ForeignKey(
        Brand, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    location = models.CharField(max_length=200, blank=True)
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    products = models.ManyToManyField(Product, blank=True, related_name="events")
    description = models.TextField(blank=True)

    objects = PublishableManager()

    class Meta:
        ordering = ["-date", "name"]

    def get_absolute_url(self):
        return paths.slug_path("newsroom:event-detail", self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """What readers may see: published, and its publication moment has come.

        This is the one definition of "public"; every page, feed, sitemap and
        search starts from it.
        """
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def scheduled(self, *, now=None):
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=now)

    def for_listing(self):
        return self.only(
            "headline",
            "slug",
            "dek",
            "published_at",
            "status",
            "lead_image",
            "lead_image_alt",
            "lead_image_width",
            "lead_image_height",
        ).order_by("-published_at", "-pk")


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TaggedArticle(TaggedItemBase):
    """An article's tag, with a real foreign key so fixtures round-trip by natural key."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]

    natural_key_fields = ["content_object", "tag"]

    def natural_key(self):
        return (self.content_object.slug, self.tag.name)

    natural_key.dependencies = ["newsroom.article", "taggit.tag"]


class TaggedArticleManager(models.Manager):
    def get_by_natural_key(self, article_slug, tag_name):
        return self.get(content_object__slug=article_slug, tag__name=tag_name)


TaggedArticle.add_to_class("objects", TaggedArticleManager())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=250)
    slug = models.SlugField(max_length=250, unique=True)
    dek = models.CharField(
        max_length=400, blank=True, help_text="The standfirst under the headline; plain text."
    )
    body = ProseEditorField(
        config=BODY_EDITOR,
        sanitize=clean_html,
        blank=True,
        help_text="Written in the editor; cleaned of anything unsafe on save.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="Readers see the article once it is published and this moment has passed. "
        "A future moment schedules it.",
    )
    source_outlet = models.CharField(max_length=200, blank=True)
    original_published_on = models.DateField("originally published on", null=True, blank=True)

    lead_image = models.ImageField(
        upload_to="articles/",
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField("lead image alt text", max_length=250, blank=True)
    lead_image_caption = models.CharField(max_length=300, blank=True)
    lead_image_credit = models.CharField(max_length=200, blank=True)
    lead_image_rights_until = models.DateTimeField(
        "lead image rights until",
        null=True,
        blank=True,
        db_index=True,
        help_text="Leave empty when the licence has no end. From this moment the image leaves public pages (a neutral placeholder keeps the layout) until the date is extended.",
    )

    people = models.ManyToManyField(Person, blank=True, related_name="articles")
    brands = models.ManyToManyField(Brand, blank=True, related_name="articles")
    products = models.ManyToManyField(Product, blank=True, related_name="articles")
    campaigns = models.ManyToManyField(Campaign, blank=True, related_name="articles")
    events = models.ManyToManyField(Event, blank=True, related_name="articles")
    tags = TaggableManager(through=TaggedArticle, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Defaults rather than auto_now: a raw fixture load calls no save() hooks.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped on every save; guards against lost updates."
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_article", "Can publish, unpublish and schedule articles")]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_listing"),
            models.Index(fields=["-updated_at"], name="article_recently_updated"),
        ]

    def __str__(self):
        return self.headline

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return paths.slug_path("newsroom:article-detail", self.slug)

    def clean(self):
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {"lead_image_alt": "Describe the lead image for readers who cannot see it."}
            )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline)[:250]
        self.body = clean_html(self.body)
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class Quote(models.Model):
    """One statement by a person or a brand.

    When articles report it in different wordings, each wording is a
    :class:`QuoteWording` of the same quote rather than a quote of its own.
    """

    class Channel(models.TextChoices):
        STATEMENT = "statement", "Statement"
        TWITTER = "twitter", "Twitter"
        PRESS_RELEASE = "press-release", "Press release"
        CAMPAIGN_VIDEO = "campaign-video", "Campaign video"
        REVIEW = "review", "Review"
        INTERVIEW = "interview", "Interview"

    slug = models.SlugField(max_length=200, unique=True)
    speaker_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="quotes"
    )
    speaker_brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="quotes"
    )
    text = models.TextField(help_text="The statement in its main wording; plain text.")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it was said or printed, e.g. a publication."
    )
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    context = models.CharField(max_length=300, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The campaign it is about, or was said in.",
    )
    about_brands = models.ManyToManyField(
        Brand, blank=True, related_name="quotes_about", help_text="Houses it is about."
    )
    about_products = models.ManyToManyField(
        Product, blank=True, related_name="quotes_about", help_text="Bags and pieces it is about."
    )
    about_events = models.ManyToManyField(
        Event, blank=True, related_name="quotes_about", help_text="Shows and events it is about."
    )
    articles = models.ManyToManyField(
        Article, through="QuoteWording", blank=True, related_name="quotes"
    )

    objects = NaturalSlugManager()

    class Meta:
        ordering = ["-said_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(speaker_person__isnull=False) & Q(speaker_brand__isnull=True))
                | (Q(speaker_person__isnull=True) & Q(speaker_brand__isnull=False)),
                name="quote_has_one_speaker",
            )
        ]

    def __str__(self):
        words = self.text.split()
        short = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
        return f"{self.speaker}: “{short}”"

    def natural_key(self):
        return (self.slug,)

    @property
    def speaker(self):
        return self.speaker_person or self.speaker_brand

    def clean(self):
        if bool(self.speaker_person_id) == bool(self.speaker_brand_id):
            raise ValidationError("A quote has one speaker: choose a person or a brand, not both.")


class QuoteWordingManager(models.Manager):
    def get_by_natural_key(self, quote_slug, article_slug):
        return self.get(quote__slug=quote_slug, article__slug=article_slug)


class QuoteWording(models.Model):
    """How one article reports a quote."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="wordings")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quote_wordings")
    text = models.TextField(
        blank=True, help_text="Leave empty if the article uses the main wording."
    )

    objects = QuoteWordingManager()

    class Meta:
        ordering = ["article", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "article"], name="unique_quote_per_article")
        ]

    def __str__(self):
        return f"{self.quote} in “{self.article}”"

    def natural_key(self):
        return (self.quote.slug, self.article.slug)

    natural_key.dependencies = ["newsroom.quote", "newsroom.article"]

    @property
    def display_text(self):
        return self.text or self.quote.text


class EditorialEvent(models.Model):
    """The audit trail: who submitted, published, unpublished or scheduled what, and when."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        RETURNED = "returned", "Sent back to the writer"
        CHANGES_REQUESTED = "changes_requested", "Changes requested by outside reviewer"
        APPROVED = "approved", "Approved by outside reviewer"
        SHARED = "shared", "Share link created"
        REVOKED = "revoked", "Share link revoked"
        RESTORED = "restored", "Revision restored"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events_log")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(
        max_length=200, blank=True, help_text="For people without an account (outside reviewers)."
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="For a change request: when the writer resubmitted (or an editor published).",
    )

    # A story sent back with a note stays "sent back" until it is resubmitted.
    CHANGE_REQUESTS = (Action.RETURNED, Action.CHANGES_REQUESTED)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(
                fields=["article", "-at"],
                name="open_change_request_idx",
                condition=models.Q(action__in=["returned", "changes_requested"], closed_at=None),
            )
        ]

    def __str__(self):
        who = self.actor or self.actor_name or "someone"
        return f"{self.get_action_display()} by {who}"


class ReviewLink(models.Model):
    """A signed, expiring, revocable link that shows one revision to an outside reviewer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_links")
    version = models.ForeignKey(
        "reversion.Version", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. a press office."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_name = models.CharField(max_length=200, blank=True)
    changes_requested_at = models.DateTimeField(null=True, blank=True)
    changes_requested_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Review link for “{self.article}”"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArticleAutosave(models.Model):
    """A writer's unsaved edits of a story, kept beside it every half-minute.

    Never a revision and never read by anything readers see; saving the story
    (or discarding the autosave) removes it. ``base_version`` is the story's
    version the edits started from, so restoring them can never overwrite a save
    someone made since.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_editor")
        ]

    def __str__(self):
        return f"Autosave of “{self.article}” by {self.user}"
