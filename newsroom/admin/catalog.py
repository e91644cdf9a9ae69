"""Brands and bags in the admin: catalog's admins with the publication's guard and history.

Catalog defines how a brand or a bag is edited; the publication decides what
an embargo may hide (``EmbargoGuardMixin``) and keeps revisions of them
(``VersionedAdmin``), so it registers them here.
"""

from django.contrib import admin

from catalog import admin as catalog_admin
from catalog.models import Brand, Product

from ..assistants.guards import EmbargoGuardMixin
from .revisions import VersionedAdmin


@admin.register(Brand)
class BrandAdmin(EmbargoGuardMixin, VersionedAdmin, catalog_admin.BrandAdmin):
    pass


@admin.register(Product)
class ProductAdmin(EmbargoGuardMixin, VersionedAdmin, catalog_admin.ProductAdmin):
    pass
