"""The benchmark behind `make bench`. Not a test: it measures and prints a table.

    python tests/benchmarks/run.py [--quick] [--articles N] [--sqlite-only]
    python tests/benchmarks/run.py --cache-tier-only

On a fresh SQLite database in a temporary folder (and, when DATABASE_URL points
at PostgreSQL, on a fresh database `newsroom_bench` on that server), it:

1. migrates, collects static files, and times `loaddata stories`;
2. renders every public page type in-process (full middleware, no page cache)
   and records SQL queries and the median render time, next to a bare view
   (a small template, no database) that exists only in the benchmark's URLconf;
3. runs `generate_content` for 100,000 articles (--quick: 10,000), recording
   rows per second and the command's peak resident memory;
4. renders the same pages again, plus two pages of the generated archive, and
   measures search (p50 over a dozen queries);
5. starts gunicorn with 2 workers on 127.0.0.1, twice (with and without the
   page cache), and drives the article page and the bare view with a bounded
   load (threads of http.client, a few seconds each), then reads the workers'
   peak resident memory;
6. measures the cache tier under a readers' load (cache_tier.py): an archive
   mix of about 2,000 stories with and without writers, first visits, Varnish
   in front, and an uncached article render with its profile. With
   --cache-tier-only, only this, on a fresh SQLite archive of about 2,000
   stories (a few minutes).

Results go to stdout (Markdown tables) and artifacts/bench-<database>.json
(artifacts/bench-cache-tier-sqlite.json with --cache-tier-only).
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import cache_tier

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BENCH_DIR = Path(__file__).resolve().parent
PORT = 8765
LOAD_THREADS = 4


def log(message):
    print(f"[bench] {message}", flush=True)


# -- processes -----------------------------------------------------------------------


def run(args, env, *, capture=False):
    """Run a command; return (seconds, peak RSS in MB of that process, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    out = proc.stdout.read() if capture else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, args))}")
    return elapsed, usage.ru_maxrss / 1024, out


def manage(env, *args, capture=False):
    return run([PY, "manage.py", *args], env, capture=capture)


def measure(env, *args):
    return run([PY, str(BENCH_DIR / "measure.py"), *args], env)


# -- load ----------------------------------------------------------------------------


def fetch(path, port=PORT):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


def load(path, seconds, max_requests, *, port=PORT, tally=None):
    """Requests per second for GETs of ``path``, bounded in time and in count.

    ``path`` is a URL, or a function called for each request that returns one (a
    mix of pages). With ``tally`` (a header name), returns ``(rps, counts)``: how
    many answers carried each value of that header ("hit", "miss", absent: None).
    """
    done = []
    errors = []
    counts = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    next_path = path if callable(path) else lambda: path

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if len(done) + len(errors) >= max_requests:
                    return
            url = next_path()
            try:
                status, headers, _ = fetch(url, port)
            except OSError as exc:
                errors.append(repr(exc))
                continue
            (done if status == 200 else errors).append(status)
            if tally:
                value = headers.get(tally)
                with lock:
                    counts[value] = counts.get(value, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(LOAD_THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        label = "the mix" if callable(path) else path
        log(f"  {len(errors)} failed requests on {label}: {errors[:3]}")
    rps = len(done) / elapsed
    return (rps, counts) if tally else rps


def wait_for_port(proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), 0.2):
            return
        time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def worker_peak_rss_mb(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


@contextlib.contextmanager
def gunicorn(env, *, page_cache):
    env = {
        **env,
        "BENCH_PAGE_CACHE": "1" if page_cache else "0",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    proc = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(proc)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def throughput(env, article_url, seconds, max_requests):
    results = {}
    for page_cache in (False, True):
        label = "cached" if page_cache else "uncached"
        with gunicorn(env, page_cache=page_cache) as proc:
            for path in ("/bench/bare/", article_url):
                status, headers, _ = fetch(path)  # warm up (and fill the cache)
                assert status == 200, (path, status)
                fetch(path)
            status, headers, _ = fetch(article_url)
            if page_cache:
                assert headers.get("X-Page-Cache") == "hit", headers
            else:
                assert "X-Page-Cache" not in headers, headers
            bare = load("/bench/bare/", seconds, max_requests)
            article = load(article_url, seconds, max_requests)
            results[label] = {
                "bare_rps": bare,
                "article_rps": article,
                "ratio": article / bare,
                "worker_peak_rss_mb": worker_peak_rss_mb(proc.pid),
            }
            log(f"  gunicorn {label}: bare {bare:.0f}/s, article {article:.0f}/s")
    return results


# -- one database --------------------------------------------------------------------


def generate_content(articles):
    """The command line of `generate_content` for an archive of ``articles`` stories."""
    return [
        "generate_content",
        "--articles",
        str(articles),
        "--people",
        str(max(100, articles // 20)),
        "--products",
        str(max(100, articles // 30)),
        "--campaigns",
        str(max(50, articles // 100)),
        "--force",
    ]


def bench_database(name, env, workdir, opts):
    log(f"== {name}")
    results = {"database": name}
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    seconds, _, _ = manage(env, "loaddata", "stories", "-v0")
    results["loaddata_stories_s"] = seconds
    log(f"loaddata stories: {seconds:.2f} s")

    urls_file = workdir / f"urls-{name}.json"
    small_file = workdir / f"pages-small-{name}.json"
    large_file = workdir / f"pages-large-{name}.json"
    page_env = {**env, "BENCH_PAGE_CACHE": "0"}
    runs = "15" if opts.quick else "30"
    measure(page_env, "pages", str(urls_file), str(small_file), "--pick", "--runs", runs)
    log("rendered the pages with the stories only")

    articles = opts.articles
    seconds, peak, out = manage(env, *generate_content(articles), capture=True)
    summary = [line for line in out.splitlines() if line.startswith("Done:")][-1]
    rows = int(summary.split()[1].replace(",", ""))
    results["generate"] = {
        "articles": articles,
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "peak_rss_mb": peak,
    }
    log(f"generate_content: {summary}")
    measure(
        {**page_env, "BENCH_ARCHIVE": "1"}, "pages", str(urls_file), str(large_file), "--runs", runs
    )
    log(f"rendered the pages with {articles:,} articles")
    search_file = workdir / f"search-{name}.json"
    measure(page_env, "search", str(search_file), "--runs", "3" if opts.quick else "5")
    results["search"] = json.loads(search_file.read_text())
    admin_file = workdir / f"admin-{name}.json"
    measure(page_env, "admin", str(admin_file), "--runs", "3" if opts.quick else "5")
    results["admin"] = json.loads(admin_file.read_text())

    small = json.loads(small_file.read_text())
    large = json.loads(large_file.read_text())
    results["pages"] = {
        page: {
            "url": large[page]["url"],
            "queries_small": small.get(page, {}).get("queries"),
            "queries_large": large[page]["queries"],
            "ms_small": small.get(page, {}).get("median_ms"),
            "ms_large": large[page]["median_ms"],
        }
        for page in large
    }
    for page, base in (
        ("article (archive)", "article"),
        ("article (API, archive)", "article (API)"),
        ("person (archive)", "person"),
    ):
        results["pages"][page]["ms_small"] = small[base]["median_ms"]
        results["pages"][page]["queries_small"] = small[base]["queries"]

    urls = json.loads(urls_file.read_text())
    results["throughput"] = throughput(env, urls["article"], opts.load_seconds, opts.max_requests)
    results["cache_tier"] = cache_tier.bench(name, env, workdir, opts.artifacts, opts)
    return results


def bench_cache_tier(env, workdir, opts):
    """--cache-tier-only: a fresh SQLite archive of about 2,000 stories, then the lines."""
    log("== SQLite, cache tier only")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    # About 90 % of generated stories are published in the past: enough for the mix
    # and the first visits.
    articles = int((cache_tier.MIX_STORIES + cache_tier.FIRST_VISITS) * 1.2)
    _, _, out = manage(env, *generate_content(articles), capture=True)
    log("generate_content: " + [line for line in out.splitlines() if line.startswith("Done:")][-1])
    return {
        "database": "SQLite",
        "articles": articles,
        "cache_tier": cache_tier.bench("SQLite", env, workdir, opts.artifacts, opts),
    }


def sqlite_env(base_env, workdir):
    return {**base_env, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"}


@contextlib.contextmanager
def postgres_env(base_env, url):
    import psycopg

    parts = urlsplit(url)
    admin_dsn = urlunsplit(parts)
    bench_url = urlunsplit(parts._replace(path="/newsroom_bench"))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS newsroom_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE newsroom_bench")
    try:
        yield {**base_env, "DATABASE_URL": bench_url}
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS newsroom_bench WITH (FORCE)")


# -- report --------------------------------------------------------------------------


def fmt(value, spec=".1f"):
    return "–" if value is None else format(value, spec)


def report(results, machine):
    lines = [f"### {results['database']} — {machine}", ""]
    pages = results["pages"]
    bare_small = pages["bare view"]["ms_small"]
    articles = results["generate"]["articles"]
    lines += [
        f"| page | SQL queries (stories / {articles:,}) | median ms, stories | "
        f"median ms, {articles:,} articles | ratio | × bare view (stories / {articles:,}) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for page, row in pages.items():
        ratio = row["ms_large"] / row["ms_small"] if row["ms_small"] else None
        lines.append(
            f"| {page} | {row['queries_small']} / {row['queries_large']} | "
            f"{fmt(row['ms_small'], '.2f')} | {fmt(row['ms_large'], '.2f')} | "
            f"{fmt(ratio, '.2f')} | {fmt(row['ms_small'] / bare_small, '.0f')} / "
            f"{fmt(row['ms_large'] / bare_small, '.0f')} |"
        )
    if "article (API)" in pages:
        api, page = pages["article (API)"], pages["article"]
        lines += [
            "",
            f"Article resource (/api/v1/articles/<slug>/): {api['ms_small'] / bare_small:.1f} × "
            f"the bare view, next to the article page's {page['ms_small'] / bare_small:.1f} × "
            f"(stories only; {api['ms_large'] / bare_small:.1f} × and "
            f"{page['ms_large'] / bare_small:.1f} × at {articles:,} articles).",
        ]
    lines += [
        "",
        f"| admin changelist at {articles:,} articles | SQL queries | median ms |",
        "| --- | --- | --- |",
        *(
            f"| {name} | {row['queries']} | {row['median_ms']:.0f} |"
            for name, row in results["admin"].items()
        ),
    ]
    t = results["throughput"]
    g = results["generate"]
    s = results["search"]
    lines += [
        "",
        "| gunicorn, 2 workers, article page | requests/s | bare view requests/s | ratio |",
        "| --- | --- | --- | --- |",
        f"| uncached | {t['uncached']['article_rps']:.0f} | {t['uncached']['bare_rps']:.0f} | "
        f"{t['uncached']['ratio']:.2f} |",
        f"| cached | {t['cached']['article_rps']:.0f} | {t['cached']['bare_rps']:.0f} | "
        f"{t['cached']['ratio']:.2f} |",
        "",
        f"- search p50 at {articles:,} articles ({s['vendor']}): {s['p50_ms']:.1f} ms "
        f"(p90 {s['p90_ms']:.1f} ms, {s['terms']} queries)",
        f"- `loaddata stories`: {results['loaddata_stories_s']:.2f} s",
        f"- `generate_content`: {g['rows']:,} rows in {g['seconds']:.1f} s = "
        f"{g['rows_per_s']:,.0f} rows/s; peak RSS {g['peak_rss_mb']:.0f} MB",
        f"- gunicorn worker peak RSS after the load: "
        f"{max(t['uncached']['worker_peak_rss_mb'], t['cached']['worker_peak_rss_mb']):.0f} MB",
        "",
        cache_tier.report(results["cache_tier"]),
    ]
    return "\n".join(lines)


def machine_description():
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model or platform.processor()}, Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 articles, shorter runs")
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--load-seconds", type=float, default=None)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument(
        "--cache-tier-only",
        action="store_true",
        help="only the cache-tier lines (cache_tier.py), on SQLite with about 2,000 stories",
    )
    opts = parser.parse_args()
    opts.articles = opts.articles or (10_000 if opts.quick else 100_000)
    opts.load_seconds = opts.load_seconds or (3.0 if opts.quick else 6.0)

    started = time.perf_counter()
    load_at_start = load_average()
    machine = machine_description()
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_CACHE_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    postgres_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    artifacts = opts.artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    base_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_LOG_LEVEL": "ERROR",
            "MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "PYTHONPATH": str(ROOT),
        }
    )
    reports = []
    try:
        sqlite = {**sqlite_env(base_env, workdir), "DJANGO_CACHE_DIR": str(workdir / "cache")}
        sqlite.pop("REDIS_URL", None)
        if opts.cache_tier_only:
            results = bench_cache_tier(sqlite, workdir, opts)
            (artifacts / "bench-cache-tier-sqlite.json").write_text(json.dumps(results, indent=2))
            reports.append(
                f"### SQLite, cache tier — {machine}\n\n{cache_tier.report(results['cache_tier'])}"
            )
        else:
            results = bench_database("SQLite", sqlite, workdir, opts)
            (artifacts / "bench-sqlite.json").write_text(json.dumps(results, indent=2))
            reports.append(report(results, machine))
        if postgres_url.startswith("postgres") and not (opts.sqlite_only or opts.cache_tier_only):
            with postgres_env(base_env, postgres_url) as pg:
                if redis_url:
                    pg["REDIS_URL"] = redis_url
                    pg["DJANGO_CACHE_PREFIX"] = "newsroom-bench"
                else:
                    pg["DJANGO_CACHE_DIR"] = str(workdir / "cache-pg")
                results = bench_database("PostgreSQL", pg, workdir, opts)
            (artifacts / "bench-postgresql.json").write_text(json.dumps(results, indent=2))
            reports.append(report(results, machine))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n".join(reports))
    log(
        f"finished in {time.perf_counter() - started:.0f} s; load average at the start "
        f"{load_at_start}, at the end {load_average()}"
    )


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
