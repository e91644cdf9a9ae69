"""Image rights in a real browser: an editor ends a lead image's rights and it leaves
the public page at once, a placeholder holding its place; extending brings it back.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.conftest import png_bytes
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def set_rights(page, moment):
    local = timezone.localtime(moment)
    page.fill("#id_lead_image_rights_until_0", local.strftime("%Y-%m-%d"))
    page.fill("#id_lead_image_rights_until_1", local.strftime("%H:%M:%S"))
    with page.expect_navigation():
        page.click("button[name=_continue]")


def test_an_image_whose_rights_ended_leaves_the_public_page(live_server, staff, sessions):  # noqa: F811
    staff("edith", "Editors")
    article = make_article(headline="Bel Air at the opera")
    article.lead_image.save("opera.png", ContentFile(png_bytes((1200, 675), (120, 20, 40))))
    article.lead_image_alt = "The Bel Air on the opera steps"
    article.save()

    reader = sessions("rights-reader")
    reader.go(article.get_absolute_url())
    lead = reader.page.locator('img[alt="The Bel Air on the opera steps"]')
    assert lead.is_visible()
    before = lead.bounding_box()
    reader.shot("image-shown")

    editor = sessions("rights-editor")
    editor.login("edith")
    editor.go(f"/admin/newsroom/article/{article.pk}/change/")
    set_rights(editor.page, timezone.now() - timedelta(minutes=1))
    article.refresh_from_db()
    assert article.lead_image_rights_until is not None

    reader.go(article.get_absolute_url())
    assert reader.page.locator('img[alt="The Bel Air on the opera steps"]').count() == 0
    assert reader.page.locator(f'img[src*="{article.lead_image.name}"]').count() == 0
    placeholder = reader.page.locator("img[data-image-unavailable]").first
    assert placeholder.is_visible()
    after = placeholder.bounding_box()
    assert abs(after["height"] - before["height"]) < 2  # the layout holds
    reader.shot("image-rights-ended")

    # Extended: it is back.
    set_rights(editor.page, timezone.now() + timedelta(days=30))
    reader.go(article.get_absolute_url())
    assert reader.page.locator('img[alt="The Bel Air on the opera steps"]').is_visible()
