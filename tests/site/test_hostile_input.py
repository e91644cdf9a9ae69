"""Hostile input, everywhere editors (or fixtures, or readers' queries) can put text.

Each case puts one payload in one place, then opens every page where that text
shows up (reader pages, feeds, structured data, meta tags, the admin) and checks
that it arrives as inert text: sanitised away, or escaped. Inputs that are
simply wrong (bad slugs, broken fixtures) are refused with a clear error and
change nothing. Uploads have their own suite in ``test_uploads.py``.
"""

import json
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from catalog.models import Brand, ProductImage
from newsroom.models import Article, Person
from tests.admin.postdata import article_data
from tests.conftest import png_bytes
from tests.factories import (
    make_article,
    make_brand,
    make_person,
    make_product,
    make_quote,
)

pytestmark = pytest.mark.django_db


def _pages(client, urls):
    contents = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        contents[url] = response.content.decode()
    return contents


def assert_inert(contents, *forbidden):
    for url, content in contents.items():
        for bad in forbidden:
            assert bad not in content, f"{bad!r} reached {url} unescaped"


class _EventHandlerFinder(HTMLParser):
    """Parses a page as a browser would and notes every on...= attribute of every tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [f"<{tag} {name}=...>" for name, _ in attrs if name.startswith("on")]

    handle_startendtag = handle_starttag


def assert_no_event_handlers(contents):
    """No tag of any page carries an event-handler attribute: none came out of the text."""
    for url, content in contents.items():
        finder = _EventHandlerFinder()
        finder.feed(content)
        assert finder.found == [], f"event handler attributes on {url}: {finder.found}"


def _article_pages(article):
    return [
        "/",
        reverse("newsroom:article-list"),
        article.get_absolute_url(),
        reverse("newsroom:article-feed"),
    ]


def _admin_pages(obj):
    opts = obj._meta
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
    ]


# --- Article body: sanitised on save and on render -------------------------------------------

BODY_PAYLOADS = {
    "script-element": ('<p>Hi</p><script>alert("b1")</script>', ['alert("b1")', "<script>alert"]),
    "img-onerror": ('<p>Hi<img src=x onerror=alert("b2")></p>', ["onerror", "<img src=x"]),
    "javascript-url": ("<p><a href=\"javascript:alert('b3')\">click</a></p>", ["javascript:"]),
    "iframe": ('<iframe src="https://evil.example/frame"></iframe><p>Hi</p>', ["evil.example"]),
    "svg-onload": ('<svg onload=alert("b5")><circle/></svg><p>Hi</p>', ["onload", "<svg"]),
    "style-attribute": (
        '<p style="background:url(javascript:alert(1))">Hi</p>',
        ["javascript:", 'style="background'],
    ),
    "data-url-link": (
        '<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a></p>',
        ["data:text/html"],
    ),
    "form-phishing": (
        '<form action="https://evil.example/"><input name="password"></form><p>Hi</p>',
        ["evil.example", 'name="password"'],
    ),
    "comment-hidden-script": ('<!--<script>alert("b9")</script>--><p>Hi</p>', ['alert("b9")']),
    "entity-encoded-script": (
        '<p>&lt;script&gt;alert("b10")&lt;/script&gt;</p>',
        ['<script>alert("b10")'],
    ),
}


@pytest.mark.parametrize("case", BODY_PAYLOADS)
def test_hostile_body_never_reaches_readers(client, case):
    payload, forbidden = BODY_PAYLOADS[case]
    article = make_article(body=payload)
    article.refresh_from_db()
    for bad in forbidden:
        assert bad not in article.body, "cleaned on save"
    contents = _pages(client, _article_pages(article))
    assert_inert(contents, *forbidden)
    assert_no_event_handlers(contents)


@pytest.mark.parametrize("case", BODY_PAYLOADS)
def test_hostile_body_written_behind_the_models_back_is_cleaned_on_render(client, case):
    """A row written by raw SQL (or an old import) is cleaned again when rendered."""
    payload, forbidden = BODY_PAYLOADS[case]
    article = make_article(body="<p>Hi</p>")
    Article.objects.filter(pk=article.pk).update(body=payload)
    assert_inert(_pages(client, [article.get_absolute_url()]), *forbidden)


def test_hostile_body_through_the_admin_form_is_cleaned(editor_client):
    payload = '<p onclick="steal()">Hi</p><script>alert("b11")</script>'
    editor_client.post(reverse("admin:newsroom_article_add"), article_data(body=payload))
    body = Article.objects.get().body
    assert "onclick" not in body and "alert" not in body
    assert body == "<p>Hi</p>"


# --- Headline and dek: plain text, escaped everywhere ------------------------------------------

TEXT_PAYLOADS = {
    "title-breakout": '</title><script>alert("h1")</script>',
    "attribute-breakout": '"><img src=x onerror=alert("h2")>',
    "json-ld-breakout": '</script><script>alert("h3")</script>',
}
FORBIDDEN_TEXT = ['<script>alert("h', "<img src=x onerror", '</script><script>alert("h']


@pytest.mark.parametrize("case", TEXT_PAYLOADS)
def test_hostile_headline_is_escaped_on_every_page(client, admin_client, case):
    article = make_article(headline=TEXT_PAYLOADS[case])
    article.tags.add("Handbags")
    urls = [
        *_article_pages(article),
        reverse("newsroom:tag-detail", args=["handbags"]),
        reverse("newsroom:search") + "?q=alert",
    ]
    contents = _pages(client, urls)
    assert_inert(contents, *FORBIDDEN_TEXT)
    assert_no_event_handlers(contents)
    page = contents[article.get_absolute_url()]
    assert "&lt;" in page  # shown to readers, as text
    json_ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(json_ld)  # still valid JSON, and it did not end early
    assert_inert(_pages(admin_client, _admin_pages(article)), *FORBIDDEN_TEXT)


def test_hostile_dek_cannot_break_out_of_the_meta_description(client):
    article = make_article(dek="\" onmouseover=\"alert('d1')\" x=\"")
    contents = _pages(client, [article.get_absolute_url()])
    assert_no_event_handlers(contents)
    page = contents[article.get_absolute_url()]
    assert 'content="&quot; onmouseover=&quot;alert(&#x27;d1&#x27;)&quot; x=&quot;"' in page


def test_hostile_dek_is_escaped_twice_in_the_feed(client):
    """Feed readers render <description> as HTML: plain text must arrive as text there too."""
    make_article(dek='<b onclick=alert("d2")>bold</b>')
    feed = _pages(client, [reverse("newsroom:article-feed")])
    assert_inert(feed, "<b onclick", "&lt;b onclick")


# --- People, brands, products, quotes ---------------------------------------------------------


def _published_with(**mentions):
    article = make_article()
    for name, objects in mentions.items():
        getattr(article, name).add(*objects)
    return article


def test_hostile_bio_is_escaped(client, admin_client):
    person = make_person(bio='<script>alert("p1")</script>Bio')
    _published_with(people=[person])
    assert_inert(_pages(client, [person.get_absolute_url()]), '<script>alert("p1")')
    assert_inert(_pages(admin_client, _admin_pages(person)), '<script>alert("p1")')


def test_hostile_person_name_is_escaped_in_pages_and_structured_data(client):
    person = make_person(name='</script><script>alert("p2")</script>', slug="p2")
    article = _published_with(people=[person])
    contents = _pages(client, [person.get_absolute_url(), article.get_absolute_url()])
    assert_inert(contents, '<script>alert("p2")')


def test_hostile_brand_description_is_escaped(client):
    brand = make_brand(description='<img src=x onerror=alert("br1")>')
    _published_with(brands=[brand])
    assert_inert(_pages(client, [brand.get_absolute_url()]), "<img src=x onerror")


def test_hostile_quote_text_is_escaped(client):
    person = make_person()
    article = _published_with(people=[person])
    make_quote(speaker_person=person, text='<script>alert("q1")</script>', articles=[article])
    contents = _pages(client, [article.get_absolute_url(), person.get_absolute_url()])
    assert_inert(contents, '<script>alert("q1")')


# --- Alt text: attribute values ------------------------------------------------------------------


def _stored_png(folder):
    return default_storage.save(f"{folder}/pic.png", ContentFile(png_bytes()))


def test_hostile_lead_image_alt_cannot_break_out_of_the_attribute(client, admin_client):
    article = make_article(lead_image=_stored_png("articles"), lead_image_alt="\" onerror=\"alert('a1')")
    for contents in (
        _pages(client, [article.get_absolute_url(), "/"]),
        _pages(admin_client, _admin_pages(article)),
    ):
        assert_inert(contents, "\" onerror=\"alert", "onerror=\"alert('a1')\"")
        assert_no_event_handlers(contents)


def test_hostile_product_image_alt_is_escaped(client, admin_client):
    product = make_product()
    _published_with(products=[product])
    image = ProductImage.objects.create(
        product=product, image=_stored_png("products"), alt_text='"><script>alert("a2")</script>'
    )
    assert_inert(_pages(client, [product.get_absolute_url()]), '<script>alert("a2")')
    assert_inert(_pages(admin_client, _admin_pages(image)), '<script>alert("a2")')


# --- Tag names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ['<script>alert("t1")</script>', "\" onfocus=\"alert('t2')"], ids=["script", "attr"]
)
def test_hostile_tag_names_are_escaped(client, admin_client, name):
    article = make_article()
    article.tags.add(name)
    tag = article.tags.get()
    contents = _pages(
        client, [article.get_absolute_url(), reverse("newsroom:tag-detail", args=[tag.slug])]
    )
    forbidden = ['<script>alert("t1")', "\" onfocus=\"alert"]
    assert_inert(contents, *forbidden)
    assert_no_event_handlers(contents)
    assert_inert(_pages(admin_client, _admin_pages(tag)), *forbidden)


# --- Slugs: refused with a clear error, nothing changes ------------------------------------------


@pytest.mark.parametrize(
    "slug",
    ["../../etc/passwd", "<script>", "has space", "javascript:alert(1)", "é" * 3 + "/x"],
    ids=["traversal", "markup", "space", "scheme", "slash"],
)
def test_bad_slug_is_refused_in_the_admin(editor_client, slug):
    article = make_article(slug="good-slug", status=Article.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:newsroom_article_change", args=[article.pk]),
        article_data(article, slug=slug),
    )
    assert response.status_code == 200
    assert "Enter a valid “slug”" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "good-slug" and article.version == 1


def test_taken_slug_is_refused(editor_client):
    make_article(slug="taken")
    article = make_article(slug="mine", status=Article.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:newsroom_article_change", args=[article.pk]),
        article_data(article, slug="taken"),
    )
    assert "Article with this Slug already exists" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "mine"


def test_bad_brand_slug_is_refused(editor_client):
    from tests.admin.postdata import brand_data

    brand = make_brand(slug="maison")
    response = editor_client.post(
        reverse("admin:catalog_brand_change", args=[brand.pk]),
        brand_data(brand, slug="<b>maison</b>"),
    )
    assert "Enter a valid “slug”" in response.content.decode()
    brand.refresh_from_db()
    assert brand.slug == "maison"


# --- Search queries ------------------------------------------------------------------------------


SEARCH_QUERIES = {
    "script": '<script>alert("s1")</script>',
    "attribute": '"><svg onload=alert("s2")>',
    "sql": "' OR 1=1 --",
    "sql-union": "x' UNION SELECT password FROM auth_user --",
    "nul-byte": "bag\x00",
    "very-long": "handbag " * 800,
    "tsquery-operators": "!(&|:*<->",
    "percent-wildcards": "%_%",
}


@pytest.mark.parametrize("case", SEARCH_QUERIES)
def test_hostile_search_queries_are_harmless(client, case):
    make_article(headline="Le City handbag story")
    make_article(headline="Secret handbag draft", status=Article.Status.DRAFT)
    response = client.get(reverse("newsroom:search"), {"q": SEARCH_QUERIES[case]})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert_inert({"search": page}, '<script>alert("s1")', '<svg onload=alert("s2")')
    assert "Secret handbag draft" not in page
    assert "pbkdf2" not in page and "md5$" not in page


def test_admin_changelist_search_is_escaped(admin_client):
    make_article()
    response = admin_client.get(
        reverse("admin:newsroom_article_changelist"), {"q": '"><script>alert("s3")</script>'}
    )
    assert response.status_code == 200
    assert '<script>alert("s3")' not in response.content.decode()


# --- Fixture files -------------------------------------------------------------------------------


def _fixture(tmp_path, objects):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(objects))
    return str(path)


def test_hostile_fixture_body_never_reaches_readers(client, tmp_path):
    path = _fixture(
        tmp_path,
        [
            {
                "model": "newsroom.article",
                "fields": {
                    "headline": "Imported</title><script>alert('f1')</script>",
                    "slug": "imported",
                    "body": "<p>Imported</p><script>alert('f2')</script><img src=x onerror=alert(3)>",
                    "status": "published",
                    "published_at": "2024-01-01T10:00:00Z",
                    "version": 1,
                    "created_at": "2024-01-01T10:00:00Z",
                    "updated_at": "2024-01-01T10:00:00Z",
                },
            }
        ],
    )
    call_command("loaddata", path, verbosity=0)
    article = Article.objects.get(slug="imported")
    contents = _pages(client, _article_pages(article))
    assert_inert(contents, "<script>alert('f", "onerror=alert(3)")


def test_broken_fixture_loads_nothing(tmp_path):
    path = _fixture(
        tmp_path,
        [
            {"model": "catalog.brand", "fields": {"name": "Fine brand", "slug": "fine-brand",
                                                  "created_at": "2024-01-01T10:00:00Z",
                                                  "updated_at": "2024-01-01T10:00:00Z"}},
            {"model": "newsroom.person", "fields": {"name": "Broken", "slug": "broken",
                                                    "embargoed_until": "not a date"}},
        ],
    )
    with pytest.raises((CommandError, Exception)) as error:
        call_command("loaddata", path, verbosity=0)
    assert "embargoed_until" in str(error.value) or "not a date" in str(error.value)
    assert not Brand.objects.filter(slug="fine-brand").exists()
    assert not Person.objects.filter(slug="broken").exists()


def test_fixture_with_a_dangling_reference_loads_nothing(tmp_path):
    path = _fixture(
        tmp_path,
        [
            {"model": "catalog.brand", "fields": {"name": "Alone", "slug": "alone",
                                                  "created_at": "2024-01-01T10:00:00Z",
                                                  "updated_at": "2024-01-01T10:00:00Z"}},
            {"model": "catalog.product", "fields": {"name": "Orphan", "slug": "orphan",
                                                    "brand": ["no-such-brand"],
                                                    "created_at": "2024-01-01T10:00:00Z",
                                                    "updated_at": "2024-01-01T10:00:00Z"}},
        ],
    )
    with pytest.raises(Exception) as error:
        call_command("loaddata", path, verbosity=0)
    assert "Problem installing fixture" in str(error.value)
    assert "catalog.Product" in str(error.value)
    assert not Brand.objects.filter(slug="alone").exists()


def test_the_event_handler_check_would_catch_a_breakout():
    """The checks above can fail: an unescaped value that breaks out is found."""
    with pytest.raises(AssertionError):
        assert_no_event_handlers({"/": '<meta content=""><img src=x onerror=alert(1)>">'})
    assert_no_event_handlers({"/": '<meta content="&quot;&gt;&lt;img onerror=alert(1)&gt;">'})
