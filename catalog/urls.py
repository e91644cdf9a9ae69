from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("brands/<slug:slug>/", views.brand_detail, name="brand-detail"),
    path("products/<slug:slug>/", views.product_detail, name="product-detail"),
]
