"""Forms of the editorial workflow: the article form, share links, reviewers' approval."""

from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from taggit.forms import TagWidgetMixin
from taggit.models import Tag
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminTextInputWidget

from . import services
from .merge import merge
from .models import Article
from .tags import is_url_slug, tag_slug, validate_tag_name, validate_tag_names

# What the buttons under the article form ask for (the ``_transition`` value).
SAVE = "save"
SUBMIT = "submit"
PUBLISH = "publish"
PUBLISH_NOW = "publish_now"
SCHEDULE = "schedule"
UNPUBLISH = "unpublish"
RETURN = "return"

# "This article is a draft, so it cannot be <participle>."
STEP_PARTICIPLES = {
    SUBMIT: "submitted for review",
    PUBLISH: "published",
    PUBLISH_NOW: "published now",
    SCHEDULE: "scheduled",
    UNPUBLISH: "unpublished",
    RETURN: "returned to draft",
}

# Transition -> statuses it starts from, and whether only editors may use it.
TRANSITIONS = {
    SAVE: (set(Article.Status), False),
    SUBMIT: ({Article.Status.DRAFT}, False),
    PUBLISH: ({Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.PUBLISHED}, True),
    PUBLISH_NOW: ({Article.Status.PUBLISHED}, True),
    SCHEDULE: ({Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.PUBLISHED}, True),
    UNPUBLISH: ({Article.Status.PUBLISHED}, True),
    RETURN: ({Article.Status.REVIEW}, True),
}


def available_transitions(user, article):
    """The transitions this user may apply to this article, in button order."""
    status = article.status if article and article.pk else Article.Status.DRAFT
    may_publish = services.user_can_publish(user)
    names = []
    for name, (sources, editors_only) in TRANSITIONS.items():
        if status not in sources or (editors_only and not may_publish):
            continue
        scheduled = bool(article and article.pk and article.is_scheduled)
        if name == PUBLISH and article and article.pk and (article.is_published or scheduled):
            continue  # already live ("Save" is all it needs), or scheduled ("Publish now")
        if name == PUBLISH_NOW and not scheduled:
            continue
        names.append(name)
    return names


class TagInput(TagWidgetMixin, UnfoldAdminTextInputWidget):
    """taggit's comma-separated tag input, in the admin theme's text box."""


class TagAdminForm(forms.ModelForm):
    """A tag typed in the admin: a name with a letter or digit, a slug its URL accepts.

    Left blank, the slug follows the site's rule (``newsroom.tags.tag_slug``).
    """

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Leave blank to make one from the name."

    def clean_name(self):
        name = self.cleaned_data["name"]
        validate_tag_name(name)
        return name

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug and not is_url_slug(slug):
            raise forms.ValidationError(
                "Use only ASCII letters, digits, hyphens and underscores, e.g. “%(suggestion)s”.",
                code="tag_slug_not_ascii",
                params={"suggestion": tag_slug(self.cleaned_data.get("name") or slug)},
            )
        return slug


class ArticleAdminForm(forms.ModelForm):
    """The article form.

    It carries the version it was opened at (a hidden field) and refuses to save
    over a newer version, and it refuses any workflow step the user may not
    take, whatever the POST contains: the buttons shown are only a convenience.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    return_note = forms.CharField(
        label="Note for the writer",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="Required to return the story to draft: say what needs to change. "
        "The writer sees it on the story and on their desk until they resubmit.",
    )

    user = None  # set by ArticleAdmin.get_form
    merged_fields = ()  # fields taken from someone else's later save (see newsroom.merge)

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version
        self.current_status = self.instance.status if self.instance.pk else Article.Status.DRAFT
        self.initial.setdefault("status", self.current_status)
        self.transition = self._requested_transition() if self.is_bound else SAVE

    def _requested_transition(self):
        """The button pressed, or the step a posted ``status`` value asks for.

        ``status`` is not editable in the form; a client that posts it anyway
        (an older form, a script) is treated as asking for the matching step,
        under the same rules as the buttons.
        """
        if self.data.get("_transition"):
            return self.data["_transition"]
        wanted = self.data.get("status")
        if not wanted or wanted == self.current_status:
            return SAVE
        if wanted == Article.Status.PUBLISHED:
            return PUBLISH
        if wanted == Article.Status.REVIEW:
            return SUBMIT
        if wanted == Article.Status.DRAFT:
            return UNPUBLISH if self.current_status == Article.Status.PUBLISHED else RETURN
        return wanted

    @property
    def target_status(self):
        """The status the article will have once this form is saved."""
        return {
            SUBMIT: Article.Status.REVIEW,
            PUBLISH: Article.Status.PUBLISHED,
            PUBLISH_NOW: Article.Status.PUBLISHED,
            SCHEDULE: Article.Status.PUBLISHED,
            UNPUBLISH: Article.Status.DRAFT,
            RETURN: Article.Status.DRAFT,
        }.get(self.transition, self.current_status)

    def clean_tags(self):
        names = self.cleaned_data.get("tags") or []
        validate_tag_names(names)
        return names

    def clean(self):
        cleaned = super().clean()
        self._clean_transition(cleaned)
        self._clean_version(cleaned)
        cleaned["status"] = self.target_status  # what the publish guard looks at
        return cleaned

    def _clean_transition(self, cleaned):
        article = self.instance
        status = article.status if article.pk else Article.Status.DRAFT
        if self.transition not in TRANSITIONS:
            raise forms.ValidationError("Unknown workflow step.", code="unknown_transition")
        sources, editors_only = TRANSITIONS[self.transition]
        if status == Article.Status.PUBLISHED and not services.user_can_publish(self.user):
            raise forms.ValidationError(
                "This article is published or scheduled: only editors can change it. "
                "Nothing was saved.",
                code="published_is_editors_only",
            )
        if editors_only and not services.user_can_publish(self.user):
            raise forms.ValidationError(
                "Only editors can publish, schedule, unpublish or return an article; "
                "submit it for review instead. Nothing was saved.",
                code="not_an_editor",
            )
        if self.transition == PUBLISH_NOW and not article.is_scheduled:
            raise forms.ValidationError(
                "Only a scheduled article can be published now. Nothing was saved.",
                code="not_scheduled",
            )
        if status not in sources:
            raise forms.ValidationError(
                "This article is %(status)s, so it cannot be %(step)s. Nothing was saved.",
                code="wrong_status",
                params={
                    "status": Article.Status(status).label.lower(),
                    "step": STEP_PARTICIPLES[self.transition],
                },
            )
        if self.transition == RETURN and not " ".join(cleaned.get("return_note", "").split()):
            self.add_error(
                "return_note" if "return_note" in self.fields else None,
                forms.ValidationError(
                    "Say what needs to change: a note is required to send a story back. "
                    "Nothing was saved.",
                    code="return_needs_note",
                ),
            )
        if self.transition == SCHEDULE:
            at = cleaned.get("published_at")
            if not at or at <= timezone.now():
                self.add_error(
                    "published_at",
                    forms.ValidationError(
                        "To schedule, set a publication date in the future "
                        "(or use Publish to publish now).",
                        code="schedule_needs_future_date",
                    ),
                )

    def _clean_version(self, cleaned):
        article = self.instance
        opened = cleaned.get("opened_version")
        if not article.pk:
            return
        if opened is None:
            raise forms.ValidationError(
                "This form is missing the version it was opened at; reload the page.",
                code="missing_version",
            )
        if services.article_is_stale(article, opened):
            result = merge(self, cleaned, opened)
            if result is not None and not result.conflicts:
                # Nobody changed what the other did: save over the current version.
                cleaned["opened_version"] = Article.objects.values_list(
                    "version", flat=True
                ).get(pk=article.pk)
                self.merged_fields = result.taken
                return
            stale = services.article_changes_since(article, opened)
            if result is not None:
                stale.changed_fields = [f"{label} (you changed it too)" for label in result.conflicts]
            message = services.stale_edit_message(stale)
            current = reverse("admin:newsroom_article_change", args=[article.pk])
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}" target="_blank" rel="noopener" class="underline">'
                    "Open the current version</a>.",
                    message,
                    current,
                ),
                code="stale",
            )


class ReturnNoteForm(forms.Form):
    """The note an editor sends stories back with, from the list's action."""

    note = forms.CharField(
        label="Note for the writers",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="Say what needs to change. Each writer sees it until they resubmit.",
    )

    def clean_note(self):
        note = " ".join(self.cleaned_data["note"].split())
        if not note:
            raise forms.ValidationError("A note is required to send a story back.")
        return note


class ReviewLinkForm(forms.Form):
    """What an editor fills in to share an article with an outside reviewer."""

    label = forms.CharField(
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Who it is for, e.g. “Balenciaga press office”.",
    )
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=30,
        initial=7,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text="The link stops working after this many days; you can revoke it sooner.",
    )

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["days"])


class ReviewApprovalForm(forms.Form):
    """An outside reviewer's answer: approve the revision they were shown, or ask for changes.

    The button pressed is posted as ``verdict``; asking for changes needs a note.
    """

    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"

    name = forms.CharField(
        label="Your name",
        max_length=200,
        help_text="As it should appear in the newsroom's records.",
    )
    note = forms.CharField(
        label="Note for the newsroom",
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional when you approve; required when you ask for changes.",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please give your name.")
        return name

    @property
    def verdict(self):
        wanted = self.data.get("verdict")
        return self.REQUEST_CHANGES if wanted == self.REQUEST_CHANGES else self.APPROVE

    def clean(self):
        cleaned = super().clean()
        note = " ".join(cleaned.get("note", "").split())
        if self.verdict == self.REQUEST_CHANGES and not note:
            self.add_error("note", "Say what should change: a note is required to ask for changes.")
        return cleaned
