from django.urls import path

from . import directories, feeds, search_views, showcases, views

app_name = "newsroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("people/", directories.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("brands/", directories.brand_list, name="brand-list"),
    path("products/", directories.product_list, name="product-list"),
    path("campaigns/", directories.campaign_list, name="campaign-list"),
    path("campaigns/series/<slug:slug>/", showcases.series_detail, name="series-detail"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("events/", directories.event_list, name="event-list"),
    path("events/<slug:slug>/", showcases.event_detail, name="event-detail"),
    path("tags/", directories.tag_list, name="tag-list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("search/", views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search-suggest"),
    path("feeds/articles/", feeds.LatestArticlesFeed(), name="article-feed"),
    path("feeds/tags/<slug:slug>/", feeds.TagArticlesFeed(), name="tag-feed"),
    path("feeds/people/<slug:slug>/", feeds.PersonArticlesFeed(), name="person-feed"),
]
