"""The product's URLs plus the benchmark's baseline: a small template, no database."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import cache_control

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


@cache_control(private=True)  # never stored by the page cache: it is the baseline
def bare(request):
    return render(
        request,
        "bench/bare.html",
        {"title": "A bare page", "items": [f"Item {n}" for n in range(10)]},
    )


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *project_urlpatterns]
