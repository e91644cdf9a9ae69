"""Guards on publishing and embargoes, and the rights to publish.

* :class:`PublishGuardMixin` (article admin) stops a save or an action that
  would publish an article linking to something still embargoed (or to a page
  that does not exist), or unpublish an article other published stories link
  to, and shows a confirmation page listing what is affected.
* :class:`EmbargoGuardMixin` (person, brand, product, campaign and event admins)
  does the same when an embargo would hide something published stories link to.
* :class:`PublicationRightsMixin`: lifting an embargo or publishing without a
  story are editors' decisions (``services.entity_check_publication``).
"""

import copy

from django.urls import reverse
from django.utils import timezone

from .. import services
from ..links import unreachable_links
from ..models import Article
from .confirmation import Affected, ConfirmationMixin, NeedsConfirmation, confirmed, guarding
from .suggestions import mentionable


def articles_linking_in_body(url, *, now, exclude_pk=None):
    """Live and scheduled articles whose body links to ``url`` (a path such as /people/x/)."""
    queryset = Article.objects.filter(
        status=Article.Status.PUBLISHED, body__contains=f'{url}"'
    ).only("pk", "headline", "slug", "published_at", "status")
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.order_by("-published_at")[:200])


def _moment(value):
    return f"{timezone.localtime(value):%-d %b %Y %H:%M %Z}"


def _article_affected(article, note, *, now):
    when = "scheduled for " if article.published_at and article.published_at > now else ""
    stamp = f"{when}{_moment(article.published_at)}" if article.published_at else ""
    return Affected(
        name=article.headline,
        note=f"{note} ({stamp})" if stamp and note else note or stamp,
        admin_url=reverse("admin:newsroom_article_change", args=[article.pk]),
        public_url=(
            article.get_absolute_url()
            if article.published_at and article.published_at <= now
            else ""
        ),
    )


def _entity_affected(entity, label):
    opts = entity._meta
    until = entity.embargoed_until
    return Affected(
        name=f"{entity.name} ({label})",
        note=f"embargoed until {_moment(until)}" if until else "",
        admin_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entity.pk]),
    )


# The article side ----------------------------------------------------------------------


def _embargoed_in(cleaned_data, *, at):
    """The entities a form links that are still embargoed at ``at``: ``[(label, entity)]``."""
    found = []
    for field_name, _model, label in mentionable():
        for entity in cleaned_data.get(field_name) or []:
            if entity.embargoed_until and entity.embargoed_until > at:
                found.append((label, entity))
    return found


class PublishGuardMixin(ConfirmationMixin):
    """Asks before publishing with links readers cannot follow, or unpublishing a linked story.

    Wraps the article admin's ``save_form`` and its "publish" and "unpublish"
    actions; the admin class itself only needs this as a base.
    """

    def save_form(self, request, form, change):
        if guarding(request):
            needed = self._publish_confirmation(request, form.instance, form, change)
            if needed is not None:
                raise needed
        return super().save_form(request, form, change)

    def _publish_confirmation(self, request, obj, form, change):
        data = form.cleaned_data
        now = timezone.now()
        status = data.get("status", obj.status)
        was = form.initial.get("status") if change else None
        published = Article.Status.PUBLISHED
        if status == published:
            at = max(data.get("published_at") or now, now)
            groups = []
            embargoed = _embargoed_in(data, at=at)
            if was == published:
                # Already public: ask only about links added by this save.
                before = {
                    (entity._meta.label, entity.pk)
                    for field_name, _model, _label in mentionable()
                    for entity in form.initial.get(field_name, []) or []
                }
                embargoed = [
                    (label, e) for label, e in embargoed if (e._meta.label, e.pk) not in before
                ]
            if embargoed:
                groups.append(
                    (
                        "Linked, but still under embargo: readers will not see these links "
                        "until each embargo lifts",
                        [_entity_affected(entity, label) for label, entity in embargoed],
                    )
                )
            if was != published or "body" in form.changed_data:
                broken = unreachable_links(
                    data.get("body", obj.body), at=at, host=request.get_host()
                )
                if broken:
                    groups.append(
                        (
                            "Links in the text to pages readers cannot open: they see the "
                            "words without the link until the page is public",
                            [Affected(name=href, note=reason) for href, reason in broken],
                        )
                    )
            if groups:
                verb = "Publish" if was != published else "Save"
                return NeedsConfirmation(
                    f"{verb} “{data.get('headline', obj.headline)}”?",
                    "This article links to pages readers cannot open yet.",
                    groups,
                    proceed_label=f"Yes, {verb.lower()} it",
                )
        elif was == published and change:
            linking = articles_linking_in_body(obj.get_absolute_url(), now=now, exclude_pk=obj.pk)
            if linking:
                return NeedsConfirmation(
                    f"Unpublish “{obj.headline}”?",
                    "Published stories link to this article; readers will see those links "
                    "as plain text until you publish it again.",
                    [
                        (
                            "Stories that link to it",
                            [_article_affected(a, "", now=now) for a in linking],
                        )
                    ],
                    proceed_label="Yes, unpublish it",
                )
        return None

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, check in (
            ("publish", self._publish_action_check),
            ("unpublish", self._unpublish_action_check),
        ):
            if name in actions:
                func, action_name, description = actions[name]
                actions[name] = (self._guarded(func, check), action_name, description)
        return actions

    def _guarded(self, func, check):
        def guarded(modeladmin, request, queryset):
            if not confirmed(request):
                needed = check(request, queryset)
                if needed is not None:
                    return self.render_confirmation(request, needed, action=True)
            return func(modeladmin, request, queryset)

        guarded.__name__ = getattr(func, "__name__", "guarded")
        for attribute in ("allowed_permissions", "short_description"):
            if hasattr(func, attribute):
                setattr(guarded, attribute, getattr(func, attribute))
        return guarded

    def _publish_action_check(self, request, queryset):
        now = timezone.now()
        articles = list(
            queryset.select_related(None)
            .exclude(status=Article.Status.PUBLISHED)
            .only("pk", "headline", "body")
        )
        if not articles:
            return None
        groups = []
        by_article = {}
        for field_name, model, label in mentionable():
            through = getattr(Article, field_name).through
            column = f"{model._meta.model_name}"
            rows = through.objects.filter(
                article_id__in=[a.pk for a in articles], **{f"{column}__embargoed_until__gt": now}
            ).select_related(column)
            for row in rows:
                by_article.setdefault(row.article_id, []).append((label, getattr(row, column)))
        for article in articles:
            items = [
                _entity_affected(entity, label) for label, entity in by_article.get(article.pk, [])
            ]
            items += [
                Affected(name=href, note=reason)
                for href, reason in unreachable_links(article.body, at=now, host=request.get_host())
            ]
            if items:
                groups.append((f"“{article.headline}” links to", items))
        if not groups:
            return None
        return NeedsConfirmation(
            "Publish the selected articles?",
            "Some of them link to pages readers cannot open yet: embargoed links stay hidden "
            "until each embargo lifts.",
            groups,
            proceed_label="Yes, publish them",
        )

    def _unpublish_action_check(self, request, queryset):
        now = timezone.now()
        selected = list(
            queryset.select_related(None)
            .filter(status=Article.Status.PUBLISHED)
            .only("pk", "headline", "slug")
        )
        selected_pks = {a.pk for a in selected}
        groups = []
        for article in selected:
            linking = [
                a
                for a in articles_linking_in_body(article.get_absolute_url(), now=now)
                if a.pk not in selected_pks
            ]
            if linking:
                groups.append(
                    (
                        f"Stories that link to “{article.headline}”",
                        [_article_affected(a, "", now=now) for a in linking],
                    )
                )
        if not groups:
            return None
        return NeedsConfirmation(
            "Unpublish the selected articles?",
            "Published stories link to them; readers will see those links as plain text "
            "until they are published again.",
            groups,
            proceed_label="Yes, unpublish them",
        )


# The entity side -----------------------------------------------------------------------


class _PublicationRightsForm:
    """Turns an edit only an editor may make into an error on its field."""

    def clean(self):
        cleaned = super().clean()
        if cleaned is not None:
            try:
                services.entity_check_publication(
                    entity=self.instance_for_check(cleaned), user=self._publication_user
                )
            except services.PublicationRefused as refused:
                field = refused.field if refused.field in self.fields else None
                self.add_error(field, refused.message)
        return cleaned

    def instance_for_check(self, cleaned):
        """The row as this form would save it, for the fields the rule reads."""
        probe = copy.copy(self.instance)
        for name in ("embargoed_until", "published_by_hand"):
            if name in cleaned:
                setattr(probe, name, cleaned[name])
        return probe


class PublicationRightsMixin:
    """Only editors lift or shorten embargoes, or publish without a story.

    On the form and its inlines the refusal is an error on the field; whatever
    is posted, ``save_model`` and ``save_formset`` ask the service again.
    """

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if any(f.name == "linked_since" for f in self.model._meta.fields):
            readonly.append("linked_since")
            if not services.user_can_publish(request.user):
                readonly.append("published_by_hand")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form.__name__, (_PublicationRightsForm, form), {"_publication_user": request.user}
        )

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if _has_embargo(inline.model):
                formset.form = type(
                    formset.form.__name__,
                    (_PublicationRightsForm, formset.form),
                    {"_publication_user": request.user},
                )
            yield formset, inline

    def save_model(self, request, obj, form, change):
        services.entity_check_publication(entity=obj, user=request.user)
        super().save_model(request, obj, form, change)

    def fields_kept_on_restore(self, obj):
        """Restoring a revision brings back content; what readers see stays as it is."""
        kept = super().fields_kept_on_restore(obj)
        for name in ("embargoed_until", "published_by_hand"):
            if hasattr(obj, name):
                kept[name] = getattr(obj, name)
        return kept

    def save_formset(self, request, form, formset, change):
        if _has_embargo(formset.model):
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                    services.entity_check_publication(
                        entity=inline_form.instance, user=request.user
                    )
        super().save_formset(request, form, formset, change)


def _has_embargo(model):
    return any(f.name == "embargoed_until" for f in model._meta.fields)


class EmbargoGuardMixin(PublicationRightsMixin, ConfirmationMixin):
    """Asks before an embargo hides a person, brand, product, campaign or event stories link to."""

    def save_form(self, request, form, change):
        if change and guarding(request):
            needed = self._embargo_confirmation(form.instance, form)
            if needed is not None:
                raise needed
        return super().save_form(request, form, change)

    def _embargo_confirmation(self, obj, form):
        if "embargoed_until" not in form.changed_data:
            return None
        now = timezone.now()
        until = form.cleaned_data.get("embargoed_until")
        before = form.initial.get("embargoed_until")
        if until is None or until <= now or (before is not None and before >= until):
            return None
        label = obj._meta.verbose_name
        linked = list(
            obj.articles.filter(status=Article.Status.PUBLISHED, published_at__lt=until)
            .only("pk", "headline", "slug", "published_at", "status")
            .order_by("-published_at")[:200]
        )
        in_body = []
        if hasattr(obj, "get_absolute_url"):  # events have no page of their own
            in_body = [
                a
                for a in articles_linking_in_body(obj.get_absolute_url(), now=now)
                if a.published_at and a.published_at < until
            ]
        groups = []
        if linked:
            groups.append(
                (
                    f"Stories that link to this {label}: the link disappears from them",
                    [_article_affected(a, "", now=now) for a in linked],
                )
            )
        if in_body:
            groups.append(
                (
                    f"Stories whose text links to this {label}'s page: readers will see "
                    "the link as plain text",
                    [_article_affected(a, "", now=now) for a in in_body],
                )
            )
        if not groups:
            return None
        return NeedsConfirmation(
            f"Embargo “{obj.name}” until {_moment(until)}?",
            f"Published or scheduled stories link to this {label}. Until the embargo lifts, "
            "its page answers “not found”.",
            groups,
            proceed_label="Yes, embargo it",
        )
