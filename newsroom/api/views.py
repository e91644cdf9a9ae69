"""The API's views: the root, a collection and a detail view per resource, docs.

Views answer GET and HEAD (and OPTIONS); Django REST framework answers every
other method with a JSON 405. Anonymous clients are rate limited
(``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]``, state in the shared cache).
"""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import resources as res
from .http import add_surrogate_keys, add_validators, json_error
from .paging import slug_page, story_page
from .params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PAGINATION_PARAMS,
    check_known,
    parse_cursors,
    parse_limit,
    single,
)
from .serializers import absolute, api_path

ALL_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"})


def api_view(view):
    """Let DRF answer every method (405 as JSON) rather than the reader pages' middleware."""
    view.allowed_methods = ALL_METHODS
    return view


class ApiView(APIView):
    """Validators, cache headers and surrogate keys on every successful answer."""

    def get_throttles(self):
        # Read at each request, so that a settings change applies without a restart of the class.
        return [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.keys = set()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            add_surrogate_keys(response, getattr(self, "keys", ()))
            add_validators(request, response)
        return response

    def serializer_context(self):
        return {"request": self.request, "keys": self.keys}


class RootView(ApiView):
    """Every resource of the API, with the address of its collection."""

    @extend_schema(
        operation_id="root",
        responses=inline_serializer(
            "Root",
            {
                "resources": inline_serializer(
                    "RootResource",
                    {
                        "name": serializers.CharField(),
                        "title": serializers.CharField(),
                        "url": serializers.URLField(),
                        "html_url": serializers.URLField(allow_null=True),
                    },
                    many=True,
                ),
                "schema": serializers.URLField(),
                "docs": serializers.URLField(),
            },
        ),
    )
    def get(self, request):
        check_known(request.GET, ())
        context = self.serializer_context()
        items = []
        for resource in res.resources():
            html = _collection_page(resource)
            items.append(
                {
                    "name": resource.plural,
                    "title": resource.title,
                    "url": absolute(context, api_path(resource.plural)),
                    "html_url": absolute(context, html),
                }
            )
            self.keys.add(resource.list_cache_key())
        return Response(
            {
                "resources": items,
                "schema": absolute(context, reverse("api:schema")),
                "docs": absolute(context, reverse("api:docs")),
            }
        )


def _collection_page(resource):
    """The reader's directory of a resource (``newsroom:<key>-list``), when the site has one."""
    try:
        return reverse(f"newsroom:{resource.key}-list")
    except NoReverseMatch:
        return None


class ResourceView(ApiView, GenericAPIView):
    resource_key = None  # set per resource; None: found from the URL (kinds registered later)

    def get_resource(self):
        plural = self.kwargs.get("plural")
        if plural is None:
            return next(r for r in res.resources() if r.key == self.resource_key)
        try:
            return res.by_plural(plural)
        except KeyError:
            raise Http404("No such resource.") from None

    def get_serializer_class(self):
        resource = self.get_resource() if self.resource_key or "plural" in self.kwargs else None
        if resource is None:
            return serializers.Serializer
        return resource.detail_serializer if "slug" in self.kwargs else resource.item_serializer


class CollectionView(ResourceView):
    def get(self, request, plural=None):
        resource = self.get_resource()
        query = request.GET
        filters = {f.name: f for f in resource.filters}
        check_known(query, (*PAGINATION_PARAMS, *filters))
        size = parse_limit(query)
        after, before = parse_cursors(query, by_date=resource.by_date)
        now = timezone.now()
        rows = resource.public(now)
        applied = []
        for name, spec in filters.items():
            value = spec.parse(name, single(query, name))
            if value is not None:
                rows = rows.filter(spec.condition(value, now))
                applied.append((name, value))
        if applied:
            # A join through a many-to-many relation may repeat a row.
            rows = rows.distinct()
        rows = resource.for_list(rows, now)
        paging = story_page if resource.by_date else slug_page
        page = paging(rows, after=after, before=before, size=size)
        context = self.serializer_context()
        data = resource.item_serializer(page.items, many=True, context=context).data
        self.keys.add(resource.list_cache_key())
        base = [(name, value) for name, value in applied]
        if size != DEFAULT_LIMIT:
            base.append(("limit", size))
        return Response(
            {
                "results": data,
                "next": self._link(base, "after", page.after),
                "previous": self._link(base, "before", page.before),
            }
        )

    def _link(self, base, name, cursor):
        if cursor is None:
            return None
        query = urlencode([*base, (name, cursor)])
        return self.request.build_absolute_uri(f"{self.request.path}?{query}")


class DetailView(ResourceView):
    def get(self, request, slug, plural=None):
        resource = self.get_resource()
        check_known(request.GET, ())
        now = timezone.now()
        queryset = resource.public(now)
        if resource.key in ("product", "campaign", "series"):
            queryset = queryset.select_related(
                "brand", *(("series",) if resource.key == "campaign" else ())
            )
        obj = queryset.filter(slug=slug).first()
        if obj is None:
            raise Http404(f"No public {resource.key} has this slug.")
        resource.load_detail(obj, now)
        context = self.serializer_context()
        data = resource.detail_serializer(obj, context=context).data
        return Response(data)


@extend_schema_view(get=extend_schema(exclude=True))
class GenericCollectionView(CollectionView):
    """A kind registered after start-up; the schema lists the others."""


@extend_schema_view(get=extend_schema(exclude=True))
class GenericDetailView(DetailView):
    pass


def collection_view(resource):
    """The collection view of one resource, with its filters in the schema."""
    parameters = [
        OpenApiParameter(
            "after", str, description="Cursor of the next page (from `next`).", required=False
        ),
        OpenApiParameter(
            "before",
            str,
            description="Cursor of the previous page (from `previous`).",
            required=False,
        ),
        OpenApiParameter(
            "limit",
            int,
            description=f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            required=False,
        ),
        *(
            OpenApiParameter(
                f.name,
                int if f.schema_type == "integer" else str,
                description=f.description,
                required=False,
                enum=list(f.choices) or None,
            )
            for f in resource.filters
        ),
    ]
    page = inline_serializer(
        f"{resource.item_serializer.__name__}Page",
        {
            "results": resource.item_serializer(many=True),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
        },
    )

    @extend_schema(operation_id=f"{resource.plural}_list", parameters=parameters, responses=page)
    def get(self, request):
        return CollectionView.get(self, request)

    view_class = type(
        f"{resource.key.title()}CollectionView",
        (CollectionView,),
        {
            "resource_key": resource.key,
            "get": get,
            "__doc__": f"{resource.title}: one page of the collection.",
        },
    )
    return api_view(view_class.as_view())


def detail_view(resource):
    @extend_schema(operation_id=f"{resource.plural}_retrieve", responses=resource.detail_serializer)
    def get(self, request, slug):
        return DetailView.get(self, request, slug)

    view_class = type(
        f"{resource.key.title()}DetailView",
        (DetailView,),
        {
            "resource_key": resource.key,
            "get": get,
            "__doc__": f"One of the {resource.plural}, by slug.",
        },
    )
    return api_view(view_class.as_view())


# -- schema and docs ----------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    pass


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from this site's static files, with no inline script or style (CSP)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)
        page = format_html(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>{}</title><link rel="stylesheet" href="{}"></head>'
            '<body><div id="swagger-ui"></div>'
            '<script src="{}"></script><script src="{}"></script>'
            '<script src="{}?script="></script></body></html>',
            "Atelier Newsroom API",
            self._swagger_ui_resource("swagger-ui.css"),
            self._swagger_ui_resource("swagger-ui-bundle.js"),
            self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
            request.path,
        )
        return HttpResponse(page)


def not_found(request, *args, **kwargs):
    return json_error(404, "No such resource in the API.")
