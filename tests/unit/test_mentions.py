"""Finding mentions in text and linking the first mention of each entity in body HTML."""

from dataclasses import dataclass, field

import pytest

from newsroom import mentions
from newsroom.html import clean_html
from newsroom.mentions import (
    Matcher,
    find_mentions,
    html_to_text,
    link_first_mentions,
    link_hrefs,
    unwrap_links,
)


@dataclass(eq=False)
class Thing:
    """Stands in for a Person, Brand, Product, Campaign or Event: a name, aliases, a page."""

    name: str
    aliases: list = field(default_factory=list)
    slug: str = ""

    @property
    def all_names(self):
        return [self.name, *self.aliases]

    def get_absolute_url(self):
        return f"/things/{self.slug or self.name.lower().replace(' ', '-')}/"


@pytest.fixture(params=["a pattern per entity", "one pattern for all"], autouse=True)
def patterns(request, monkeypatch):
    """Every test runs both ways a matcher searches: the answers must not differ."""
    if request.param == "one pattern for all":
        monkeypatch.setattr(mentions, "SEPARATE_PATTERNS_UP_TO", 0)
    return request.param


def found(text, *things):
    return [(m.entity.name, m.text) for m in find_mentions(text, things)]


balenciaga = Thing("Balenciaga")
demna = Thing("Demna", ["Demna Gvasalia"])
bel_air = Thing("Bel Air")
bel_air_hobo = Thing("Bel Air Hobo")
rodeo = Thing("Rodeo")
adidas = Thing("adidas")
yeoh = Thing("Michelle Yeoh")


def test_finds_a_name_with_its_position():
    (mention,) = find_mentions("Worn by Michelle Yeoh at the Met.", [yeoh])
    assert mention.entity is yeoh
    assert (mention.text, mention.start, mention.end) == ("Michelle Yeoh", 8, 21)


def test_names_are_whole_words():
    assert found("Two Bel Airs and a Bel Airport", bel_air) == []
    assert found("Not Balenciagas, nor xBalenciaga.", balenciaga) == []
    assert found("Bel Air.", bel_air) == [("Bel Air", "Bel Air")]


def test_word_boundaries_are_unicode_aware():
    assert found("Demnaé", demna) == []
    assert found("éDemna", demna) == []
    assert found("«Demna»", demna) == [("Demna", "Demna")]


@pytest.mark.parametrize(
    "text", ["Balenciaga's", "Balenciaga’s", "Balenciaga‘s", "Balenciaga-owned"]
)
def test_possessives_and_compounds_count(text):
    assert found(f"In {text} atelier", balenciaga) == [("Balenciaga", "Balenciaga")]


def test_longest_name_wins():
    assert found("Demna Gvasalia said, and Demna agreed.", demna) == [
        ("Demna", "Demna Gvasalia"),
        ("Demna", "Demna"),
    ]
    assert found("the Bel Air Hobo, not the Bel Air", bel_air, bel_air_hobo) == [
        ("Bel Air Hobo", "Bel Air Hobo"),
        ("Bel Air", "Bel Air"),
    ]


def test_longer_name_that_fails_the_word_boundary_falls_back_to_the_shorter():
    assert found("the Bel Air Hobos", bel_air, bel_air_hobo) == [("Bel Air", "Bel Air")]


def test_capitalised_name_does_not_match_lower_case_text():
    assert found("a rodeo in Texas, and the Rodeo bag", rodeo) == [("Rodeo", "Rodeo")]
    assert found("RODEO IS BACK", rodeo) == [("Rodeo", "RODEO")]
    assert found("RoDeO", rodeo) == []


def test_lower_case_name_matches_any_case():
    assert [m.text for m in find_mentions("adidas, Adidas and ADIDAS", [adidas])] == [
        "adidas",
        "Adidas",
        "ADIDAS",
    ]


def test_spacing_and_apostrophes_are_loose():
    loreal = Thing("L'Oréal")
    assert found("L’Oréal", loreal) == [("L'Oréal", "L’Oréal")]
    assert found("Michelle\u00a0Yeoh and Michelle\n  Yeoh", yeoh) == [
        ("Michelle Yeoh", "Michelle\u00a0Yeoh"),
        ("Michelle Yeoh", "Michelle\n  Yeoh"),
    ]
    assert found("Michelle\n\nYeoh", yeoh) == [], "a blank line ends the name"
    whiteley = Thing("Rosie Huntington-Whiteley")
    assert found("Rosie Huntington\u2011Whiteley", whiteley) == [
        ("Rosie Huntington-Whiteley", "Rosie Huntington\u2011Whiteley")
    ]


def test_shared_name_is_a_mention_of_each_entity():
    brand = Thing("Le City", slug="brand")
    bag = Thing("Le City", slug="bag")
    mentions = find_mentions("the Le City", [brand, bag])
    assert [m.entity for m in mentions] == [brand, bag]
    assert {(m.start, m.end) for m in mentions} == {(4, 11)}


def test_no_entities_or_no_text_finds_nothing():
    assert find_mentions("Balenciaga", []) == []
    assert find_mentions("", [balenciaga]) == []
    assert find_mentions("Balenciaga", [Thing("  ")]) == []


def test_regex_special_characters_in_names_are_literal():
    dg = Thing("Dolce & Gabbana (D&G)")
    assert found("by Dolce & Gabbana (D&G).", dg) == [
        ("Dolce & Gabbana (D&G)", "Dolce & Gabbana (D&G)")
    ]
    assert found("Dolce & Gabbana XD&GX", dg) == []


def test_overlapping_names_of_different_entities_never_overlap_as_mentions():
    air_hobo = Thing("Air Hobo")
    assert found("the Bel Air Hobo", bel_air, air_hobo) == [("Bel Air", "Bel Air")]
    assert found("an Air Hobo, a Bel Air", bel_air, air_hobo) == [
        ("Air Hobo", "Air Hobo"),
        ("Bel Air", "Bel Air"),
    ]


def test_thousands_of_names_share_one_pattern():
    things = [Thing(f"Person Number{n} Surname{n}", [f"Alias{n}"]) for n in range(5000)]
    text = ("Some prose about Person Number4321 Surname4321 and Alias17. " * 400).strip()
    matcher = Matcher(things)
    assert len(matcher.patterns) == 1, "a text is scanned once, whatever the number of names"
    mentions_found = matcher.find(text)
    assert len(mentions_found) == 800
    assert {m.entity.name for m in mentions_found} == {
        "Person Number4321 Surname4321",
        "Person Number17 Surname17",
    }


def test_a_few_entities_reuse_the_patterns_of_their_names(monkeypatch):
    monkeypatch.setattr(mentions, "SEPARATE_PATTERNS_UP_TO", 24)
    first = Matcher([demna, bel_air])
    again = Matcher([Thing("Bel Air", slug="another"), demna])
    assert {id(p) for p in first.patterns} == {id(p) for p in again.patterns}


# link_first_mentions


def test_links_only_the_first_mention_of_each_entity():
    body = "<p>Michelle Yeoh carried the Bel Air.</p><p>Michelle Yeoh again, Bel Air again.</p>"
    assert link_first_mentions(body, [yeoh, bel_air]) == (
        '<p><a href="/things/michelle-yeoh/">Michelle Yeoh</a> carried the '
        '<a href="/things/bel-air/">Bel Air</a>.</p>'
        "<p>Michelle Yeoh again, Bel Air again.</p>"
    )


def test_never_links_inside_an_existing_link_or_code():
    body = (
        '<p><a href="/elsewhere/">Michelle Yeoh</a> and <code>Bel Air</code>,</p>'
        "<p>then Michelle Yeoh with the Bel Air.</p>"
    )
    result = link_first_mentions(body, [yeoh, bel_air])
    assert result == (
        '<p><a href="/elsewhere/">Michelle Yeoh</a> and <code>Bel Air</code>,</p>'
        '<p>then <a href="/things/michelle-yeoh/">Michelle Yeoh</a> with the '
        '<a href="/things/bel-air/">Bel Air</a>.</p>'
    )


def test_an_entity_the_body_already_links_to_is_not_linked_again():
    body = '<p>Michelle Yeoh, later <a href="/things/michelle-yeoh/">Yeoh</a>.</p>'
    assert link_first_mentions(body, [yeoh]) == body


def test_does_not_split_tags_or_link_across_them():
    body = "<p><em>Bel</em> Air and <strong>Michelle Yeoh</strong></p>"
    assert link_first_mentions(body, [bel_air, yeoh]) == (
        "<p><em>Bel</em> Air and <strong>"
        '<a href="/things/michelle-yeoh/">Michelle Yeoh</a></strong></p>'
    )


def test_text_and_attributes_stay_escaped():
    tricky = Thing("Dolce & Gabbana", slug='d&g"><script>')
    body = '<p title="a &quot;b&quot;">&lt;script&gt; by Dolce &amp; Gabbana</p>'
    result = link_first_mentions(body, [tricky])
    assert result == (
        '<p title="a &quot;b&quot;">&lt;script&gt; by '
        '<a href="/things/d&amp;g&quot;&gt;&lt;script&gt;/">Dolce &amp; Gabbana</a></p>'
    )
    assert "<script>" not in clean_html(result)


def test_longest_name_is_linked_whole():
    body = "<p>Demna Gvasalia, or Demna.</p>"
    assert link_first_mentions(body, [demna]) == (
        '<p><a href="/things/demna/">Demna Gvasalia</a>, or Demna.</p>'
    )


def test_void_elements_and_entities_survive():
    body = "<p>Bel&nbsp;Air<br>next line<br /></p><hr>"
    assert link_first_mentions(body, [bel_air]) == (
        '<p><a href="/things/bel-air/">Bel\u00a0Air</a><br>next line<br /></p><hr>'
    )


def test_nothing_to_link_returns_the_markup_unchanged():
    body = "<p>Nothing here.</p>"
    assert link_first_mentions(body, []) == body
    assert link_first_mentions("", [yeoh]) == ""
    assert link_first_mentions(body, [yeoh]) == body


def test_links_model_instances_without_queries(db, django_assert_num_queries):
    from tests.factories import make_brand, make_person

    person = make_person(name="Michelle Yeoh")
    brand = make_brand(name="Balenciaga", aliases="House of Balenciaga")
    body = "<p>Michelle Yeoh for the House of Balenciaga’s show.</p>"
    with django_assert_num_queries(0):
        result = link_first_mentions(body, [person, brand])
    assert f'<a href="{person.get_absolute_url()}">Michelle Yeoh</a>' in result
    assert f'<a href="{brand.get_absolute_url()}">House of Balenciaga</a>’s' in result


def test_html_to_text_keeps_paragraphs_apart_and_decodes_entities():
    text = html_to_text("<p>Kim</p><p>Kardashian &amp; <em>Balenciaga</em></p><ul><li>x</li></ul>")
    assert text == "Kim\n\nKardashian & Balenciaga\n\nx"
    assert found(text, Thing("Kim Kardashian")) == []


def test_link_hrefs_lists_every_link():
    assert link_hrefs('<p><a href="/a/">a</a> <a>b</a> <a href="/c/?x=1&amp;y=2">c</a></p>') == [
        "/a/",
        "/c/?x=1&y=2",
    ]
    assert link_hrefs("") == []


def test_unwrap_links_keeps_the_text_of_dropped_links_only():
    body = '<p><a href="/x/">x <em>y</em></a> and <a href="/z/" title="t">z</a> &amp; more</p>'
    assert unwrap_links(body, {"/x/"}) == (
        '<p>x <em>y</em> and <a href="/z/" title="t">z</a> &amp; more</p>'
    )
    assert unwrap_links(body, set()) == body
