"""gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.py` (what `make serve` runs).

Every value can be overridden with GUNICORN_* environment variables. Sync
workers, as many as the usual 2 × cores + 1: pages are short CPU-bound renders,
and the whole-page cache answers most reader requests without the database.
"""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 20))
# Recycle workers now and then so that no slow leak can grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# "-" logs requests to stdout; an empty value turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# Load Django once in the master and fork: workers share its memory pages.
preload_app = True
# Heartbeat files in memory rather than on a possibly slow disk (containers).
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Every worker shares one cache, as does every other process of the installation
# (config/settings.py): Redis when REDIS_URL is set, otherwise var/cache on this
# host (DJANGO_CACHE_DIR). Nothing to set up here.
