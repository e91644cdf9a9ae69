"""Directories: people, houses, handbags, campaigns, events and tags, A to Z, with facets.

Each directory lists what readers may see of its kind (``entities.get(key).public()``,
the visibility rule with the owner brand rule; tags from ``public_tags()``), in name
order, a page at a time. A page is addressed by a keyset cursor (the id of the row
just before or after it, whose name the query looks up), so a page costs one
``LIMIT size + 1`` query however deep the reader goes: no ``COUNT(*)``, no ``OFFSET``.

Facets narrow a directory (``/products/?colour=black&house=balenciaga``). Each facet
is one grouped query over the directory filtered by every *other* chosen facet, so
its counts say how many rows choosing that value would leave. A value that is not
among them (unknown, or matching nothing with the other choices) gives an empty list,
never an error. The number of queries of a page is fixed: one per facet, one for the
page, one per prefetched relation.

A filtered view is ``noindex`` (search engines should index the directory, not every
combination); an unfiltered page is canonical to itself (with its cursor).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from catalog.models import Colorway, Product, public_q

from .. import entities, paths, surrogate
from ..models import Affiliation, Ambassadorship, Event, Role
from ..pagination import PK_MAX
from ..seo import home_crumb, page_graph, page_meta
from ..tags import public_tags

PAGE_SIZE = 24
# A cursor is the id of a row, in ASCII digits only.
_ID = re.compile(r"[0-9]{1,19}")
# A facet value: what slugify() makes, or a year.
_VALUE = re.compile(r"[-a-z0-9_]{1,100}")


def parse_id(text):
    """The row id written in ``text``, or None when missing or malformed."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= PK_MAX else None


@dataclass
class NamePage:
    items: list
    previous: int | None  # id of the first row shown, when there are rows before it
    next: int | None  # id of the last row shown, when there are rows after it

    @property
    def has_other_pages(self):
        return bool(self.previous or self.next)


def name_page(queryset, *, after=None, before=None, size=PAGE_SIZE, field_name="name"):
    """One page of ``queryset`` in (name, id) order, after or before the row with that id.

    The cursor row's name is read by a subquery of the same query, so a page is
    one query. A cursor naming no row (deleted since) gives an empty page.
    """
    model = queryset.model
    if before is not None:
        name = Subquery(model._default_manager.filter(pk=before).values(field_name)[:1])
        rows = list(
            queryset.filter(
                Q(**{f"{field_name}__lt": name}) | Q(**{field_name: name, "pk__lt": before})
            ).order_by(f"-{field_name}", "-pk")[: size + 1]
        )
        items = list(reversed(rows[:size]))
        return NamePage(
            items=items,
            previous=items[0].pk if len(rows) > size else None,
            next=items[-1].pk if items else None,
        )
    ordered = queryset.order_by(field_name, "pk")
    if after is not None:
        name = Subquery(model._default_manager.filter(pk=after).values(field_name)[:1])
        ordered = ordered.filter(
            Q(**{f"{field_name}__gt": name}) | Q(**{field_name: name, "pk__gt": after})
        )
    rows = list(ordered[: size + 1])
    items = rows[:size]
    return NamePage(
        items=items,
        previous=items[0].pk if after is not None and items else None,
        next=items[-1].pk if len(rows) > size else None,
    )


# --- Facets ----------------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    raw: list = field(default_factory=list)  # the stored values this option stands for
    selected: bool = False
    url: str = ""


@dataclass
class Facet:
    """One way to narrow a directory.

    ``options(queryset)`` returns ``[(raw value, label, count), ...]`` in one query
    over ``queryset``; ``narrow(queryset, raw values)`` filters it to rows having
    one of those values. ``key`` turns a raw value into its URL form; ``parse``
    turns a URL value back into raw values when that needs no query (a slug, a
    year), or is None when the raw values must be looked up (colour names).
    """

    param: str
    label: str
    options: object
    narrow: object
    key: object = slugify
    parse: object = None
    reads: tuple = ()  # the kinds (keys) whose rows' names or visibility its options show
    choices: list = field(default_factory=list)
    chosen: Option | None = None
    clear_url: str = ""


def _same(value):
    return [value]


def _year(value):
    return [int(value)] if value.isascii() and value.isdigit() and len(value) <= 4 else None


def _grouped(queryset, value, label=None):
    """``[(value, label, count)]`` of ``queryset`` grouped by ``value`` (a field path)."""
    names = [value, label] if label else [value]
    rows = (
        queryset.exclude(**{f"{value}__isnull": True})
        .values(*names)
        .annotate(n=Count("pk", distinct=True))
        .order_by(label or value)
    )
    return [(r[value], r[label] if label else r[value], r["n"]) for r in rows]


def _brand_facet(param="house", label="House"):
    return Facet(
        param=param,
        label=label,
        options=lambda qs: _grouped(qs, "brand__slug", "brand__name"),
        narrow=lambda qs, raw: qs.filter(brand__slug__in=raw),
        key=str,
        parse=_same,
        reads=("brand",),
    )


def _year_facet(path, label):
    def options(qs):
        annotated = qs.annotate(facet_year=ExtractYear(path) if path == "date" else F(path))
        return [(y, str(y), n) for y, _, n in _grouped(annotated, "facet_year")]

    def narrow(qs, raw):
        lookup = f"{path}__year__in" if path == "date" else f"{path}__in"
        return qs.filter(**{lookup: raw})

    return Facet(param="year", label=label, options=options, narrow=narrow, key=str, parse=_year)


def _choice_facet(model, name, param, label):
    labels = dict(model._meta.get_field(name).choices)

    def options(qs):
        return [(v, labels.get(v, v), n) for v, _, n in _grouped(qs.exclude(**{name: ""}), name)]

    return Facet(
        param=param,
        label=label,
        options=options,
        narrow=lambda qs, raw: qs.filter(**{f"{name}__in": raw}),
        key=str,
        parse=lambda value: [value] if value in labels else None,
    )


def _material_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _material_options(qs):
    """Materials are one per line of a text field: counted in Python over one query."""
    counts = {}
    for text in qs.exclude(materials="").values_list("materials", flat=True):
        for line in set(_material_lines(text)):
            counts[line] = counts.get(line, 0) + 1
    return [(m, m, n) for m, n in sorted(counts.items(), key=lambda item: item[0].casefold())]


def _material_narrow(qs, raw):
    """Rows with one of ``raw`` as a whole line of ``materials`` (either line ending)."""
    condition = Q()
    for material in raw:
        condition |= Q(materials=material)
        for end in ("\n", "\r\n"):
            condition |= (
                Q(materials__startswith=material + end)
                | Q(materials__endswith="\n" + material)
                | Q(materials__contains="\n" + material + end)
            )
    return qs.filter(condition)


def _people_houses(qs):
    """Houses people are ambassadors of or work for (creative direction, ...), public only."""
    now = timezone.now()
    people = qs.values("pk")
    members = {}
    for rows in (
        Ambassadorship.objects.public(now=now).filter(person__in=people),
        Affiliation.objects.filter(person__in=people),
    ):
        for slug, name, person in rows.filter(
            public_q("brand__", now=now), brand__isnull=False
        ).values_list("brand__slug", "brand__name", "person_id"):
            members.setdefault((slug, name), set()).add(person)
    ordered = sorted(members.items(), key=lambda item: item[0][1].casefold())
    return [(slug, name, len(people)) for (slug, name), people in ordered]


def _people_narrow_house(qs, raw):
    now = timezone.now()
    ambassadors = Ambassadorship.objects.public(now=now).filter(
        person=OuterRef("pk"), brand__slug__in=raw
    )
    staff = Affiliation.objects.filter(person=OuterRef("pk"), brand__slug__in=raw)
    return qs.filter(Q(Exists(ambassadors)) | Q(Exists(staff)))


def _role_narrow(qs, raw):
    roles = Role.people.through.objects.filter(person=OuterRef("pk"), role__slug__in=raw)
    return qs.filter(Exists(roles))


PEOPLE_FACETS = [
    lambda: Facet(
        param="role",
        label="Role",
        options=lambda qs: _grouped(qs, "roles__slug", "roles__name"),
        narrow=_role_narrow,
        key=str,
        parse=_same,
    ),
    lambda: Facet(
        param="house",
        label="House",
        options=_people_houses,
        narrow=_people_narrow_house,
        key=str,
        parse=_same,
        reads=("brand",),
    ),
]

PRODUCT_FACETS = [
    _brand_facet,
    lambda: _choice_facet(Product, "category", "category", "Category"),
    lambda: Facet(
        param="colour",
        label="Colour",
        # Colourway names are unique per product: counting colourways counts products.
        options=lambda qs: _grouped(Colorway.objects.filter(product__in=qs.values("pk")), "name"),
        narrow=lambda qs, raw: qs.filter(
            Exists(Colorway.objects.filter(product=OuterRef("pk"), name__in=raw))
        ),
    ),
    lambda: Facet(
        param="material", label="Material", options=_material_options, narrow=_material_narrow
    ),
    lambda: _year_facet("year_introduced", "Year introduced"),
]

CAMPAIGN_FACETS = [
    _brand_facet,
    lambda: Facet(
        param="series",
        label="Series",
        options=lambda qs: _grouped(qs, "series__slug", "series__name"),
        narrow=lambda qs, raw: qs.filter(series__slug__in=raw),
        key=str,
        parse=_same,
    ),
    lambda: _year_facet("date", "Year"),
]

EVENT_FACETS = [
    lambda: _choice_facet(Event, "kind", "kind", "Kind"),
    _brand_facet,
    lambda: _year_facet("date", "Year"),
]


def apply_facets(request, queryset, facet_factories):
    """The facets with their options and counts, and ``queryset`` narrowed by the chosen ones.

    Returns ``(facets, narrowed queryset, filtered, empty)``: ``filtered`` when any
    facet parameter was given, ``empty`` when a chosen value cannot match anything.
    Queries: one per facet, plus one per chosen facet whose values need a lookup.
    """
    facets = [make() for make in facet_factories]
    wanted = {}
    raw_of = {}
    empty = False
    for facet in facets:
        value = request.GET.get(facet.param)
        if not value:
            continue
        raw = None
        if _VALUE.fullmatch(value):
            if facet.parse is not None:
                raw = facet.parse(value)
            else:
                raw = [r for r, _, _ in facet.options(queryset) if facet.key(r) == value] or None
        if raw is None:
            empty = True
            raw_of[facet.param] = []
        else:
            wanted[facet.param] = value
            raw_of[facet.param] = raw
    for facet in facets:
        others = queryset
        for other in facets:
            if other is not facet and other.param in raw_of:
                others = other.narrow(others, raw_of[other.param])
        options = {}
        for raw, label, count in facet.options(others):
            key = facet.key(raw)
            option = options.setdefault(key, Option(value=key, label=str(label), count=0))
            option.count += count
            option.raw.append(raw)
        chosen = wanted.get(facet.param)
        if chosen is not None:
            if chosen not in options:  # matches nothing beside the other choices
                options[chosen] = Option(value=chosen, label=chosen, count=0)
            facet.chosen = options[chosen]
            facet.chosen.selected = True
        facet.choices = list(options.values())
    narrowed = queryset.none() if empty else queryset
    for facet in facets:
        if facet.param in raw_of and not empty:
            narrowed = facet.narrow(narrowed, raw_of[facet.param])
    # Links: each option toggles its own facet and keeps the other choices.
    for facet in facets:
        for option in facet.choices:
            params = dict(wanted)
            if option.selected:
                params.pop(facet.param, None)
            else:
                params[facet.param] = option.value
            option.url = _with_query(request.path, params)
        facet.clear_url = _with_query(
            request.path, {k: v for k, v in wanted.items() if k != facet.param}
        )
    return facets, narrowed, bool(raw_of), empty


def _with_query(path, params):
    return f"{path}?{urlencode(sorted(params.items()))}" if params else path


# --- The directory page ----------------------------------------------------------------------


@dataclass
class Directory:
    key: str  # the entity kind, or "tag"
    title: str
    intro: str
    template: str
    queryset: object
    facets: list = field(default_factory=list)
    noun: str = "entries"

    @property
    def cache_keys(self):
        """What the page shows, as surrogate keys: see :func:`directory_keys`."""
        return directory_keys(self.key, self.facets)


def directory_keys(key, facet_factories=()):
    """The collections a directory shows: its kind's ``list_cache_key`` (tags:
    ``tags-list``), the directory of its owner kind (a bag's house: its name and
    whether readers may see it), and those of the kinds its facets read (the
    houses of the people directory).

    Rows read through a relation of the kind (roles, ambassadorships, colourways,
    images, a campaign's series) need no key of their own: writing one
    invalidates the directories of the kinds it is related to
    (``surrogate.related_list_keys``). What its rows show is recorded by the rows.
    """
    if key == "tag":
        return {surrogate.TAGS_LIST}
    kind = entities.get(key)
    kinds = {kind}
    if kind.owner:
        kinds.add(entities.for_model(kind.model._meta.get_field(kind.owner).related_model))
    for make in facet_factories:
        kinds.update(entities.get(read) for read in make().reads)
    return {k.list_cache_key for k in kinds}


def item_url(obj):
    """The page of a directory row: its own ``get_absolute_url``, or the tag page."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    return paths.slug_path("newsroom:tag-detail", obj.slug)


def _item_node(request, obj, position):
    return {
        "@type": "ListItem",
        "position": position,
        "url": request.build_absolute_uri(item_url(obj)),
        "name": str(obj.name),
    }


def render_directory(request, directory):
    surrogate.add(request, *directory.cache_keys)
    facets, rows, filtered, empty = apply_facets(request, directory.queryset, directory.facets)
    after = parse_id(request.GET.get("after"))
    before = None if after else parse_id(request.GET.get("before"))
    page = name_page(rows, after=after, before=before)

    chosen = {f.param: f.chosen.value for f in facets if f.chosen is not None}
    base_params = {f.param: request.GET[f.param] for f in facets if request.GET.get(f.param)}
    previous_url = (
        _with_query(request.path, {**base_params, "before": page.previous}) if page.previous else ""
    )
    next_url = _with_query(request.path, {**base_params, "after": page.next}) if page.next else ""
    cursor = {"after": after} if after else ({"before": before} if before else {})
    path = _with_query(request.path, cursor)
    crumbs = [home_crumb(), (directory.title, request.path)]
    if chosen:
        names = ", ".join(f.chosen.label for f in facets if f.chosen is not None)
        title = f"{directory.title}: {names}"
    else:
        title = directory.title
    url = request.build_absolute_uri(path)
    item_list = {
        "@type": "ItemList",
        "@id": f"{url}#items",
        "name": title,
        "numberOfItems": len(page.items),
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "itemListElement": [
            _item_node(request, obj, i) for i, obj in enumerate(page.items, start=1)
        ],
    }
    context = {
        "directory": directory,
        "title": title,
        "facets": facets,
        "page": page,
        "filtered": filtered,
        "previous_url": previous_url,
        "next_url": next_url,
        "clear_url": request.path,
        "meta": page_meta(
            request,
            title=title,
            description=directory.intro,
            path=path,
            noindex=filtered or empty,
        ),
        "breadcrumbs": crumbs,
        "jsonld": page_graph(request, crumbs, kind="CollectionPage", about=item_list, name=title),
    }
    return render(request, directory.template, context)


# --- The directories -------------------------------------------------------------------------


@require_safe
def person_list(request):
    kind = entities.get("person")
    return render_directory(
        request,
        Directory(
            key=kind.key,
            title=kind.title,
            intro="Everyone in the stories, A to Z: ambassadors, creative directors, "
            "photographers, style icons.",
            template="newsroom/person_list.html",
            queryset=kind.public().prefetch_related(
                Prefetch("roles", Role.objects.order_by("name"))
            ),
            facets=PEOPLE_FACETS,
            noun="people",
        ),
    )


@require_safe
def brand_list(request):
    kind = entities.get("brand")
    return render_directory(
        request,
        Directory(
            key=kind.key,
            title=kind.title,
            intro="The fashion houses in the stories, A to Z.",
            template="newsroom/brand_list.html",
            queryset=kind.public(),
            noun="houses",
        ),
    )


@require_safe
def product_list(request):
    kind = entities.get("product")
    now = timezone.now()
    return render_directory(
        request,
        Directory(
            key=kind.key,
            title=kind.title,
            intro="Every handbag and piece in the stories, A to Z, by house, category, colour, "
            "material and year introduced.",
            template="newsroom/product_list.html",
            queryset=kind.public(now=now).select_related("brand").prefetch_related("images"),
            facets=PRODUCT_FACETS,
            noun="handbags",
        ),
    )


@require_safe
def campaign_list(request):
    kind = entities.get("campaign")
    return render_directory(
        request,
        Directory(
            key=kind.key,
            title=kind.title,
            intro="The campaigns in the stories, A to Z, by house, series and year.",
            template="newsroom/campaign_list.html",
            queryset=kind.public().select_related("brand", "series"),
            facets=CAMPAIGN_FACETS,
            noun="campaigns",
        ),
    )


@require_safe
def event_list(request):
    kind = entities.get("event")
    now = timezone.now()
    # An event's house is shown only while readers may see the house.
    return render_directory(
        request,
        Directory(
            key=kind.key,
            title=kind.title,
            intro="Shows, galas and presentations in the stories, A to Z.",
            template="newsroom/event_list.html",
            queryset=kind.public(now=now)
            .filter(public_q("brand__", now=now))
            .select_related("brand"),
            facets=EVENT_FACETS,
            noun="events",
        ),
    )


@require_safe
def tag_list(request):
    # No story counts: counting every tag's published stories read every tagged
    # story (0.8-4 s at 100,000 articles); the tag's own page lists them.
    return render_directory(
        request,
        Directory(
            key="tag",
            title="Tags",
            intro="The subjects of the stories, A to Z.",
            template="newsroom/tag_list.html",
            queryset=public_tags(now=timezone.now()),
            noun="tags",
        ),
    )


def directory_links():
    """(title, path, url name) of every directory, for the header and footer: from the registry."""
    links = [
        (kind.title, kind.list_url, kind.list_url_name.split(":")[-1])
        for kind in entities.kinds()
        if kind.list_url_name
    ]
    links.append(("Tags", paths.path("newsroom:tag-list"), "tag-list"))
    return links
