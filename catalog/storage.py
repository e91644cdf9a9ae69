"""When the file storage fails: what counts as a storage error, and what happens then.

Uploads and renditions may live in object storage (S3, MinIO, R2, ...), which
can be slow or unreachable. Reader pages must not fail with it, and an editor
saving an image must get a clear message rather than an error page.

* :data:`STORAGE_ERRORS` is every exception a storage call raises when the
  storage cannot do its job: ``OSError`` (disk errors, refused connections,
  timeouts) and botocore's and boto3's own errors.
* :func:`storage_unavailable` / :func:`note_storage_failure` keep one short
  back-off in the cache, shared by every worker: after a failure, request
  paths stop calling the storage for ``STORAGE_RETRY_AFTER`` seconds and then
  try again. The failure is logged once per back-off period.
* :class:`UploadStorageErrorsMixin` (every admin that stores uploads) turns a
  storage error while saving a form with files into a form error; the admin's
  transaction rolls back, so no row refers to a file that was never stored.
* :class:`DegradedPagesMiddleware` keeps a page rendered without its images'
  renditions (storage failing) out of every cache, so the first request after
  the storage answers again gets the full page.
"""

import logging
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

OUTAGE_KEY = "storage:unavailable:v1"


def _error_classes():
    classes = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        classes += [BotoCoreError, ClientError]
    except ImportError:  # pragma: no cover - object storage not installed
        pass
    try:
        from boto3.exceptions import Boto3Error

        classes.append(Boto3Error)
    except ImportError:  # pragma: no cover
        pass
    return tuple(classes)


STORAGE_ERRORS = _error_classes()


def is_missing_file(error):
    """True when ``error`` says the file is not there (rather than that storage failed)."""
    if isinstance(error, FileNotFoundError):
        return True
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in ("404", "NoSuchKey", "NotFound") or (status == 404 and not code)
    return False


def retry_after():
    return max(1, int(getattr(settings, "STORAGE_RETRY_AFTER", 60)))


def storage_unavailable():
    """True during the back-off that follows a storage failure."""
    try:
        return bool(cache.get(OUTAGE_KEY))
    except Exception:  # no cache: no back-off either
        return False


def note_storage_failure(error, doing):
    """Start a back-off after ``error`` (raised while ``doing`` something); log it once."""
    try:
        first = cache.add(OUTAGE_KEY, True, retry_after())
    except Exception:
        first = True
    if first:
        logger.warning(
            "File storage failed while %s (%s: %s); storage calls from pages pause for %s s",
            doing,
            type(error).__name__,
            error,
            retry_after(),
        )


_degraded = ContextVar("storage_degraded", default=None)


def mark_page_degraded():
    """The page being rendered lacks something the storage failed to give."""
    marks = _degraded.get()
    if marks is not None:
        marks.append(True)


class DegradedPagesMiddleware:
    """A page marked by :func:`mark_page_degraded` is sent with ``Cache-Control: no-cache``.

    Placed below the page cache in ``MIDDLEWARE``: the page cache, HTTP caches
    and Varnish do not keep it, and nothing else about the page changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        marks = []
        token = _degraded.set(marks)
        try:
            response = self.get_response(request)
        finally:
            _degraded.reset(token)
        if marks:
            patch_cache_control(response, no_cache=True, max_age=0)
        return response


class UploadNotStored(Exception):  # noqa: N818 - carries the storage error out of the save
    """Saving a row failed because the storage did not take its file."""


class _StorageFailedForm:
    message = (
        "Nothing was saved: the file storage did not answer, so the image could not be "
        "stored. Choose the file again and save in a few minutes."
    )

    def clean(self):
        cleaned = super().clean()
        self.add_error(None, ValidationError(self.message, code="storage_unavailable"))
        return cleaned


class UploadStorageErrorsMixin:
    """A model admin whose save stores files: a storage failure is a form error.

    Saving the row and its inlines runs in the admin's transaction; when the
    storage raises, the transaction rolls back and the change form is shown
    again, with the editor's input and a message, instead of an error page.
    """

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Runs inside the admin's transaction: an error raised here rolls it back.
        if request.method != "POST" or not request.FILES:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except STORAGE_ERRORS as error:
            raise UploadNotStored(str(error)) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UploadNotStored as failed:
            note_storage_failure(failed.__cause__ or failed, "saving an upload")
            request._upload_not_stored = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_upload_not_stored", False):
            return type(form.__name__, (_StorageFailedForm, form), {})
        return form
