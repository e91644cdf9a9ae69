"""Uploads held while an editor answers a confirmation page.

When a save needs confirmation (the admin's link guard), nothing is saved yet,
but the browser will not send the chosen files again: they are kept here until
the editor answers. A held upload is

* validated and cleaned first, by the same code as every stored image
  (:func:`catalog.images.sanitised_upload`): a file that is not an acceptable
  image is never written;
* written under a generated name into a private folder (``HELD_UPLOADS_ROOT``)
  that is outside ``MEDIA_ROOT`` and has no URL, readable by the app only;
* named in the confirmation page by a signed token, good for
  ``HELD_UPLOADS_MAX_AGE`` seconds, that only this module can turn back into
  the file;
* deleted when the confirmed request has used it, or by the sweep once it is
  older than ``HELD_UPLOADS_MAX_AGE``.
"""

import logging
import re
import uuid
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.images import sanitised_upload
from catalog.storage import STORAGE_ERRORS
from catalog.validators import ALLOWED_FORMATS

logger = logging.getLogger(__name__)

_SALT = "newsroom.uploads.held"
_EXTENSIONS = "|".join(ALLOWED_FORMATS.values())
_HELD_NAME = re.compile(rf"^[0-9a-f]{{32}}\.(?:{_EXTENSIONS})$")
# Where uploads used to be held, inside the public media; emptied by the sweep.
_LEGACY_FOLDER = "held-uploads"


def max_age():
    return int(getattr(settings, "HELD_UPLOADS_MAX_AGE", 60 * 60))


class HeldUploadStorage(FileSystemStorage):
    """A private folder: files only the app reads, with no URL."""

    def url(self, name):
        raise ValueError("Held uploads are private and have no URL.")


def held_storage():
    """The private storage of held uploads; refuses a folder inside the public media."""
    root = Path(settings.HELD_UPLOADS_ROOT).resolve()
    for public in (settings.MEDIA_ROOT, getattr(settings, "STATIC_ROOT", None)):
        if public and root.is_relative_to(Path(public).resolve()):
            raise ImproperlyConfigured(
                f"HELD_UPLOADS_ROOT ({root}) must be outside the public folder {public}."
            )
    return HeldUploadStorage(
        location=root, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


def hold(field_name, upload):
    """Clean ``upload`` (raises ``ValidationError``), keep it privately; return its token."""
    cleaned = sanitised_upload(upload)
    extension = cleaned.name.rsplit(".", 1)[-1]
    name = held_storage().save(f"{uuid.uuid4().hex}.{extension}", ContentFile(cleaned.read()))
    token = {
        "field": field_name,
        "name": name,
        "filename": cleaned.name,
        "type": cleaned.content_type,
    }
    return signing.dumps(token, salt=_SALT)


def hold_all(files):
    """Tokens for every acceptable upload of a request's ``FILES``.

    The forms have validated these files already; one that still fails is not
    an image field's upload and is not kept.
    """
    sweep()
    tokens = []
    for field_name, upload in files.items():
        try:
            tokens.append(hold(field_name, upload))
        except ValidationError:
            logger.info("Not holding %s: not an acceptable image", field_name)
    return tokens


def restore(tokens):
    """``(files, names, lost)`` for the tokens of a confirmation page.

    ``files`` maps each form field to its upload, ``names`` are the held files to
    forget once the request is done, and ``lost`` counts genuine tokens whose
    file is gone (expired, swept, or held on a host that does not share the
    folder): the editor must choose those files again. Forged tokens are ignored.
    """
    sweep()
    storage = held_storage()
    files, names, lost = {}, [], 0
    for token in tokens:
        try:
            held = signing.loads(token, salt=_SALT, max_age=max_age())
        except signing.SignatureExpired:
            lost += 1
            continue
        except signing.BadSignature:
            continue
        name = held.get("name", "") if isinstance(held, dict) else ""
        if not _HELD_NAME.match(name):
            continue
        try:
            with storage.open(name, "rb") as stored:
                content = stored.read()
        except FileNotFoundError:
            lost += 1
            continue
        files[held["field"]] = SimpleUploadedFile(held["filename"], content, held["type"])
        names.append(name)
    return files, names, lost


def forget(names):
    storage = held_storage()
    for name in names:
        if _HELD_NAME.match(name):
            storage.delete(name)


def sweep(now=None):
    """Delete held uploads older than ``HELD_UPLOADS_MAX_AGE``, and any left in public media."""
    now = now or timezone.now()
    storage = held_storage()
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        files = []
    for name in files:
        with suppress(FileNotFoundError):  # another worker swept it first
            if now - storage.get_modified_time(name) > timedelta(seconds=max_age()):
                storage.delete(name)
    _sweep_legacy_folder()


def _sweep_legacy_folder():
    """Remove uploads an earlier version held in public media: nothing reads them now."""
    try:
        folders, files = default_storage.listdir(_LEGACY_FOLDER)
        for name in files:
            default_storage.delete(f"{_LEGACY_FOLDER}/{name}")
        for folder in folders:
            _sub, inner = default_storage.listdir(f"{_LEGACY_FOLDER}/{folder}")
            for name in inner:
                default_storage.delete(f"{_LEGACY_FOLDER}/{folder}/{name}")
    except (NotImplementedError, *STORAGE_ERRORS):
        return
