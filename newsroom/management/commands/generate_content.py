"""Fill the database with a large, realistic, linked synthetic archive.

Made for measuring the site at scale: 100,000 articles with their people,
brands, products, campaigns, tags and quotes. Rows are built and inserted in
batches (``bulk_create``), so memory stays flat however many articles are asked
for. A fixed seed gives the same content every time; each run gets its own
slug prefix (``g1-``, ``g2-``, ...) so running it again adds more instead of
clashing with what is there.

``bulk_create`` sends no ``post_save`` signals, so the command tells the page
cache once, at the end, that the content changed.
"""

import random
import resource
import sys
import time
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from catalog.models import Brand, Colorway, Product
from newsroom import publication
from newsroom.cache import content_changed
from newsroom.models import (
    Ambassadorship,
    Article,
    Campaign,
    Person,
    Quote,
    QuoteWording,
    Role,
    TaggedArticle,
)


def words(text):
    """The words of a space-separated list (easier to read than a list of strings)."""
    return text.split()


FIRST_NAMES = words(
    "Ines Amara Chloé Naomi Lena Margot Adut Bella Kaia Zendaya Rihanna Imaan Anok Paloma "
    "Mariacarla Freja Lila Vittoria Sora Yasmin Alek Liya Hailey Gigi Irina Candice Joan "
    "Olivier Pierpaolo Demna Jonathan Virgil Kim Simon Hedi Raf Alessandro Matthieu Nicolas "
    "Daniel Riccardo Marc Jacquemus Luca Tomás Kenzo Ryo Felipe Idris Omar Theo"
)
LAST_NAMES = words(
    "Moreau Diallo Laurent Campbell Hadid Gerber Akech Wek Boman Sastre Ferreira Kloss Moss "
    "Ratajkowski Bieber Schiffer Shayk Swanepoel Smalls Rousteing Piccioli Anderson Abloh "
    "Porte Slimane Simons Michele Blazy Ghesquière Lee Tisci Jacobs Bianchi Okafor Tanaka "
    "Silva Rossi Dubois Nakamura Mensah Novak Lindqvist Haddad Kowalski Andersen Varga"
)
ROLE_NAMES = [
    "Ambassador",
    "Model",
    "Photographer",
    "Creative director",
    "Stylist",
    "Actor",
    "Musician",
    "Designer",
]
BRAND_WORDS = words(
    "Maison Atelier Casa Studio House Salon Bottega Sartoria Manufacture Collective"
)
BRAND_NAMES = words(
    "Aurèle Bastide Cendre Davenne Estrela Fauve Garance Halcyon Isolde Jadis Korrigan "
    "Lumière Marceau Nacre Ombré Perrin Quartz Rivoli Sable Tessier Ulmo Valmont Wren "
    "Xandra Yvaine Zéphyr Albâtre Bruma Corvo Dune Elara Fennec Grisaille Hirondelle Iris"
)
PRODUCT_WORDS = words(
    "City Rodeo Cagole Hourglass Moon Crush Loop Saddle Dome Trapeze Pillow Baguette "
    "Shell Arc Wave Lune Astra Nova Cleo Vega Orbit Crescent Mirage Tide Ember Halo Petal"
)
PRODUCT_SUFFIXES = ["", " Mini", " Small", " Medium", " Large", " Hobo", " Tote", " East-West"]
COLOURS = [
    ("Black", "#111111"),
    ("Ivory", "#f4efe3"),
    ("Beige", "#d8c3a5"),
    ("Tan", "#b5835a"),
    ("Burgundy", "#6d1a2a"),
    ("Forest", "#23412e"),
    ("Navy", "#1c2a48"),
    ("Silver", "#c0c0c4"),
    ("Fuchsia", "#c2185b"),
    ("Optic white", "#fbfbfb"),
    ("Dark grey", "#3b3b3b"),
    ("Caramel", "#a8642a"),
]
SEASONS = ["Spring", "Summer", "Pre-Fall", "Fall", "Winter", "Holiday", "Resort"]
CAMPAIGN_WORDS = words(
    "Characters Icons Portraits Nightfall Arrival Homecoming Motion Reflections Archive "
    "Horizon Rituals Garden Streetlight Afterparty Weekend Studio Silhouettes"
)
TAG_WORDS = words(
    "campaign ambassador handbags runway red-carpet interview collaboration archive "
    "menswear couture sustainability leather denim jewellery beauty streetwear paris milan "
    "london new-york tokyo met-gala resort pre-fall capsule vintage appointment launch "
    "exhibition documentary"
)
VERBS = [
    "fronts",
    "returns to",
    "joins",
    "is the new face of",
    "carries",
    "reinvents",
    "debuts",
    "stars in",
    "revisits",
    "closes the show for",
]
SENTENCES = [
    "{person} wore the {product} in {colour} for the first images of the season.",
    "The campaign, shot by {photographer}, puts {product} at the centre of every frame.",
    "{brand} said the collection looks back at its archive without copying it.",
    "Buyers in Paris and Milan reported waiting lists for the {product} within days.",
    "It is the {nth} time {person} has worked with {brand} since the partnership began.",
    "Critics noted the hardware, the softer leather and a new, slouchier silhouette.",
    "The house has not confirmed the price, but stores expect it before the holidays.",
    "Street-style photographers spotted the bag outside three shows in one week.",
    "The collaboration ends a long silence between the label and its most famous client.",
    "Archive pieces from the 2000s sold out again after the images were released.",
]
NTH = ["second", "third", "fourth", "fifth", "sixth"]


def peak_rss_mb():
    """Peak resident memory of this process so far, in megabytes (Linux: ru_maxrss in KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / (1024 * 1024)


def batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = (
        "Fill the database with realistic, linked synthetic content (people, brands, "
        "products, campaigns, articles with tags, links and quotes) for testing at scale. "
        "Refuses to run when DJANGO_DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--people", type=int, default=200)
        parser.add_argument("--products", type=int, default=200)
        parser.add_argument("--campaigns", type=int, default=100)
        parser.add_argument(
            "--brands", type=int, default=None, help="Default: one per ten products, at least 5."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DJANGO_DEBUG is off (a production-like database).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to generate synthetic content: DJANGO_DEBUG is off, so this may be "
                "a production database. Set DJANGO_DEBUG=1, or pass --force if you really "
                "mean to fill this database."
            )
        for name in ("articles", "people", "products", "campaigns"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["articles"] and not (options["people"] and options["products"]):
            raise CommandError("Articles need at least one person and one product to mention.")

        self.rng = random.Random(options["seed"])
        self.batch_size = max(100, options["batch_size"])
        self.now = timezone.now()
        self.prefix = self._run_prefix()
        self.rows = 0
        self.interactive = self.stdout.isatty()
        started = time.perf_counter()

        self.stdout.write(f"Generating content with slug prefix “{self.prefix}”.")
        brand_count = options["brands"] or max(5, options["products"] // 10)
        roles = self._roles()
        brand_ids = self._brands(brand_count)
        person_ids = self._people(options["people"], roles, brand_ids)
        product_ids_by_brand = self._products(options["products"], brand_ids)
        campaign_ids = self._campaigns(
            options["campaigns"], brand_ids, person_ids, product_ids_by_brand
        )
        tag_ids = self._tags()
        self._articles(
            options["articles"],
            brand_ids=brand_ids,
            person_ids=person_ids,
            product_ids_by_brand=product_ids_by_brand,
            campaign_ids=campaign_ids,
            tag_ids=tag_ids,
        )
        # Bulk inserts send no signals: work out once what the new stories publish.
        publication.refresh_all()
        content_changed()
        self._analyze()

        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {self.rows:,} rows in {elapsed:.1f} s "
                f"({self.rows / elapsed:,.0f} rows/s), peak memory {peak_rss_mb():.0f} MB."
            )
        )

    # -- helpers ---------------------------------------------------------------------

    def _analyze(self):
        """Refresh the planner's statistics after a bulk load.

        Without them SQLite picks the listing index for "this person's stories,
        newest first" and walks the whole archive (90 ms instead of under 1 ms at
        100,000 articles); PostgreSQL's autovacuum would get there, later.
        """
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Updated the planner statistics in {time.perf_counter() - started:.1f} s."
        )

    def _run_prefix(self):
        """``g1-`` on the first run, ``g2-`` on the next, so re-runs never clash."""
        run = 1
        while (
            Brand.objects.filter(slug__startswith=f"g{run}-").exists()
            or Person.objects.filter(slug__startswith=f"g{run}-").exists()
            or Article.objects.filter(slug__startswith=f"g{run}-").exists()
        ):
            run += 1
        return f"g{run}-"

    def _slug(self, text, n):
        return f"{self.prefix}{slugify(text)[:180]}-{n}"

    def _insert(self, model, objs):
        """Insert rows (inside the caller's transaction for one batch) and count them."""
        created = model.objects.bulk_create(objs, batch_size=self.batch_size)
        self.rows += len(objs)
        # With DEBUG on, Django keeps the text of every query: drop it batch by batch
        # or memory grows with the archive.
        reset_queries()
        return created

    def _progress(self, label, done, total, started):
        elapsed = max(time.perf_counter() - started, 1e-6)
        width = 30
        filled = int(width * done / total) if total else width
        line = (
            f"{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,} "
            f"{done / elapsed:>8,.0f}/s  {peak_rss_mb():.0f} MB"
        )
        if self.interactive:
            self.stdout.write("\r" + line, ending="\n" if done >= total else "")
            self.stdout.flush()
        elif done >= total or (done // self.batch_size) % 10 == 0:
            self.stdout.write(line)

    def _past(self, max_days):
        return self.now - timedelta(seconds=self.rng.randint(3600, max_days * 86400))

    def _future(self, max_days):
        return self.now + timedelta(seconds=self.rng.randint(3600, max_days * 86400))

    # -- entities --------------------------------------------------------------------

    def _roles(self):
        roles = {}
        for name in ROLE_NAMES:
            roles[name], _ = Role.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        return roles

    def _brands(self, count):
        rng = self.rng
        objs = []
        for i in range(count):
            name = f"{rng.choice(BRAND_WORDS)} {rng.choice(BRAND_NAMES)}"
            objs.append(
                Brand(
                    name=name,
                    slug=self._slug(name, i),
                    founded_year=rng.randint(1850, 2020),
                    description=f"{name} is a fashion house known for its leather goods.",
                    website=f"https://{slugify(name)}.example",
                )
            )
        return [b.pk for b in self._insert(Brand, objs)]

    def _people(self, count, roles, brand_ids):
        rng = self.rng
        started = time.perf_counter()
        ids = []
        role_list = list(roles.values())
        Through = Person.roles.through
        for offset in range(0, count, self.batch_size):
            with transaction.atomic():
                objs = []
                for i in range(offset, min(count, offset + self.batch_size)):
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    embargo = self._future(30) if rng.random() < 0.01 else None
                    objs.append(
                        Person(
                            name=name,
                            slug=self._slug(name, i),
                            bio=f"{name} works in fashion between Paris, Milan and New York.",
                            embargoed_until=embargo,
                        )
                    )
                batch_ids = [p.pk for p in self._insert(Person, objs)]
                ids.extend(batch_ids)
                self._insert(
                    Through,
                    [
                        Through(person_id=pk, role_id=role.pk)
                        for pk in batch_ids
                        for role in rng.sample(role_list, rng.randint(1, 2))
                    ],
                )
                # About one person in five is (or was) an ambassador for a brand.
                self._insert(
                    Ambassadorship,
                    [
                        Ambassadorship(
                            person_id=pk,
                            brand_id=rng.choice(brand_ids),
                            since_year=(since := rng.randint(2005, 2024)),
                            until_year=since + rng.randint(1, 4) if rng.random() < 0.4 else None,
                        )
                        for pk in batch_ids
                        if rng.random() < 0.2
                    ],
                )
                self._progress("people", len(ids), count, started)
        return ids

    def _products(self, count, brand_ids):
        rng = self.rng
        started = time.perf_counter()
        by_brand = {}
        done = 0
        for offset in range(0, count, self.batch_size):
            with transaction.atomic():
                objs = []
                for i in range(offset, min(count, offset + self.batch_size)):
                    name = f"{rng.choice(PRODUCT_WORDS)}{rng.choice(PRODUCT_SUFFIXES)}"
                    objs.append(
                        Product(
                            name=name,
                            slug=self._slug(name, i),
                            brand_id=rng.choice(brand_ids),
                            category=rng.choice(Product.Category.values),
                            year_introduced=rng.randint(1990, 2025),
                            description=f"The {name} in smooth calfskin with aged-silver hardware.",
                            materials="Calfskin\nLambskin" if rng.random() < 0.5 else "Canvas",
                            hallmark_features="Knotted handles\nRemovable mirror",
                            sizes="Mini, Small, Medium",
                            embargoed_until=self._future(30) if rng.random() < 0.01 else None,
                        )
                    )
                created = self._insert(Product, objs)
                for product in created:
                    by_brand.setdefault(product.brand_id, []).append(product.pk)
                self._insert(
                    Colorway,
                    [
                        Colorway(product_id=product.pk, name=colour, hex=hex_value, position=n)
                        for product in created
                        for n, (colour, hex_value) in enumerate(
                            rng.sample(COLOURS, rng.randint(1, 4))
                        )
                    ],
                )
                done += len(created)
                self._progress("products", done, count, started)
        return by_brand

    def _campaigns(self, count, brand_ids, person_ids, product_ids_by_brand):
        rng = self.rng
        started = time.perf_counter()
        ids = []
        PeopleThrough = Campaign.people.through
        ProductsThrough = Campaign.products.through
        all_products = [pk for pks in product_ids_by_brand.values() for pk in pks]
        for offset in range(0, count, self.batch_size):
            with transaction.atomic():
                objs = []
                for i in range(offset, min(count, offset + self.batch_size)):
                    brand_id = rng.choice(brand_ids)
                    year = rng.randint(2008, 2026)
                    name = f"{rng.choice(CAMPAIGN_WORDS)} {rng.choice(SEASONS)} {year}"
                    objs.append(
                        Campaign(
                            name=name,
                            slug=self._slug(name, i),
                            brand_id=brand_id,
                            season=f"{rng.choice(SEASONS)} {year}",
                            date=self._past(15 * 365).date(),
                            date_precision=rng.choice(["day", "month", "year"]),
                            photographer_id=rng.choice(person_ids) if person_ids else None,
                            description="A campaign shot on location over three days.",
                            embargoed_until=self._future(30) if rng.random() < 0.02 else None,
                        )
                    )
                created = self._insert(Campaign, objs)
                ids.extend(c.pk for c in created)
                if person_ids:
                    self._insert(
                        PeopleThrough,
                        [
                            PeopleThrough(campaign_id=c.pk, person_id=pk)
                            for c in created
                            for pk in set(rng.choices(person_ids, k=rng.randint(1, 4)))
                        ],
                    )
                if all_products:
                    self._insert(
                        ProductsThrough,
                        [
                            ProductsThrough(campaign_id=c.pk, product_id=pk)
                            for c in created
                            for pk in set(
                                rng.choices(
                                    product_ids_by_brand.get(c.brand_id) or all_products,
                                    k=rng.randint(1, 3),
                                )
                            )
                        ],
                    )
                self._progress("campaigns", len(ids), count, started)
        return ids

    def _tags(self):
        """The tag vocabulary, reusing tags that exist (matched by slug, as taggit does)."""
        names = [*TAG_WORDS, *(f"{w}-{s.lower()}" for w in TAG_WORDS[:20] for s in SEASONS)]
        by_slug = {slugify(name): name for name in names}
        existing = dict(Tag.objects.filter(slug__in=by_slug).values_list("slug", "pk"))
        missing = [
            Tag(name=name, slug=slug) for slug, name in by_slug.items() if slug not in existing
        ]
        missing = [tag for tag in missing if not Tag.objects.filter(name__iexact=tag.name).exists()]
        self._insert(Tag, missing)
        return list(
            Tag.objects.filter(Q(slug__in=by_slug) | Q(name__in=names)).values_list("pk", flat=True)
        )

    # -- articles --------------------------------------------------------------------

    def _article(self, n, person_ids, brand_ids, product_ids_by_brand):
        """One article and the ids it mentions."""
        rng = self.rng
        brand_id = rng.choice(brand_ids)
        products = product_ids_by_brand.get(brand_id) or rng.choice(
            list(product_ids_by_brand.values())
        )
        people = set(rng.choices(person_ids, k=rng.randint(1, 4)))
        person_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        brand_name = rng.choice(BRAND_NAMES)
        product_name = rng.choice(PRODUCT_WORDS)
        headline = f"{person_name} {rng.choice(VERBS)} {brand_name} with the {product_name}"
        words = {
            "person": person_name,
            "brand": brand_name,
            "product": product_name,
            "colour": rng.choice(COLOURS)[0].lower(),
            "photographer": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "nth": rng.choice(NTH),
        }
        paragraphs = [
            "<p>"
            + " ".join(s.format(**words) for s in rng.sample(SENTENCES, rng.randint(2, 4)))
            + "</p>"
            for _ in range(rng.randint(4, 8))
        ]
        roll = rng.random()
        if roll < 0.90:
            status, published_at = Article.Status.PUBLISHED, self._past(10 * 365)
        elif roll < 0.93:
            status, published_at = Article.Status.PUBLISHED, self._future(60)
        elif roll < 0.97:
            status, published_at = Article.Status.DRAFT, None
        else:
            status, published_at = Article.Status.REVIEW, None
        article = Article(
            headline=headline,
            slug=self._slug(headline, n),
            dek=f"{person_name} and {brand_name}: what the new images say about the house.",
            body="\n".join(paragraphs),
            status=status,
            published_at=published_at,
            source_outlet=rng.choice(["", "", "Vogue Business", "WWD", "The Cut"]),
        )
        links = {
            "people": people,
            "brands": {brand_id} | ({rng.choice(brand_ids)} if rng.random() < 0.3 else set()),
            "products": set(rng.choices(products, k=rng.randint(0, 3))),
        }
        return article, links

    def _articles(
        self, count, *, brand_ids, person_ids, product_ids_by_brand, campaign_ids, tag_ids
    ):
        if not count:
            return
        rng = self.rng
        started = time.perf_counter()
        through = {
            "people": (Article.people.through, "person_id"),
            "brands": (Article.brands.through, "brand_id"),
            "products": (Article.products.through, "product_id"),
            "campaigns": (Article.campaigns.through, "campaign_id"),
        }
        speakers = person_ids[: max(1, len(person_ids) // 4)]
        done = 0
        quote_n = 0
        for numbers in batched(range(count), self.batch_size):
            with transaction.atomic():
                built = [
                    self._article(n, person_ids, brand_ids, product_ids_by_brand) for n in numbers
                ]
                articles = self._insert(Article, [article for article, _ in built])
                rows = {name: [] for name in through}
                for article, (_, links) in zip(articles, built, strict=True):
                    if campaign_ids and rng.random() < 0.3:
                        links["campaigns"] = {rng.choice(campaign_ids)}
                    for name, ids in links.items():
                        model, column = through[name]
                        rows[name].extend(
                            model(article_id=article.pk, **{column: pk}) for pk in ids
                        )
                for name, objs in rows.items():
                    self._insert(through[name][0], objs)
                self._insert(
                    TaggedArticle,
                    [
                        TaggedArticle(content_object_id=article.pk, tag_id=tag_id)
                        for article in articles
                        for tag_id in rng.sample(tag_ids, rng.randint(1, 4))
                    ],
                )
                # One article in ten reports a quote by one of the better-known people.
                quoted = [a for a in articles if rng.random() < 0.1]
                quotes = []
                for _ in quoted:
                    quote_n += 1
                    quotes.append(
                        Quote(
                            slug=f"{self.prefix}quote-{quote_n}",
                            speaker_person_id=rng.choice(speakers),
                            text=rng.choice(SENTENCES).format(
                                person="I",
                                brand="the house",
                                product="bag",
                                colour="black",
                                photographer="him",
                                nth="second",
                            ),
                            channel=rng.choice(Quote.Channel.values),
                            said_on=self._past(3650).date(),
                        )
                    )
                quotes = self._insert(Quote, quotes)
                self._insert(
                    QuoteWording,
                    [
                        QuoteWording(quote_id=q.pk, article_id=a.pk)
                        for q, a in zip(quotes, quoted, strict=True)
                    ],
                )
                done += len(articles)
                self._progress("articles", done, count, started)
