"""Presence in a real browser: each editor sees the other has the story open."""

import pytest

from newsroom import presence
from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_editors_see_each_other(live_server, staff, sessions, monkeypatch):  # noqa: F811
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 1)
    staff("edith", "Editors")
    staff("edgar", "Editors")
    story = make_article(headline="Opera night", status="review")
    path = f"/admin/newsroom/article/{story.pk}/change/"
    first, second = sessions("presence-first"), sessions("presence-second")
    first.login("edith")
    first.go(path)
    assert first.page.locator("#presence").is_hidden()
    second.login("edgar")
    second.go(path)
    assert second.page.get_by_text("Also open by Edith.").is_visible()
    # Edith's heartbeat brings the news without a reload.
    first.page.get_by_text("Also open by Edgar.").wait_for()
    first.shot("presence")
    assert first.page.locator("#id_headline").is_editable()
