"""``loaddata`` that validates what it loads, and keeps the publication rule exact.

Django's own ``loaddata`` saves rows raw: no ``full_clean``, so a fixture with an
unknown status, an over-long name or a ``javascript:`` website loads without a
word. This one validates every loaded row inside the load's transaction (field
validation and each model's ``clean``; uniqueness and constraints are left to the
database) and refuses the whole load, naming the fixture, the row and the field,
when one is invalid. Then it recomputes which people, brands, products, campaigns
and events a live story links (``newsroom.publication``), since raw saves of
those rows may have overwritten it.
"""

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.db import DatabaseError, connections, transaction
from django.db.models import FileField

from newsroom import publication


class Command(loaddata.Command):
    help = loaddata.Command.help + " Every loaded row is validated; an invalid one loads nothing."

    def loaddata(self, fixture_labels):
        self._loaded_any = False
        self._forward_referencing = []
        super().loaddata(fixture_labels)
        # Rows that referred to rows later in the fixture are complete only now.
        for label, instance in self._forward_referencing:
            self._validate(label, instance)
        if self._loaded_any:
            publication.refresh_all(using=self.using)
            # Settle the foreign-key checks those updates queued (PostgreSQL defers
            # them to the commit, as Django's own check after a load does).
            connections[self.using].check_constraints(
                table_names=[model._meta.db_table for model in publication.publishable_models()]
            )

    def load_label(self, fixture_label):
        self._label = fixture_label
        super().load_label(fixture_label)

    def save_obj(self, obj):
        try:
            with transaction.atomic(using=self.using):  # a savepoint per row
                saved = super().save_obj(obj)
        except DatabaseError:
            # The database refused the row (PostgreSQL enforces a column's length):
            # name the field, as validation would, when validation can tell.
            self._validate(self._label, obj.object, exclude=self._file_fields(obj.object))
            raise
        if saved:
            self._loaded_any = True
            if obj.deferred_fields:
                # Complete only once the rows it refers to ahead have been loaded.
                self._forward_referencing.append((self._label, obj.object))
            else:
                # After the save: receivers have derived what they derive (a tag's
                # slug) and the fixture's media files have been copied to storage.
                self._validate(self._label, obj.object)
        return saved

    @staticmethod
    def _file_fields(instance):
        return [f.name for f in instance._meta.fields if isinstance(f, FileField)]

    def _validate(self, label, instance, exclude=None):
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            raise CommandError(self._describe(label, instance, error)) from None
        except SuspiciousOperation as error:  # e.g. a file path leading out of storage
            raise CommandError(
                self._describe(label, instance, ValidationError(str(error)))
            ) from None

    def _describe(self, label, instance, error):
        files = ", ".join(path for path, _dir, _name in self.find_fixtures(label)) or label
        key = instance.natural_key() if hasattr(instance, "natural_key") else (instance.pk,)
        key = "/".join(str(part) for part in key)
        if hasattr(error, "error_dict"):
            problems = "; ".join(
                f"{field}: {' '.join(m.rstrip('.') for m in messages)}"
                for field, messages in error.message_dict.items()
            )
        else:
            problems = " ".join(m.rstrip(".") for m in error.messages)
        return (
            f"Problem installing fixture '{files}': {instance._meta.label} “{key}” is invalid: "
            f"{problems}. Nothing was loaded."
        )
