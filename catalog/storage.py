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
  storage error while saving into a form error; the admin's transaction rolls
  back, so no row refers to a file that was never stored.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

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
        return code in ("404", "NoSuchKey", "NotFound") or status == 404
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


class UploadNotStored(Exception):  # noqa: N818 - carries the storage error out of the save
    """Saving a row failed because the storage did not take its file."""


@contextmanager
def storing_uploads():
    """Turn a storage error raised inside the block into :class:`UploadNotStored`."""
    try:
        yield
    except STORAGE_ERRORS as error:
        raise UploadNotStored(str(error)) from error


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

    def save_model(self, request, obj, form, change):
        with storing_uploads():
            return super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with storing_uploads():
            return super().save_related(request, form, formsets, change)

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
