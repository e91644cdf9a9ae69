"""``/api/v1/``: the root, a collection and a detail address per resource, schema, docs.

Addresses of the resources known at start-up are listed one by one (the
schema names them); a kind registered later is served by the two generic
patterns below them.
"""

from django.urls import path, re_path

from . import resources as res
from . import views

app_name = "api"

urlpatterns = [
    path("", views.api_view(views.RootView.as_view()), name="root"),
    path("schema/", views.api_view(views.SchemaView.as_view()), name="schema"),
    path("docs/", views.api_view(views.DocsView.as_view(url_name="api:schema")), name="docs"),
]
for _resource in res.resources():
    urlpatterns += [
        path(
            f"{_resource.plural}/",
            views.collection_view(_resource),
            name=f"{_resource.key}-list",
        ),
        path(
            f"{_resource.plural}/<slug:slug>/",
            views.detail_view(_resource),
            name=f"{_resource.key}-detail",
        ),
    ]
urlpatterns += [
    path(
        "<slug:plural>/",
        views.api_view(views.GenericCollectionView.as_view()),
        name="collection",
    ),
    path(
        "<slug:plural>/<slug:slug>/",
        views.api_view(views.GenericDetailView.as_view()),
        name="detail",
    ),
    re_path(r"^.*$", views.not_found),
]
