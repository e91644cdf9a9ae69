"""The newsroom's admin, one module per area; importing the package registers them all.

- ``articles``: stories, with the workflow, history, share links and assistants;
- ``people``, ``campaigns``, ``quotes``: what stories are about;
- ``catalog``: brands and bags, registered with the publication's guard and history;
- ``site``: accounts and tags;
- ``revisions``: the history, compare and restore views every versioned admin shares.
"""

from . import articles, campaigns, catalog, people, quotes, site  # noqa: F401 - registration
