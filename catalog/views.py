from django.views.generic import DetailView

from .models import Brand, Product


class BrandDetailView(DetailView):
    def get_queryset(self):
        return Brand.objects.public()


class ProductDetailView(DetailView):
    def get_queryset(self):
        return Product.objects.public().select_related("brand", "variant_of")
