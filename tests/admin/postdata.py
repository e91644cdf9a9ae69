"""What the admin's change forms post, built from a row, for tests that submit them."""

from django.utils import timezone


def _dt(value):
    if not value:
        return {"_0": "", "_1": ""}
    local = timezone.localtime(value)
    return {"_0": local.strftime("%Y-%m-%d"), "_1": local.strftime("%H:%M:%S")}


def _empty_inlines(*prefixes):
    data = {}
    for prefix in prefixes:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    return data


def article_data(article=None, **overrides):
    """The article form as opened for ``article`` (or empty), with ``overrides`` typed in."""
    data = {
        "headline": article.headline if article else "A new story",
        "slug": article.slug if article else "a-new-story",
        "dek": article.dek if article else "",
        "body": article.body if article else "<p>Text</p>",
        "tags": ", ".join(article.tags.names()) if article else "",
        "lead_image_alt": article.lead_image_alt if article else "",
        "lead_image_caption": article.lead_image_caption if article else "",
        "lead_image_credit": article.lead_image_credit if article else "",
        "source_outlet": article.source_outlet if article else "",
        "original_published_on": "",
        "opened_version": str(article.version) if article else "",
    }
    for suffix, value in _dt(article.published_at if article else None).items():
        data[f"published_at{suffix}"] = value
    for name in ("people", "brands", "products", "campaigns", "events"):
        if article:
            data[name] = [str(pk) for pk in getattr(article, name).values_list("pk", flat=True)]
    data.update(_empty_inlines("quote_wordings", "review_links", "events_log"))
    data.update(overrides)
    return data


def _publication(obj):
    """The "published without a story" checkbox as the form shows it (absent when off)."""
    return {"published_by_hand": "on"} if getattr(obj, "published_by_hand", False) else {}


def person_data(person, **overrides):
    data = {
        **_publication(person),
        "name": person.name,
        "slug": person.slug,
        "aliases": person.aliases,
        "bio": person.bio,
        "portrait_alt": person.portrait_alt,
        "portrait_credit": person.portrait_credit,
        "embargoed_until_0": "",
        "embargoed_until_1": "",
        **_empty_inlines("ambassadorships", "affiliations"),
    }
    data.update(overrides)
    return data


def brand_data(brand, **overrides):
    data = {
        **_publication(brand),
        "name": brand.name,
        "slug": brand.slug,
        "aliases": brand.aliases,
        "founded_year": brand.founded_year or "",
        "website": brand.website,
        "description": brand.description,
        "logo_alt": brand.logo_alt,
        "embargoed_until_0": "",
        "embargoed_until_1": "",
    }
    data.update(overrides)
    return data


def product_data(product, **overrides):
    data = {
        **_publication(product),
        "name": product.name,
        "slug": product.slug,
        "aliases": product.aliases,
        "brand": str(product.brand_id),
        "category": product.category,
        "variant_of": product.variant_of_id or "",
        "year_introduced": product.year_introduced or "",
        "description": product.description,
        "materials": product.materials,
        "hallmark_features": product.hallmark_features,
        "sizes": product.sizes,
        "embargoed_until_0": "",
        "embargoed_until_1": "",
        **_empty_inlines("colorways", "images"),
    }
    data.update(overrides)
    return data


def campaign_data(campaign, **overrides):
    data = {
        **_publication(campaign),
        "name": campaign.name,
        "slug": campaign.slug,
        "aliases": campaign.aliases,
        "brand": str(campaign.brand_id),
        "series": "",
        "season": campaign.season,
        "date": campaign.date.isoformat() if campaign.date else "",
        "date_precision": campaign.date_precision,
        "photographer": "",
        "description": campaign.description,
        "embargoed_until_0": "",
        "embargoed_until_1": "",
    }
    data.update(overrides)
    return data
