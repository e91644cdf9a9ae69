from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from .models import Article, Campaign, Person


class HomeView(ListView):
    template_name = "newsroom/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()[:10]


class ArticleListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleDetailView(DetailView):
    def get_queryset(self):
        return Article.objects.published()


class PersonDetailView(DetailView):
    def get_queryset(self):
        return Person.objects.public()


class CampaignDetailView(DetailView):
    def get_queryset(self):
        return Campaign.objects.public().select_related("brand", "series", "photographer")


class TagDetailView(ListView):
    template_name = "newsroom/tag_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
