"""The reader site, one module per kind of page.

- ``articles``: the home page, the list of stories, a story's page;
- ``people``, ``campaigns``, ``brands`` (brands and bags), ``showcases`` (series
  and events), ``tags``: each entity's page and what links back to it;
- ``directories``: the browsable lists of people, houses, bags, campaigns,
  events and tags, with their filters;
- ``search``: the search page and the search box's suggestions;
- ``site``: robots.txt and the error pages;
- ``common``: what several pages share (page sizes, keyset pages, public quotes).

Every page starts from ``.published()`` or ``.public()`` and runs a fixed number
of SQL queries, whatever the number of related rows.
"""
