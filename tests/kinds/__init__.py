"""A throwaway kind of entity, a photographers' agency, installed for one test at a time.

:func:`tests.kinds.agency.installed` builds what adding a kind takes (its model, the
Article many-to-many field that links it, its admin, its page and one
``entities.register()``), creates its tables inside the test's transaction, and
takes all of it away again, so no other test sees an extra field, kind, table,
admin, signal receiver or sitemap section.
"""
