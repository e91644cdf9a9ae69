from django.urls import path

from . import feeds
from .views import (
    articles,
    brands,
    campaigns,
    directories,
    people,
    search,
    showcases,
    tags,
)

app_name = "newsroom"

urlpatterns = [
    path("", articles.home, name="home"),
    path("articles/", articles.article_list, name="article-list"),
    path("articles/<slug:slug>/", articles.article_detail, name="article-detail"),
    path("people/", directories.person_list, name="person-list"),
    path("people/<slug:slug>/", people.person_detail, name="person-detail"),
    path("brands/", directories.brand_list, name="brand-list"),
    path("brands/<slug:slug>/", brands.brand_detail, name="brand-detail"),
    path("products/", directories.product_list, name="product-list"),
    path("products/<slug:slug>/", brands.product_detail, name="product-detail"),
    path("campaigns/", directories.campaign_list, name="campaign-list"),
    path("campaigns/series/<slug:slug>/", showcases.series_detail, name="series-detail"),
    path("campaigns/<slug:slug>/", campaigns.campaign_detail, name="campaign-detail"),
    path("events/", directories.event_list, name="event-list"),
    path("events/<slug:slug>/", showcases.event_detail, name="event-detail"),
    path("tags/", directories.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", tags.tag_detail, name="tag-detail"),
    path("search/", search.search, name="search"),
    path("search/suggest/", search.suggest, name="search-suggest"),
    path("feeds/articles/", feeds.LatestArticlesFeed(), name="article-feed"),
    path("feeds/tags/<slug:slug>/", feeds.TagArticlesFeed(), name="tag-feed"),
    path("feeds/people/<slug:slug>/", feeds.PersonArticlesFeed(), name="person-feed"),
]
