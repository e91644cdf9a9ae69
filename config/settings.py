"""
Settings for Atelier Newsroom.

One file for every environment: production differs from a laptop only through
environment variables (read with django-environ). The defaults need nothing
running: SQLite in the project folder, a cache on disk under var/ shared by
every process of the installation, console e-mail, and a secret key generated
on first start (var/secret_key).
"""

from pathlib import Path

import environ

from config import secretkey

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Production sets DJANGO_SECRET_KEY (the same on every host). Without it, each
# installation makes its own random key on first start and keeps it in a
# git-ignored file, so no two installations share a key and none is published.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or secretkey.load_or_create(
    env.path("DJANGO_SECRET_KEY_FILE", default=BASE_DIR / "var" / "secret_key")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "taggit",
    "reversion",
    "axes",
    "csp",
    "catalog",
    "newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # In development only: absolute links (feeds, sitemap, "View on site") use the
    # request's host; in production, the configured Site.
    "newsroom.sites.RequestHostSiteMiddleware",
    # A database that cannot answer gets the 503 page (with Retry-After), fast.
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole pages for anonymous readers (newsroom.cache), with ETag/Last-Modified
    # answered by 304s. Above the session, CSRF and header middleware, so stored
    # pages carry their headers and any response that sets a cookie is seen.
    "django.middleware.http.ConditionalGetMiddleware",
    "newsroom.cache.PageCacheMiddleware",
    # Pages rendered while the file storage fails are kept by no cache.
    "catalog.storage.DegradedPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Reader pages answer GET and HEAD (POST where a form posts), 405 otherwise;
    # before CSRF, so a stray POST is refused as a method, not as a forgery.
    "newsroom.middleware.ReaderMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Content-Security-Policy: strict for readers, relaxed for the admin (see below).
    "config.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the project by default, anything else through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers may write at once: WAL lets readers go on while one
    # writes, the busy timeout waits for the lock instead of failing, and immediate
    # transactions take the write lock up front so that no transaction deadlocks
    # when it upgrades from reading to writing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that accepts connections but never answers must not hold a worker
# until gunicorn kills it: connecting and each statement give up after a few
# seconds, and the reader gets the "back in a moment" page (503) instead.
# Long maintenance commands can lift the statement limit with 0.
DB_CONNECT_TIMEOUT = env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3)
DB_STATEMENT_TIMEOUT_MS = env.int("DJANGO_DB_STATEMENT_TIMEOUT_MS", default=10_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT_MS > 0:
        _db_options["options"] = " ".join(
            filter(None, [_db_options.get("options"), f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"])
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: one cache shared by every process of the installation (gunicorn workers,
# the development server, `manage.py shell`, loaddata, ...), so that a change made
# by any of them drops the pages the others cached. Redis when REDIS_URL is set
# (shared between hosts too); otherwise files under var/cache (DJANGO_CACHE_DIR).
# A Redis that fails or hangs costs at most one short timeout, then is skipped for
# a few seconds (config.cache.ResilientRedisCache): pages go uncached, never wrong.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_DIR = env.path("DJANGO_CACHE_DIR", default=BASE_DIR / "var" / "cache")
CACHE_CONNECT_TIMEOUT = env.float("DJANGO_CACHE_CONNECT_TIMEOUT", default=0.5)
CACHE_SOCKET_TIMEOUT = env.float("DJANGO_CACHE_SOCKET_TIMEOUT", default=0.5)
CACHE_BACKOFF_SECONDS = env.float("DJANGO_CACHE_BACKOFF_SECONDS", default=5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="newsroom"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": CACHE_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "BACKOFF_SECONDS": CACHE_BACKOFF_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR),
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="newsroom"),
            "OPTIONS": {"MAX_ENTRIES": env.int("DJANGO_CACHE_MAX_ENTRIES", default=5000)},
        }
    }
# Anonymous readers' pages (newsroom.cache.PageCacheMiddleware) are kept at most
# this long; every content change and schedule point invalidates them sooner.
# Off (0) in debug mode, where templates change under a running server.
PAGE_CACHE_SECONDS = env.int("DJANGO_PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)
# Fragments of pages (newsroom.fragments) are kept at most this long, invalidated
# by the same keys; off (0) in debug mode too.
FRAGMENT_CACHE_SECONDS = env.int(
    "DJANGO_FRAGMENT_CACHE_SECONDS", default=0 if DEBUG else 24 * 60 * 60
)
# The HTTP cache tier (config/varnish.vcl, or a CDN): after a write commits, the
# surrogate keys it invalidated are purged at each of these URLs (newsroom.purge),
# in the background, with this timeout per request and one retry.
PURGE_URLS = env.list("DJANGO_PURGE_URLS", default=[])
PURGE_TIMEOUT = env.float("DJANGO_PURGE_TIMEOUT", default=2.0)

# --- Security -------------------------------------------------------------------
# Production sets DJANGO_SECURE=1 (behind HTTPS); every switch below follows it and
# can still be set on its own. Locally everything stays plain HTTP.
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=SECURE)
# One trusted reverse proxy in front (TLS terminated there): it sets, and strips
# from clients, X-Forwarded-Proto and X-Forwarded-For.
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # The proxy terminates TLS and says so in X-Forwarded-Proto; only trust it
    # when the proxy is known to set (and strip) that header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=SECURE)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=SECURE)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=SECURE)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page of the site, admin included, is ever shown in a frame: the admin opens
# related-object forms in windows, not iframes. X-Frame-Options (older browsers)
# and CSP frame-ancestors (below, for readers and the admin) say the same.
X_FRAME_OPTIONS = "DENY"

# Where the admin lives. Moving it off the well-known /admin/ keeps away most
# password-guessing bots; the default keeps the documented /admin/.
ADMIN_PATH = env.str("DJANGO_ADMIN_PATH", default="admin/").strip("/") + "/"
# The admin is the only place anyone logs in; land there after a login.
LOGIN_REDIRECT_URL = f"/{ADMIN_PATH}"

# Content-Security-Policy (django-csp 4). Readers' pages run no inline script or
# style and load everything from this site (plus the media host when uploads live
# elsewhere); the admin gets the looser policy its theme and editor need, applied
# by config.security.ContentSecurityPolicyMiddleware to paths under ADMIN_PATH.
CSP_MEDIA_ORIGINS = env.list("DJANGO_CSP_MEDIA_ORIGINS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
ADMIN_CONTENT_SECURITY_POLICY = {
    # Unfold's Alpine.js components evaluate their attributes (unsafe-eval), and
    # the admin and its widgets ship inline scripts and styles.
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
    "font-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
}

# Login lockout (django-axes): five failed attempts for one username from one
# address lock that pair out for an hour. Its backend must come first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DJANGO_LOGIN_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
if BEHIND_TLS_PROXY:
    # Behind one trusted proxy, the client address is the last one it appended.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Uploads: the byte and pixel limits every uploaded image must stay under
# (catalog.validators), checked before Pillow decodes a single pixel.
MAX_UPLOAD_BYTES = env.int("DJANGO_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env.int("DJANGO_MAX_IMAGE_PIXELS", default=40_000_000)
# Every frame of an animation is re-encoded when stored; longer ones are refused.
MAX_IMAGE_FRAMES = env.int("DJANGO_MAX_IMAGE_FRAMES", default=100)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads: local disk by default; S3-compatible object storage (AWS S3, MinIO,
# Cloudflare R2, ...) through django-storages when DJANGO_STORAGE_BUCKET is set,
# so that every app host serves the same images and renditions. Credentials come
# from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a role).
STORAGE_BUCKET = env.str("DJANGO_STORAGE_BUCKET", default="")
STORAGE_CONNECT_TIMEOUT = env.float("DJANGO_STORAGE_CONNECT_TIMEOUT", default=2.0)
STORAGE_READ_TIMEOUT = env.float("DJANGO_STORAGE_READ_TIMEOUT", default=3.0)
STORAGE_MAX_ATTEMPTS = env.int("DJANGO_STORAGE_MAX_ATTEMPTS", default=2)
# After a storage failure, pages stop calling the storage for this many seconds.
STORAGE_RETRY_AFTER = env.int("DJANGO_STORAGE_RETRY_AFTER", default=60)


def _storage_client_config():
    from botocore.config import Config

    return Config(
        connect_timeout=STORAGE_CONNECT_TIMEOUT,
        read_timeout=STORAGE_READ_TIMEOUT,
        retries={"total_max_attempts": STORAGE_MAX_ATTEMPTS, "mode": "standard"},
    )


if STORAGE_BUCKET:
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("DJANGO_STORAGE_PREFIX", default="media"),
            # A CDN or public bucket domain serving the files; unset: the endpoint.
            "custom_domain": env.str("DJANGO_MEDIA_DOMAIN", default="") or None,
            # Public images by default; signed, expiring URLs for a private bucket.
            "querystring_auth": env.bool("DJANGO_STORAGE_SIGNED_URLS", default=False),
            "file_overwrite": False,
            # Short timeouts and at most one retry: a page waiting on storage
            # waits seconds, not minutes (see catalog.storage for the back-off).
            "client_config": _storage_client_config(),
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads waiting for an editor's confirmation (the admin's link guard), already
# cleaned, under generated names: private, outside MEDIA_ROOT, never served,
# removed after HELD_UPLOADS_MAX_AGE seconds. Several hosts: a shared folder.
HELD_UPLOADS_ROOT = env.path("DJANGO_HELD_UPLOADS_ROOT", default=BASE_DIR / "var" / "held-uploads")
HELD_UPLOADS_MAX_AGE = 60 * 60
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

TAGGIT_CASE_INSENSITIVE = True
FORMS_URLFIELD_ASSUME_HTTPS = True

# The public name of the site, used in titles, feeds and structured data.
SITE_NAME = env.str("SITE_NAME", default="Atelier Newsroom")


def _reader_page(obj):
    from newsroom.entities import reader_url

    return reader_url(obj)


# Brands and bags are catalog rows; where readers find them is the publication's
# business (its registry of kinds), so catalog's models name no URL of the site.
ABSOLUTE_URL_OVERRIDES = {"catalog.brand": _reader_page, "catalog.product": _reader_page}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}

UNFOLD = {
    "SITE_TITLE": "Atelier Newsroom",
    "SITE_HEADER": "Atelier Newsroom",
    "SITE_SYMBOL": "newspaper",
    "SHOW_VIEW_ON_SITE": True,
    "DASHBOARD_CALLBACK": "newsroom.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
    },
}

# Serve uploads from MEDIA_ROOT through Django (one host, local disk). Turn off
# when a web server or object storage serves them.
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=not STORAGE_BUCKET)

# --- Content API (/api/v1/, newsroom.api) -----------------------------------------
# Django REST framework, read-only and anonymous: no authentication, so a staff
# session sees exactly what everyone sees. Anonymous clients are rate limited per
# address (the throttle's counters live in the shared cache); DJANGO_API_ANON_RATE
# empty turns the limit off. CORS (django-cors-headers) lets the origins listed in
# DJANGO_API_CORS_ORIGINS read the API from a browser; nothing else is CORS-enabled.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "corsheaders"]
# Above ConditionalGet and the page cache: CORS headers fit each request's Origin,
# including answers served from the page cache and 304s.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.http.ConditionalGetMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
API_ANON_RATE = env.str("DJANGO_API_ANON_RATE", default="300/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": (
        ["newsroom.api.http.AnonymousRateThrottle"] if API_ANON_RATE else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE or None},
    # The client address: REMOTE_ADDR, or the one trusted proxy's X-Forwarded-For.
    "NUM_PROXIES": 1 if BEHIND_TLS_PROXY else 0,
    "EXCEPTION_HANDLER": "newsroom.api.http.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} content API",
    "DESCRIPTION": "Read-only: published stories and the people, houses, bags, campaigns, "
    "events and tags they link. Only what readers may see on the site.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
CORS_ALLOWED_ORIGINS = env.list("DJANGO_API_CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
