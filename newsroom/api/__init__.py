"""The read-only content API under ``/api/v1/``: stories and the entity graph behind them.

Resources come from the registry of kinds (:mod:`newsroom.entities`) plus
articles and tags; what is public is decided by the same querysets as the
pages (``Article.objects.published()``, ``kind.public()``, ``public_tags()``).
"""
