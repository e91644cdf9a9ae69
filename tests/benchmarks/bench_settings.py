"""Settings for the benchmark: the project's own, plus a bare view to compare against.

The bare view lives only in the benchmark's URLconf (``bench_urls``), never in the
product's. ``BENCH_PAGE_CACHE=0`` takes the whole-page cache out of the stack to
measure rendering itself.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE, REST_FRAMEWORK, TEMPLATES

ROOT_URLCONF = "tests.benchmarks.bench_urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}]
if os.environ.get("BENCH_PAGE_CACHE", "1") == "0":
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "newsroom.cache.PageCacheMiddleware"]
# Repeated requests from one address measure rendering, not the API's rate limit.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
