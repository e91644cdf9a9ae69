from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("brands/<slug:slug>/", views.BrandDetailView.as_view(), name="brand-detail"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product-detail"),
]
