"""Writes that change an article's editorial state, and share links for reviewers.

The admin's forms, actions and buttons all call these, so the rules (who may
publish, what publishing without a date means, what lands in the audit trail,
that a save made from a stale form never overwrites a newer one) hold on the
server whatever the interface shows.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import reversion
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Version

from .models import Article, EditorialEvent, ReviewLink

PUBLISH_PERMISSION = "newsroom.publish_article"


def user_can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def _require_publisher(user):
    if not user_can_publish(user):
        raise PermissionDenied("Only editors can publish, schedule or unpublish articles.")


def _log(article, action, user=None, note="", actor_name=""):
    return EditorialEvent.objects.create(
        article=article, action=action, actor=user, actor_name=actor_name, note=note[:500]
    )


def person_name(user):
    """How the newsroom names a person in its history: full name, else username."""
    if user is None or not user.is_authenticated:
        return "someone"
    return user.get_full_name() or user.get_username()


def _save_transition(article, user, fields, comment):
    """Save workflow fields, bump the edit version and keep a revision.

    ``comment`` names the step ("Published by Erin"); it is also left on the
    article (``transition_comment``) for the admin, whose own revision of the
    same save would otherwise describe it by its changed fields alone.
    """
    article.transition_comment = comment
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        article.version = _locked_version(article) + 1
        article.updated_by = user
        article.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def _locked_version(article):
    """The stored version, with the row locked until the transaction ends."""
    return Article.objects.select_for_update().values_list("version", flat=True).get(pk=article.pk)


# --- Saving an edit ------------------------------------------------------------


@dataclass
class StaleEdit(Exception):
    """The article was saved by someone else after this edit began."""

    saved_by: str = ""
    saved_at: datetime | None = None
    changed_fields: list = field(default_factory=list)

    def __str__(self):
        return stale_edit_message(self)


def stale_edit_message(error):
    who = error.saved_by or "Someone"
    when = f" at {timezone.localtime(error.saved_at):%H:%M on %-d %B}" if error.saved_at else ""
    changed = (
        f" They changed: {', '.join(error.changed_fields)}."
        if error.changed_fields
        else ""
    )
    return (
        f"{who} saved this article{when}, after you opened it.{changed} "
        "Your changes below have NOT been saved, and theirs are kept. Open the current "
        "version in a new tab, bring your changes across, and save there."
    )


def article_changes_since(article, opened_version):
    """Describe what happened to ``article`` since the edit at ``opened_version`` began."""
    from .admin.revisions import compare, raw_values, readable_values

    current = Article.objects.select_related("updated_by").get(pk=article.pk)
    saved_by = current.updated_by.get_username() if current.updated_by else ""
    base = None
    for version in Version.objects.get_for_object(current)[:50]:
        try:
            opened_here = version.field_dict.get("version") == opened_version
        except RevertError:  # written by an older schema; cannot say
            continue
        if opened_here:
            base = version
            break
    changed = []
    if base is not None:
        changed = [
            change["label"]
            for change in compare(
                readable_values(Article, base.field_dict),
                readable_values(Article, raw_values(current)),
            )
        ]
    return StaleEdit(saved_by=saved_by, saved_at=current.updated_at, changed_fields=changed)


def article_is_stale(article, opened_version, *, lock=True):
    """True when the stored article moved past ``opened_version``.

    Inside a transaction, ``lock`` holds the row (SELECT ... FOR UPDATE on
    PostgreSQL) so that nobody can save in between this check and the save.
    """
    rows = Article.objects.filter(pk=article.pk)
    if lock and transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.values_list("version", flat=True).first()
    return current is not None and current != opened_version


@transaction.atomic
def article_save(*, article, user, opened_version=None):
    """Save an edit made in a form opened at ``opened_version``.

    The version is compared and bumped in one conditional UPDATE, so of two
    saves made from forms opened at the same version exactly one wins, on
    SQLite and on PostgreSQL alike; the other raises :class:`StaleEdit` and
    writes nothing.
    """
    article.updated_by = user
    if article.pk is None:
        article.created_by = user
        article.version = 1
        article.save()
        return article
    if opened_version is not None:
        won = Article.objects.filter(pk=article.pk, version=opened_version).update(
            version=F("version") + 1
        )
        if not won:
            raise article_changes_since(article, opened_version)
        article.version = opened_version + 1
    else:
        article.version = _locked_version(article) + 1
    article.save()
    return article


# --- Workflow ------------------------------------------------------------------


class NoteRequired(ValueError):
    """Sending a story back needs a note saying what to change."""


def _require_note(note):
    note = " ".join((note or "").split())
    if not note:
        raise NoteRequired("Say what needs to change: a note is required to send a story back.")
    return note


def article_open_change_request(article):
    """The note the story was last sent back with, until its writer resubmits; or ``None``."""
    return (
        EditorialEvent.objects.filter(
            article=article, action__in=EditorialEvent.CHANGE_REQUESTS, closed_at=None
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def change_request_author(event):
    """Who sent a story back, in words: the editor's name, or the outside reviewer's."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    return event.actor_name or "someone"


def _close_change_requests(article, now=None):
    EditorialEvent.objects.filter(
        article=article, action__in=EditorialEvent.CHANGE_REQUESTS, closed_at=None
    ).update(closed_at=now or timezone.now())


@transaction.atomic
def article_submit(*, article, user):
    """A writer hands a draft to the editors; any note it was sent back with is closed."""
    article.status = Article.Status.REVIEW
    _save_transition(article, user, ["status"], f"Submitted for review by {person_name(user)}.")
    _close_change_requests(article)
    _log(article, EditorialEvent.Action.SUBMITTED, user)
    return article


@transaction.atomic
def article_publish(*, article, user, at=None):
    """Publish now, or at ``at`` if that moment is in the future (a schedule).

    Publishing without a date uses the current moment; an article already
    carrying a past publication date keeps it. A scheduled article needs no
    job to go live: ``Article.objects.published()`` includes it once its
    moment has passed.
    """
    _require_publisher(user)
    now = timezone.now()
    if at is None:
        at = article.published_at if article.published_at and article.published_at <= now else now
    article.status = Article.Status.PUBLISHED
    article.published_at = at
    scheduled = at > now
    _close_change_requests(article, now)
    _save_transition(
        article,
        user,
        ["status", "published_at"],
        f"Scheduled for {timezone.localtime(at):%-d %B %Y, %H:%M} by {person_name(user)}."
        if scheduled
        else f"Published by {person_name(user)}.",
    )
    _log(
        article,
        EditorialEvent.Action.SCHEDULED if scheduled else EditorialEvent.Action.PUBLISHED,
        user,
        note=f"for {at:%Y-%m-%d %H:%M %Z}" if scheduled else "",
    )
    return article


class RescheduleRefused(ValueError):
    """A move on the calendar that cannot be made: the story is not scheduled, or the
    new moment has passed."""


@transaction.atomic
def article_reschedule(*, article, user, day):
    """Move a scheduled article to ``day`` (a date), keeping its local time of day.

    Only a story that is still scheduled moves, and only to a moment still to
    come: :class:`RescheduleRefused` otherwise, with nothing written. The check
    reads the stored row, locked, so a story that went live or was unpublished
    since the calendar was opened stays as it is. Days are those of the site's
    time zone; a time of day that a daylight-saving change skips on ``day``
    moves on by the hour skipped (02:30 becomes 03:30).
    """
    _require_publisher(user)
    stored = Article.objects.select_for_update().values_list("status", "published_at")
    status, published_at = stored.get(pk=article.pk)
    now = timezone.now()
    if status != Article.Status.PUBLISHED or published_at is None or published_at <= now:
        raise RescheduleRefused(
            f"“{article}” is not scheduled: only a scheduled story can be moved."
        )
    before = timezone.localtime(published_at)
    at = timezone.make_aware(datetime.combine(day, before.time()))
    # A time in a skipped hour becomes the real moment it stands for.
    at = timezone.localtime(at.astimezone(UTC))
    if at <= now:
        raise RescheduleRefused(
            f"{at:%H:%M on %-d %B %Y} has already passed: choose a day still to come."
        )
    if at == published_at:
        raise RescheduleRefused(f"“{article}” is already scheduled for {at:%-d %B %Y}.")
    article.status = status
    article.published_at = at
    _save_transition(
        article,
        user,
        ["published_at"],
        f"Moved from {before:%-d %B} to {at:%-d %B %Y, %H:%M} by {person_name(user)}.",
    )
    _log(
        article,
        EditorialEvent.Action.SCHEDULED,
        user,
        note=f"for {at:%Y-%m-%d %H:%M %Z} (moved from {before:%Y-%m-%d})",
    )
    return article


@transaction.atomic
def article_unpublish(*, article, user):
    """Take an article (live or scheduled) off the public site; it goes back to draft."""
    _require_publisher(user)
    article.status = Article.Status.DRAFT
    _save_transition(article, user, ["status"], f"Unpublished by {person_name(user)}.")
    _log(article, EditorialEvent.Action.UNPUBLISHED, user)
    return article


@transaction.atomic
def article_return_to_draft(*, article, user, note):
    """An editor sends an article in review back to its writer, saying what to change.

    The note is required (:class:`NoteRequired` otherwise). It stays open, shown
    on the story's form and on the writer's desk, until the story is resubmitted.
    """
    _require_publisher(user)
    note = _require_note(note)
    article.status = Article.Status.DRAFT
    _save_transition(article, user, ["status"], f"Sent back by {person_name(user)}: {note}"[:500])
    _log(article, EditorialEvent.Action.RETURNED, user, note=note)
    return article


# --- Share links for outside reviewers ------------------------------------------

REVIEW_LINK_SALT = "newsroom.review-link"


def review_link_token(link):
    """The signed token of a share link's URL; it names the link and nothing else.

    Signed without a timestamp: the expiry lives on the link's row, and one link
    keeps one address however often the token is computed.
    """
    return signing.Signer(salt=REVIEW_LINK_SALT).sign_object({"link": link.pk})


def review_link_from_token(token):
    """The link a token names, or ``None`` when it is forged, altered or unknown."""
    try:
        if token.count(":") == 2:
            # Made before tokens lost their timestamp (payload:timestamp:signature).
            data = signing.loads(token, salt=REVIEW_LINK_SALT)
        else:
            data = signing.Signer(salt=REVIEW_LINK_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        ReviewLink.objects.select_related("article", "version", "version__revision")
        .filter(pk=data.get("link"))
        .first()
    )


@transaction.atomic
def review_link_create(*, article, user, expires_at, label=""):
    """Snapshot the article as it is now and make a share link for that snapshot."""
    if not user.has_perm("newsroom.add_reviewlink"):
        raise PermissionDenied("You may not share articles outside the newsroom.")
    if expires_at <= timezone.now():
        raise ValueError("A share link must expire in the future.")
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Snapshot shared for review{f' with {label}' if label else ''}.")
        reversion.add_to_revision(article)
    version = Version.objects.get_for_object(article).first()
    link = ReviewLink.objects.create(
        article=article, version=version, label=label, created_by=user, expires_at=expires_at
    )
    _log(article, EditorialEvent.Action.SHARED, user, note=label)
    return link


@transaction.atomic
def review_link_revoke(*, link, user):
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        _log(link.article, EditorialEvent.Action.REVOKED, user, note=link.label)
    return link


@transaction.atomic
def review_link_approve(*, link, name, note=""):
    """Record an outside reviewer's approval of the shared revision."""
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_active:
        raise PermissionDenied("This share link has expired or was revoked.")
    if link.approved_at or link.changes_requested_at:
        raise PermissionDenied("This review has already been answered.")
    link.approved_at = timezone.now()
    link.approved_by_name = name
    link.save(update_fields=["approved_at", "approved_by_name"])
    revision_date = link.version.revision.date_created if link.version else link.created_at
    detail = f"revision of {timezone.localtime(revision_date):%Y-%m-%d %H:%M}"
    if link.label:
        detail += f" shared with {link.label}"
    _log(
        link.article,
        EditorialEvent.Action.APPROVED,
        actor_name=name,
        note=f"{detail}: {note}" if note else detail,
    )
    return link


@transaction.atomic
def review_link_request_changes(*, link, name, note):
    """Record an outside reviewer's request for changes, with the note they wrote.

    A story in review goes back to its writer (a draft again); a draft stays a
    draft; a live or scheduled story stays as it is, the note waiting on its form.
    """
    note = _require_note(note)
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_active:
        raise PermissionDenied("This share link has expired or was revoked.")
    if link.approved_at or link.changes_requested_at:
        raise PermissionDenied("This review has already been answered.")
    link.changes_requested_at = timezone.now()
    link.changes_requested_by_name = name
    link.save(update_fields=["changes_requested_at", "changes_requested_by_name"])
    article = Article.objects.select_for_update().get(pk=link.article_id)
    if article.status == Article.Status.REVIEW:
        article.status = Article.Status.DRAFT
        _save_transition(article, None, ["status"], f"Sent back by {name}: {note}"[:500])
    _log(article, EditorialEvent.Action.CHANGES_REQUESTED, actor_name=name, note=note)
    return link


# --- What readers see of people, brands, bags, campaigns and events --------------


class PublicationRefused(PermissionDenied):
    """A change to what readers see that only an editor may make."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def _hidden_until(embargoed_until, now):
    return embargoed_until if embargoed_until is not None and embargoed_until > now else None


def entity_check_publication(*, entity, user, now=None):
    """Refuse a change that only an editor may make to what readers see of ``entity``.

    Lifting or shortening an embargo, and publishing something (or withdrawing it)
    without a story, are editorial decisions like publishing an article. Holding
    something back for longer is anyone's to do. ``entity`` is the row about to be
    saved; what is stored is read from the database. Raises
    :class:`PublicationRefused`.
    """
    if user_can_publish(user):
        return
    now = now or timezone.now()
    fields = ["embargoed_until"]
    has_publication = hasattr(entity, "published_by_hand")
    if has_publication:
        fields.append("published_by_hand")
    stored = None
    if entity.pk is not None:
        stored = type(entity)._default_manager.filter(pk=entity.pk).values(*fields).first()
    stored = stored or {"embargoed_until": None, "published_by_hand": False}
    if has_publication and entity.published_by_hand != stored["published_by_hand"]:
        raise PublicationRefused(
            "published_by_hand", "Only editors can publish or withdraw this without a story."
        )
    held_until = _hidden_until(stored["embargoed_until"], now)
    if held_until is not None and (
        entity.embargoed_until is None or entity.embargoed_until < held_until
    ):
        raise PublicationRefused(
            "embargoed_until", "Only editors can lift or shorten an embargo."
        )


def quote_check_edit(*, quote, user):
    """Writers may not change a quote that a live or scheduled story reports.

    The article form makes such a story read-only to them; its quotes are part of
    it, so the same holds on the quote's own form.
    """
    if user_can_publish(user) or quote.pk is None:
        return
    if quote.wordings.filter(article__status=Article.Status.PUBLISHED).exists():
        raise PermissionDenied(
            "A published or scheduled story reports this quote; only editors can change it."
        )


def quote_wording_check(*, wording, user):
    """Writers may not add, change or move a wording in a live or scheduled story."""
    if user_can_publish(user):
        return
    articles = [wording.article_id]
    if wording.pk is not None:
        articles += type(wording).objects.filter(pk=wording.pk).values_list("article_id", flat=True)
    if Article.objects.filter(pk__in=articles, status=Article.Status.PUBLISHED).exists():
        raise PermissionDenied(
            "That story is published or scheduled; only editors can change the quotes it reports."
        )
