"""Reading pages as an anonymous reader and asking whether the page cache served them."""

from newsroom import surrogate

HIT = "hit"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def keys_of(response):
    """The surrogate keys a page carries."""
    return set(response[surrogate.HEADER].split())


def is_hit(response):
    return response.get("X-Page-Cache") == HIT


def warm(client, *urls):
    """Render each page, then check that the next request is served from the cache."""
    for url in urls:
        get(client, url)
        assert is_hit(get(client, url)), url


def still_cached(client, *urls):
    for url in urls:
        assert is_hit(get(client, url)), url
