"""Template tags of the reader site: the directory links, a person's series."""

from django import template
from django.db.models import Exists, OuterRef, Q

from newsroom.directories import directory_links as _directory_links

register = template.Library()


@register.simple_tag
def directory_links():
    """(title, path, url name) of each directory, from the registry of kinds."""
    return _directory_links()


@register.simple_tag
def person_series(person):
    """The public series ``person`` appeared in: in a known instalment or an unknown one.

    One query, whatever the number of campaigns.
    """
    from newsroom.showcases import public_instalments, public_series

    in_instalment = public_instalments().filter(series=OuterRef("pk"), people=person)
    return list(
        public_series()
        .filter(Q(Exists(in_instalment)) | Q(appearances__person=person))
        .distinct()
        .select_related("brand")
        .order_by("name")
    )
