"""The OpenAPI schema validates and describes every resource; the docs page works under the CSP."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from newsroom import entities
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_the_yaml_schema_is_the_default_and_valid(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    validate(yaml.safe_load(response.content))


def test_the_schema_lists_every_resource_with_its_filters(schema):
    paths = schema["paths"]
    for plural in ["articles", *(k.plural for k in entities.kinds()), "series", "tags"]:
        assert f"/api/v1/{plural}/" in paths
        assert f"/api/v1/{plural}/{{slug}}/" in paths
    params = {p["name"] for p in paths["/api/v1/products/"]["get"]["parameters"]}
    assert {"after", "before", "limit", "house", "category", "year", "colour"} <= params
    article = schema["components"]["schemas"]["ArticleDetail"]["properties"]
    assert {"body", "tags", "lead_image", "people", "quotes", "html_url"} <= set(article)


def test_the_schema_matches_the_answers(client, schema):
    """Every field an answer carries is in the schema of its resource, and the other way round."""
    story = make_article(headline="Shape")
    data = client.get(f"/api/v1/articles/{story.slug}/").json()
    declared = set(schema["components"]["schemas"]["ArticleDetail"]["properties"])
    assert set(data) == declared


def test_docs_load_their_assets_from_this_site_with_no_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # No inline script or style for the policy to block: every script has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html and "style=" not in html
    for asset in re.findall(r'(?:src|href)="/static/([^"?]+)"', html):
        assert finders.find(asset), asset
    script = re.search(r'<script src="(/api/v1/docs/\?script=)"', html).group(1)
    init = client.get(script)
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in init.content.decode()
