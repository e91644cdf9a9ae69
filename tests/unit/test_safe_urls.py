"""Unsafe URLs: the body sanitiser checks every URL attribute, templates link only http(s)."""

import pytest
from django.template import Context, Template

from catalog.models import Brand
from newsroom.html import ALLOWED_ATTRIBUTES, URL_ATTRIBUTES, clean_html, url_scheme
from newsroom.models import Article
from newsroom.templatetags.reader_tags import http_url
from tests.factories import make_article

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
]
# Attributes the sanitiser allows that hold no URL.
TEXT_ATTRIBUTES = {"title", "start"}


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize(
    ("tag", "attribute"),
    [(tag, attribute) for tag, names in ALLOWED_ATTRIBUTES.items() for attribute in names],
)
def test_no_allowed_attribute_keeps_a_script_url(tag, attribute, url):
    cleaned = clean_html(f'<{tag} {attribute}="{url}">text</{tag}>')
    if attribute in TEXT_ATTRIBUTES:
        return  # text, never followed; still escaped by the serialiser
    assert attribute in URL_ATTRIBUTES, f"{attribute} is neither a URL nor known text"
    assert f"{attribute}=" not in cleaned, cleaned


@pytest.mark.parametrize("tag", ["blockquote", "q"])
@pytest.mark.parametrize("url", ["https://example.com/source", "/articles/x/", "#note"])
def test_cite_keeps_web_and_relative_urls(tag, url):
    assert f'cite="{url}"' in clean_html(f'<{tag} cite="{url}">text</{tag}>')


def test_links_keep_mailto():
    assert 'href="mailto:desk@example.com"' in clean_html(
        '<a href="mailto:desk@example.com">Write</a>'
    )


@pytest.mark.django_db
def test_article_page_drops_a_script_cite_even_if_stored(client):
    article = make_article()
    # Written around the model's own cleaning, as another program could.
    Article.objects.filter(pk=article.pk).update(
        body='<blockquote cite="javascript:alert(1)"><p>Quoted</p></blockquote>'
        '<p><q cite=" JAVASCRIPT:alert(2)">short</q></p>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Quoted" in html and "short" in html
    assert "alert(" not in html


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://example.com", "https"),
        (" JaVa\tScRipt:alert(1)", "javascript"),
        ("\x00\x1fdata:x", "data"),
        ("/relative/path", ""),
        ("//example.com/x", ""),
        ("no-scheme", ""),
        ("1http:x", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_url_scheme_reads_the_scheme_as_a_browser_does(url, scheme):
    assert url_scheme(url) == scheme


@pytest.mark.parametrize("url", ["https://www.hermes.com/", "http://example.com/a?b=1"])
def test_http_url_keeps_web_addresses(url):
    assert http_url(url) == url


@pytest.mark.parametrize("url", [*HOSTILE_URLS, "ftp://example.com", "/local", "", None])
def test_http_url_drops_everything_else(url):
    assert http_url(url) == ""


def test_http_url_output_is_still_escaped_in_templates():
    rendered = Template('{% load reader_tags %}<a href="{{ url|http_url }}">').render(
        Context({"url": 'https://example.com/"onmouseover="alert(1)'})
    )
    assert '"onmouseover' not in rendered
    assert "&quot;onmouseover=&quot;" in rendered


@pytest.mark.django_db
@pytest.mark.parametrize("website", HOSTILE_URLS)
def test_brand_page_links_no_script_website(client, website):
    brand = Brand.objects.create(name="Scripted House", slug="scripted-house", website=website)
    make_article().brands.add(brand)
    response = client.get(brand.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Official website" not in html
    assert "alert(" not in html and "msgbox" not in html and "base64" not in html


@pytest.mark.django_db
def test_brand_page_links_a_web_website(client):
    brand = Brand.objects.create(name="Web House", slug="web-house", website="https://web.example/")
    make_article().brands.add(brand)
    html = client.get(brand.get_absolute_url()).content.decode()
    assert '<a href="https://web.example/" rel="noopener noreferrer">Official website</a>' in html
    assert '"sameAs":["https://web.example/"]' in html
