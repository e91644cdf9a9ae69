"""The cache tier under a readers' load: what `make bench` measures after the pages.

    python tests/benchmarks/run.py --cache-tier-only [--load-seconds S]

Readers request about 2,000 published stories of the archive, picked with a Zipf
distribution (s = 1.1, a seeded RNG: a few stories take most of the reads, the
long tail is read now and then), from 4 client threads, against gunicorn with 2
workers, the page cache on and Redis as the cache (database 9 of the server in
REDIS_URL, or of 127.0.0.1:6379; only that database is flushed). Every line is a
ratio to something measured in the same run, with the same client:

1. archive mix: requests/s of the mix / requests/s of the bare view;
2. the mix while a writer saves a draft every 0.5 s / the quiet mix;
3. the mix while an editor edits the most-read published story every 2 s / the
   quiet mix (both writers save through ``services.article_save``, as the admin
   does, so the page cache and the purges see real writes);
4. first visits: the median time of one request for a story nobody read yet
   (everything else warm, each such story requested once) / the median time of
   one request for the bare view, both over HTTP, one request at a time;
5. the mix through a real ``varnishd`` with config/varnish.vcl in front of the
   same gunicorn (purged by the app through DJANGO_PURGE_URLS) / the bare view
   straight from gunicorn;
6. one article page rendered in-process with the page cache off (rendered twice
   first, so that every other cache is warm) / the bare view in-process, with a
   cProfile summary of those renders in artifacts/.

The machine is shared, so what is compared is measured close together: the bare
view (straight from gunicorn), the quiet mix and the mix through Varnish take
turns (3 rounds); so do the mix with and without the draft writer (paused in
between); the editor's run follows a quiet run of the mix right away; each first
visit is followed by a few bare requests. Before any of it, every story of the
mix is requested once, directly and through Varnish: the lines measure a warm
cache, not its filling.
"""

import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# run.py imports this module for `make bench`; the helpers shared with it live there.
from run import BENCH_DIR, LOAD_THREADS, PORT, PY, ROOT, fetch, gunicorn, load, log, measure

MIX_STORIES = 2_000
FIRST_VISITS = 50
ZIPF_S = 1.1
SEED = 20261130
DRAFT_INTERVAL = 0.5
PUBLISHED_EDIT_INTERVAL = 2.0
BARE_PER_FIRST_VISIT = 4
ROUNDS = 3
REDIS_DB = 9
VCL = ROOT / "config" / "varnish.vcl"

# name: (what is compared, how, target)
TARGETS = {
    "archive_mix": ("archive mix / bare view, requests/s", ">=", 0.5),
    "drafts": ("mix while a draft is saved every 0.5 s / quiet mix", ">=", 0.9),
    "published_edit": ("mix while a published story is edited every 2 s / quiet mix", ">=", 0.7),
    "first_visit": ("first visit of a story / one bare request, median ms", "<=", 10.0),
    "article_in_process": ("article rendered in-process, uncached / bare view", "<=", 8.0),
    "varnish": ("archive mix through Varnish / bare view from gunicorn", ">=", 1.5),
}


# -- the readers' mix ------------------------------------------------------------------


class ZipfMix:
    """A callable returning the next story to read: rank r is read with weight 1 / r**s.

    The stories are ranked in a seeded random order (popularity has nothing to do
    with age or id); each client thread draws from its own seeded RNG.
    """

    def __init__(self, urls, *, s=ZIPF_S, seed=SEED):
        self.urls = list(urls)
        random.Random(seed).shuffle(self.urls)
        self.weights = [1 / rank**s for rank in range(1, len(self.urls) + 1)]
        self.cum_weights = list(itertools.accumulate(self.weights))
        self.seed = seed
        self.local = threading.local()
        self.threads = itertools.count(1)

    def most_read(self):
        return self.urls[0]

    def __call__(self):
        rng = getattr(self.local, "rng", None)
        if rng is None:
            rng = self.local.rng = random.Random(self.seed + next(self.threads))
        return rng.choices(self.urls, cum_weights=self.cum_weights)[0]


def visit_all(urls, port=PORT):
    """Request every URL once (4 threads), so that the cache holds each of them.

    Returns each page's surrogate keys (when the answer carries them: not through
    Varnish, which keeps them to itself).
    """
    pending = list(urls)
    lock = threading.Lock()
    failures = []
    keys = {}

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                url = pending.pop()
            status, headers, _ = fetch(url, port)
            if status != 200:
                failures.append((url, status))
            keys[url] = set(headers.get("Surrogate-Key", "").split())

    threads = [threading.Thread(target=worker) for _ in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} stories did not answer 200: {failures[:3]}")
    return keys


def reach(mix, page_keys, invalidated):
    """Pages of the mix that carry a key a write invalidated: (share of pages, of reads)."""
    invalidated = set(invalidated)
    reached = [
        weight
        for url, weight in zip(mix.urls, mix.weights, strict=True)
        if page_keys.get(url, set()) & invalidated
    ]
    return len(reached) / len(mix.urls), sum(reached) / sum(mix.weights)


def hit_share(counts, hit):
    total = sum(counts.values())
    return counts.get(hit, 0) / total if total else 0.0


def answers(counts):
    """``hit 5,120, miss 310, none 12``: what X-Page-Cache said (none: rendered, not kept)."""
    return ", ".join(f"{value} {n:,}" for value, n in sorted(counts.items()))


class Run:
    """One load (a URL or the mix, on a port), measured in one or more turns."""

    def __init__(self, path, *, port=PORT, tally=None):
        self.path, self.port, self.tally = path, port, tally
        self.requests = 0
        self.seconds = 0.0
        self.counts = {}

    def go(self, seconds, max_requests):
        started = time.perf_counter()
        result = load(self.path, seconds, max_requests, port=self.port, tally=self.tally)
        elapsed = time.perf_counter() - started
        rps, counts = result if self.tally else (result, {})
        self.requests += rps * elapsed
        self.seconds += elapsed
        for value, n in counts.items():
            key = str(value).lower()
            self.counts[key] = self.counts.get(key, 0) + n

    @property
    def rps(self):
        return self.requests / self.seconds


def first_visits(urls):
    """Median ms of one request for a story nobody read yet, and of one bare request.

    One request at a time, each story once; after each, a few bare requests, so
    that both medians are taken over the same stretch of time. Also returns how
    many of the stories the page cache stored.
    """
    story_ms, bare_ms, stored = [], [], 0
    fetch("/bench/bare/")
    for url in urls:
        started = time.perf_counter()
        status, headers, _ = fetch(url)
        story_ms.append((time.perf_counter() - started) * 1000)
        assert status == 200, (url, status)
        stored += headers.get("X-Page-Cache") == "miss"
        for _ in range(BARE_PER_FIRST_VISIT):
            started = time.perf_counter()
            fetch("/bench/bare/")
            bare_ms.append((time.perf_counter() - started) * 1000)
    return statistics.median(story_ms), statistics.median(bare_ms), stored


# -- services ------------------------------------------------------------------------


def redis_url():
    """The benchmark's Redis database: REDIS_URL's server (or 127.0.0.1:6379), db 9."""
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return urlunsplit(urlsplit(base)._replace(path=f"/{REDIS_DB}"))


def flush_redis(url):
    """Empty the benchmark's database, and only it; False when Redis cannot be reached."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        log(f"  Redis at {url} is unreachable ({exc})")
        return False
    return True


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def varnishd_path():
    found = os.environ.get("VARNISHD") or shutil.which("varnishd") or "/usr/sbin/varnishd"
    return found if Path(found).exists() else None


@contextlib.contextmanager
def varnish(port, backend_port):
    """varnishd with a copy of config/varnish.vcl whose backend is ``backend_port``.

    As tests/integration/conftest.py starts it: its own working directory, no
    management port, and ``-j none`` as root (no vcache user needed).
    """
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-varnish-"))
    vcl, count = re.subn(r'(\.port\s*=\s*)"8000"', rf'\g<1>"{backend_port}"', VCL.read_text())
    assert count == 1, "config/varnish.vcl must declare the backend on port 8000"
    (workdir / "bench.vcl").write_text(vcl)
    command = [varnishd_path(), "-F", "-n", str(workdir / "state"), "-a", f"127.0.0.1:{port}"]
    command += ["-f", str(workdir / "bench.vcl"), "-s", "malloc,256m", "-T", "none"]
    if os.geteuid() == 0:
        command += ["-j", "none"]
    log_file = open(workdir / "varnishd.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "varnishd did not start: " + (workdir / "varnishd.log").read_text()[-2000:]
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log_file.close()
        shutil.rmtree(workdir, ignore_errors=True)


class Writer:
    """A process saving one article every few seconds (measure.py edit), paused at first.

    ``summary`` is filled in when it has stopped: saves, their median time, the
    CPU they took, and the keys they invalidated.
    """

    def __init__(self, proc):
        self.proc = proc
        self.summary = {}

    def resume(self):
        self.proc.send_signal(signal.SIGUSR2)

    def pause(self):
        self.proc.send_signal(signal.SIGUSR1)


@contextlib.contextmanager
def writer(env, pk, interval, out_file):
    proc = subprocess.Popen(
        [PY, str(BENCH_DIR / "measure.py"), "edit", str(pk), str(out_file)]
        + ["--interval", str(interval)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    handle = Writer(proc)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("the writer did not start")
        yield handle
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    handle.summary.update(json.loads(Path(out_file).read_text()))


# -- the run -------------------------------------------------------------------------


def bench(name, env, workdir, artifacts, opts):
    """Every cache-tier line on the database of ``env`` (its archive already generated)."""
    log(f"cache tier ({name})")
    results = {}
    stories_file = workdir / f"stories-{name}.json"
    measure(
        env,
        "stories",
        str(stories_file),
        "--count",
        str(MIX_STORIES),
        "--holdout",
        str(FIRST_VISITS),
    )
    picked = json.loads(stories_file.read_text())
    mix = ZipfMix(url for _, url in picked["mix"])
    by_url = {url: pk for pk, url in picked["mix"]}
    most_read = mix.most_read()

    url = redis_url()
    redis_ok = flush_redis(url)
    tier_env = {**env, "REDIS_URL": url, "DJANGO_CACHE_PREFIX": "newsroom-bench"}
    tier_env.pop("DJANGO_CACHE_DIR", None)
    if not redis_ok:
        log(
            "  SKIPPED the archive-mix lines: they need Redis (set REDIS_URL or start "
            "redis-server on 127.0.0.1:6379)"
        )
        tier_env = env  # the in-process line still runs, on the database's own cache

    profile_file = artifacts / f"bench-article-profile-{name.lower()}.txt"
    article_file = workdir / f"article-{name}.json"
    measure(
        {**tier_env, "BENCH_PAGE_CACHE": "0"},
        "article",
        most_read,
        str(article_file),
        str(profile_file),
        "--runs",
        "30",
    )
    results["article_in_process"] = json.loads(article_file.read_text())
    log(f"  profile of the uncached article render: {profile_file}")
    if not redis_ok:
        results["skipped"] = "Redis unreachable"
        return results

    seconds, cap = opts.load_seconds, opts.max_requests
    varnish_port = free_port() if varnishd_path() else None
    if varnish_port:
        # Varnish runs from the start, so that every write's purge reaches it.
        tier_env["DJANGO_PURGE_URLS"] = f"http://127.0.0.1:{varnish_port}/"
    with contextlib.ExitStack() as stack:
        stack.enter_context(gunicorn(tier_env, page_cache=True))
        runs = {
            "bare": Run("/bench/bare/"),
            "quiet": Run(mix, tally="X-Page-Cache"),
        }
        if varnish_port:
            stack.enter_context(varnish(varnish_port, PORT))
            runs["varnish"] = Run(mix, port=varnish_port, tally="X-Cache")
        page_keys = visit_all(mix.urls)
        _, headers, _ = fetch(most_read)
        assert headers.get("X-Page-Cache") == "hit", headers
        if varnish_port:
            visit_all(mix.urls, varnish_port)
            _, headers, _ = fetch(most_read, varnish_port)
            assert headers.get("X-Cache") == "HIT", headers
        else:
            log(
                "  SKIPPED the Varnish line: varnishd is not installed "
                "(apt-get install varnish varnish-modules)"
            )
        # The machine is shared: take turns, so that a change of background load
        # weighs on every figure alike.
        for _ in range(ROUNDS):
            for run in runs.values():
                run.go(seconds / ROUNDS, cap)
        log("  " + ", ".join(f"{label} {run.rps:.0f}/s" for label, run in runs.items()))

        # The draft's saves invalidate nothing: the mix with and without them takes
        # turns, the writer paused in between.
        quiet_turns, drafts = Run(mix, tally="X-Page-Cache"), Run(mix, tally="X-Page-Cache")
        with writer(tier_env, picked["draft_pk"], DRAFT_INTERVAL, workdir / "draft.json") as draft:
            for _ in range(ROUNDS):
                quiet_turns.go(seconds / ROUNDS, cap)
                draft.resume()
                drafts.go(seconds / ROUNDS, cap)
                draft.pause()
        log(
            f"  archive mix {quiet_turns.rps:.0f}/s, with a draft saved every "
            f"{DRAFT_INTERVAL} s {drafts.rps:.0f}/s"
        )

        first_ms, bare_ms, stored = first_visits(picked["first_visits"])
        log(f"  first visits {first_ms:.1f} ms, one bare request {bare_ms:.2f} ms")

        before_edits, edits = Run(mix, tally="X-Page-Cache"), Run(mix, tally="X-Page-Cache")
        before_edits.go(seconds / 2, cap)
        edited = by_url[most_read]
        # An edit drops pages from the cache: the quiet run comes first, once.
        with writer(tier_env, edited, PUBLISHED_EDIT_INTERVAL, workdir / "edit.json") as edit:
            edit.resume()
            edits.go(seconds, cap)
        log(
            f"  archive mix {before_edits.rps:.0f}/s, with the most-read story edited every "
            f"{PUBLISHED_EDIT_INTERVAL} s {edits.rps:.0f}/s"
        )

    bare, quiet = runs["bare"], runs["quiet"]
    pages_reached, reads_reached = reach(mix, page_keys, edit.summary["invalidated_keys"])
    results.update(
        {
            "stories": len(mix.urls),
            "zipf_s": ZIPF_S,
            "rounds": ROUNDS,
            "bare_rps": bare.rps,
            "archive_mix": {
                "rps": quiet.rps,
                "ratio": quiet.rps / bare.rps,
                "page_cache": quiet.counts,
            },
            "drafts": {
                "rps": drafts.rps,
                "quiet_rps": quiet_turns.rps,
                "ratio": drafts.rps / quiet_turns.rps,
                "page_cache": drafts.counts,
                "writer": draft.summary,
            },
            "published_edit": {
                "rps": edits.rps,
                "quiet_rps": before_edits.rps,
                "ratio": edits.rps / before_edits.rps,
                "page_cache": edits.counts,
                "writer": edit.summary,
                "url": most_read,
                "pages_invalidated_per_edit": pages_reached,
                "reads_invalidated_per_edit": reads_reached,
            },
            "first_visit": {
                "median_ms": first_ms,
                "bare_median_ms": bare_ms,
                "ratio": first_ms / bare_ms,
                "stories": len(picked["first_visits"]),
                "stored": stored,
            },
        }
    )
    if "varnish" in runs:
        through = runs["varnish"]
        results["varnish"] = {
            "rps": through.rps,
            "ratio": through.rps / bare.rps,
            "varnish_cache": through.counts,
        }
    else:
        results["varnish"] = {"skipped": "varnishd is not installed"}
    return results


# -- report --------------------------------------------------------------------------


def verdict(name, value):
    _, how, target = TARGETS[name]
    met = value >= target if how == ">=" else value <= target
    return f"{'≥' if how == '>=' else '≤'} {target:g}", "met" if met else "not met"


def report(results):
    lines = [
        "| cache tier | measured | ratio | target | |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(name, measured, ratio):
        target, met = verdict(name, ratio)
        lines.append(f"| {TARGETS[name][0]} | {measured} | {ratio:.2f} | {target} | {met} |")

    a = results["article_in_process"]
    v = results.get("varnish", {})
    if "archive_mix" in results:
        bare, mix = results["bare_rps"], results["archive_mix"]
        d, e, f = results["drafts"], results["published_edit"], results["first_visit"]
        row("archive_mix", f"{mix['rps']:.0f}/s vs {bare:.0f}/s", mix["ratio"])
        row("drafts", f"{d['rps']:.0f}/s vs {d['quiet_rps']:.0f}/s", d["ratio"])
        row("published_edit", f"{e['rps']:.0f}/s vs {e['quiet_rps']:.0f}/s", e["ratio"])
        row("first_visit", f"{f['median_ms']:.1f} ms vs {f['bare_median_ms']:.2f} ms", f["ratio"])
    row("article_in_process", f"{a['article_ms']:.2f} ms vs {a['bare_ms']:.2f} ms", a["ratio"])
    if "rps" in v:
        row("varnish", f"{v['rps']:.0f}/s vs {results['bare_rps']:.0f}/s", v["ratio"])
    lines.append("")
    if "archive_mix" in results:
        dw, ew = d["writer"], e["writer"]
        lines += [
            f"- archive mix: {results['stories']:,} published stories read with a Zipf "
            f"distribution (s = {ZIPF_S}), {LOAD_THREADS} client threads, gunicorn with 2 "
            f"workers, page cache in Redis; the bare view, the mix and the mix through "
            f"Varnish measured in {results['rounds']} turns each",
            f"- page cache hits: quiet {hit_share(mix['page_cache'], 'hit'):.1%}, while the "
            f"draft is saved {hit_share(d['page_cache'], 'hit'):.1%}, while the story is "
            f"edited {hit_share(e['page_cache'], 'hit'):.1%} ({answers(e['page_cache'])})"
            + (f"; Varnish hits {hit_share(v['varnish_cache'], 'hit'):.1%}" if "rps" in v else ""),
            f"- draft saved {dw['saves']} times ({len(dw['invalidated_keys'])} keys "
            f"invalidated; median save {dw['median_save_ms']:.0f} ms, {dw['cpu_s']:.1f} s of "
            f"CPU), in {results['rounds']} turns with the quiet mix",
            f"- most-read story ({e['url']}) edited {ew['saves']} times (median save "
            f"{ew['median_save_ms']:.0f} ms, {ew['cpu_s']:.1f} s of CPU); an edit invalidates "
            f"{len(ew['invalidated_keys'])} keys, carried by {e['pages_invalidated_per_edit']:.0%}"
            f" of the mix's pages ({e['reads_invalidated_per_edit']:.0%} of its reads)",
            f"- first visits: {f['stories']} stories never read before, one request each "
            f"({f['stored']} stored by the page cache), {BARE_PER_FIRST_VISIT} bare requests "
            "after each",
        ]
    if results.get("skipped"):
        lines.append(f"- archive-mix lines skipped: {results['skipped']}")
    if "skipped" in v:
        lines.append(f"- Varnish line skipped: {v['skipped']}")
    lines += [
        f"- in-process article ({a['url']}): {a['queries']} SQL queries, median of "
        f"{a['runs']} renders after two; profile: {a['profile']}",
        "",
    ]
    return "\n".join(lines)
