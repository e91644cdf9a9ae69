from django.urls import path

from . import feeds, views

app_name = "newsroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("search/", views.search, name="search"),
    path("feeds/articles/", feeds.LatestArticlesFeed(), name="article-feed"),
    path("feeds/tags/<slug:slug>/", feeds.TagArticlesFeed(), name="tag-feed"),
    path("feeds/people/<slug:slug>/", feeds.PersonArticlesFeed(), name="person-feed"),
]
