"""The article form's aids in a real browser: a body editor one can write in, visible
"+ New" buttons beside the mention fields, tag suggestions, and a colour picker that
writes the hex.
"""

import pytest
from taggit.models import Tag

from tests.browser.test_editor_day import sessions, staff  # noqa: F401 (fixtures)
from tests.factories import make_brand, make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_article_form_aids(live_server, staff, sessions):  # noqa: F811
    staff("edith", "Editors")
    Tag.objects.create(name="Handbags")
    Tag.objects.create(name="Red carpet")
    editor = sessions("aids")
    editor.login("edith")
    editor.go("/admin/newsroom/article/add/")
    page = editor.page

    editor_box = page.locator(".prose-editor .ProseMirror[contenteditable=true]").bounding_box()
    assert editor_box["height"] >= 300

    for label in ("New person", "New brand", "New product", "New campaign", "New event"):
        assert page.get_by_role("link", name=label).is_visible(), label
    with page.expect_popup() as popup:
        page.get_by_role("link", name="New person").click()
    assert "/admin/newsroom/person/add/" in popup.value.url
    assert "_popup=1" in popup.value.url
    popup.value.close()

    page.click("#id_tags")
    page.keyboard.type("Red carpet, hand")
    suggestion = page.locator(".tag-suggestions li", has_text="Handbags")
    suggestion.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_tags") == "Red carpet, Handbags, "
    editor.shot("form-aids")


def test_colour_picker_writes_the_hex(live_server, staff, sessions):  # noqa: F811
    staff("edith", "Editors")
    product = make_product(brand=make_brand())
    editor = sessions("swatch")
    editor.login("edith")
    editor.go(f"/admin/catalog/product/{product.pk}/change/")
    page = editor.page
    page.get_by_text("Add another Colorway").click()
    row = page.locator(".swatch-input").filter(has=page.locator("input[name='colorways-0-hex']"))
    row.locator("input[type=color]").evaluate(
        "el => { el.value = '#3a5f8c'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    assert page.input_value("input[name='colorways-0-hex']") == "#3a5f8c"
    page.fill("input[name='colorways-0-hex']", "#AA0011")
    assert row.locator("input[type=color]").input_value() == "#aa0011"
    editor.shot("swatch")
