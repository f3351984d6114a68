"""Sustained mixed load: a working day compressed, against gunicorn + a Celery worker + PostgreSQL + Redis.

    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/load_mixed.py --duration 60 --rate 20
    REDIS_URL=… .venv/bin/python bench/load_mixed.py --duration 300 --rate 120 --reuse   # on an idle machine

Creates (or, with ``--reuse``, keeps) a bench database with the demo company (``seed_demo --customers N``),
starts gunicorn (``--workers``, 4 sync as in the Procfile) and one Celery worker (prefork, all queues) on
loopback, then plays ``--duration`` seconds as 24 compressed hours: the request rate follows a designated-
driving day (quiet mornings, the evening peak 20:00–01:00) around ``--rate`` requests/s on average, each
request drawn from the mix below (seeded, so runs compare): platform pushes (single orders and batches of
``--batch-size``), ratings of pushed orders, complaints on them, benefit look-ups (by mobile and by
customer id), and staff page views with logged-in sessions (search box, customer page, complaint page,
start page as a supervisor; the KPI dashboard as the general manager). Client threads send on time
(open loop, ``--threads`` at most in flight) and measure each request from its send.

Prints per kind: requests, requests/s, p50/p95/p99, errors; the CPU of the web workers, the Celery worker
and PostgreSQL per request; then waits for the worker to drain and verifies by counting that orders,
order events, points entries, reviews, complaints and care messages are exactly what was sent. Exits 1
when a count differs or a latency target is missed (p95 < 300 ms staff pages, < 100 ms single pushes).
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, bench_database_url, create_database, database_exists, print_figure, setup_django  # noqa: E402
from api_ingest import CpuMeter, _children, _proc_cpu, free_port, order, pct, wait_ready  # noqa: E402
from mixed_client import Http, staff_login  # noqa: E402

MIX = {  # share of requests per kind
    "push": 0.40, "batch": 0.04, "rating": 0.12, "complaint": 0.03, "lookup": 0.06, "benefits": 0.07,
    "page_search": 0.08, "page_customer": 0.08, "page_complaint": 0.05, "page_start": 0.03, "page_dashboard": 0.04,
}
TARGETS_MS = {"push": 100, "page_search": 300, "page_customer": 300, "page_complaint": 300, "page_start": 300,
              "page_dashboard": 300}
# Requests per hour of a designated-driving day (relative): quiet mornings, the evening peak.
DAY = [6, 3, 2, 1, 1, 1, 2, 3, 4, 4, 4, 5, 5, 5, 5, 5, 6, 7, 9, 12, 16, 18, 16, 11]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="crm_bench_mixed")
    p.add_argument("--reuse", action="store_true", help="keep the database and demo company of a previous run")
    p.add_argument("--customers", type=int, default=300, help="demo customers (seed_demo --customers)")
    p.add_argument("--duration", type=float, default=60, help="seconds for the whole compressed day")
    p.add_argument("--rate", type=float, default=20, help="average requests/s over the day")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    p.add_argument("--threads", type=int, default=24, help="client threads (requests in flight at most)")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--drain-timeout", type=float, default=900, help="seconds to wait for the worker afterwards")
    return p.parse_args()


def prepare(args) -> dict:
    """The bench database with the demo company, a platform of this run and what the staff pages need."""
    url = bench_database_url(args.db)
    fresh = not (args.reuse and database_exists(url))
    if fresh:
        create_database(url)
    os.environ.update({
        "API_THROTTLE_PLATFORM": "1000000/min", "API_THROTTLE_PLATFORM_BATCH": "1000000/min",
        "API_THROTTLE_STAFF": "1000000/min", "CONN_MAX_AGE": "300", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "MASKED_MOBILE_SEARCH_LIMIT": "1000000", "EMAIL_URL": "dummymail://",
        # no collectstatic for a bench: plain static storage (the manifest one needs it)
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    })
    setup_django(url)
    from django.core.management import call_command

    from complaints.models import Category, Complaint
    from customers.models import Customer
    from customers.services.platforms import platform_create

    call_command("migrate", verbosity=0)
    if fresh:
        t0 = time.perf_counter()
        call_command("seed_demo", "--customers", str(args.customers), "--password", "bench-pass-16", verbosity=0)
        print_figure("seed_demo (demo company)", time.perf_counter() - t0, "s")
    code = f"load{int(time.time())}"
    platform, key = platform_create(name=f"Load {code}", code=code)
    customers = list(Customer.objects.exclude(status=Customer.Status.ANONYMISED).order_by("pk")
                     .values_list("pk", "full_name")[:200])
    from care.models import Message

    return {
        "message_max_pk": Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "mobile_base": 5_000_000 + int(time.time()) % 1000 * 10_000,
        "url": url, "platform": platform, "key": key, "code": code,
        "category": Category.objects.order_by("pk").values_list("code", flat=True).first(),
        "customer_pks": [pk for pk, _ in customers], "names": [n[:2] for _, n in customers if n],
        "complaint_pks": list(Complaint.objects.order_by("-pk").values_list("pk", flat=True)[:100]),
    }


def start_processes(url: str, workers: int) -> tuple:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONWARNINGS": "ignore:No directory at:UserWarning"}
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2",
                               "--loglevel=WARNING", "--without-gossip", "--without-mingle"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    wait_ready(port, web)
    return port, web, worker


class Day:
    """What the load sent and got back, per kind; the orders it created, rated and complained about."""

    def __init__(self, port: int, data: dict, seed: int, batch_size: int):
        self.port, self.data, self.batch_size = port, data, batch_size
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {kind: [] for kind in MIX}
        self.errors: dict[str, list] = {kind: [] for kind in MIX}
        self.orders: dict[str, str] = {}  # external id → customer mobile (every order answered 2xx)
        self.customer_ids: list[str] = []
        self.unrated: list[str] = []
        self.rated: set[str] = set()
        self.complaints: list[str] = []
        self.seq = 0
        self.local = threading.local()
        self.booked = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0) - dt.timedelta(hours=2)

    # --- per thread: one keep-alive connection for the platform, one per staff session ------------------
    def http(self, who: str) -> Http:
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        if who not in conns:
            cookie = self.data["sessions"].get(who)
            conns[who] = Http(self.port, api_key=None if cookie else self.data["key"], cookie=cookie)
        return conns[who]

    def next_order(self) -> tuple[str, dict]:
        with self.lock:
            self.seq += 1
            n = self.seq
        from customers import demo

        ext = f"{self.data['code']}-{n:07d}"
        # 4,000 customers of this run's platform (new mobiles each run: a platform sees only its own), many return
        mobile = demo.mobile_from_index(self.data["mobile_base"] + n % 4000)
        body = order(ext, mobile, self.booked + dt.timedelta(seconds=n))
        body.pop("rating")
        return ext, body

    def record(self, kind: str, started: float, status: int, ok: set[int]) -> bool:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if status not in ok:
                self.errors[kind].append(status)
        return status in ok

    def _created(self, ext: str, mobile: str, answer: dict) -> None:
        with self.lock:
            self.orders[ext] = mobile
            self.unrated.append(ext)
            if answer.get("customer_id"):
                self.customer_ids.append(answer["customer_id"])

    # --- the kinds of request ---------------------------------------------------------------------------
    def push(self):
        ext, body = self.next_order()
        t0 = time.perf_counter()
        status, answer = self.http("platform").send("POST", "/api/v1/orders/", body)
        if self.record("push", t0, status, {200, 201}):
            self._created(ext, body["customer"]["mobile"], answer)

    def batch(self):
        items = [self.next_order() for _ in range(self.batch_size)]
        t0 = time.perf_counter()
        status, answer = self.http("platform").send("POST", "/api/v1/orders/batch/", {"orders": [b for _, b in items]})
        if self.record("batch", t0, status, {200}) and not answer.get("rejected"):
            for (ext, body), result in zip(items, answer["results"], strict=True):
                self._created(ext, body["customer"]["mobile"], result)

    def _pick_order(self, *, unrated: bool) -> str | None:
        with self.lock:
            if unrated:
                return self.unrated.pop(self.rng.randrange(len(self.unrated))) if self.unrated else None
            return self.rng.choice(list(self.orders)) if self.orders else None

    def rating(self):
        ext = self._pick_order(unrated=True)
        if ext is None:
            return self.push()
        t0 = time.perf_counter()
        status, _ = self.http("platform").send("POST", f"/api/v1/orders/{ext}/rating/",
                                               {"score": self.rng.randint(1, 5), "recommend": self.rng.randint(0, 10)})
        if self.record("rating", t0, status, {200, 201}):
            with self.lock:
                self.rated.add(ext)

    def complaint(self):
        ext = self._pick_order(unrated=False)
        if ext is None:
            return self.push()
        body = {"order_external_id": ext, "customer": {"mobile": self.orders[ext]}, "category": self.data["category"],
                "content": "司机绕路，多收了费用", "occurred_at": self.booked.isoformat()}
        t0 = time.perf_counter()
        status, answer = self.http("platform").send("POST", "/api/v1/complaints/", body)
        if self.record("complaint", t0, status, {201}):
            with self.lock:
                self.complaints.append(answer.get("number"))

    def lookup(self):
        ext = self._pick_order(unrated=False)
        if ext is None:
            return self.push()
        t0 = time.perf_counter()
        status, _ = self.http("platform").send("POST", "/api/v1/customers/lookup/", {"mobile": self.orders[ext]})
        self.record("lookup", t0, status, {200})

    def benefits(self):
        with self.lock:
            cid = self.rng.choice(self.customer_ids) if self.customer_ids else None
        if cid is None:
            return self.push()
        t0 = time.perf_counter()
        status, _ = self.http("platform").send("GET", f"/api/v1/customers/{cid}/benefits/")
        self.record("benefits", t0, status, {200})

    def page(self, kind: str):
        d, rng = self.data, self.rng
        path = {
            "page_search": lambda: f"/admin/search/?q={quote(rng.choice(d['names']))}",
            "page_customer": lambda: f"/admin/customers/customer/{rng.choice(d['customer_pks'])}/change/",
            "page_complaint": lambda: f"/admin/complaints/complaint/{rng.choice(d['complaint_pks'])}/change/",
            "page_start": lambda: "/admin/",
            "page_dashboard": lambda: "/dashboard/",
        }[kind]()
        who = "gm" if kind == "page_dashboard" else "supervisor1"
        t0 = time.perf_counter()
        status, _ = self.http(who).send("GET", path)
        self.record(kind, t0, status, {200, 302})

    def run(self, kind: str):
        try:
            self.page(kind) if kind.startswith("page_") else getattr(self, kind)()
        except Exception as exc:  # noqa: BLE001 - a failed request is counted, the day goes on
            with self.lock:
                self.errors[kind].append(repr(exc)[:80])


def warm_up(day: Day, workers: int) -> None:
    """Each kind a few times per web worker (imports, first queries), then the counts start from zero
    (the orders it created stay in the verification)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(workers):
            list(pool.map(day.run, MIX))
    failed = {kind: errors[:3] for kind, errors in day.errors.items() if errors}
    if failed:
        sys.exit(f"warm-up requests failed: {failed}")
    for kind in MIX:
        day.latencies[kind].clear()


def schedule(duration: float, rate: float, rng: random.Random) -> list[tuple[float, str]]:
    """(offset in seconds, kind) of every request of the day: the hourly curve scaled to ``rate`` on average."""
    kinds, weights = list(MIX), list(MIX.values())
    hour_len, mean = duration / 24, sum(DAY) / 24
    plan = []
    for hour, weight in enumerate(DAY):
        n = round(rate * weight / mean * hour_len)
        plan += [(hour * hour_len + rng.random() * hour_len, rng.choices(kinds, weights)[0]) for _ in range(n)]
    return sorted(plan)


def play(day: Day, plan, threads: int) -> tuple[float, int]:
    """Send every request at its time (open loop); returns the wall seconds and how many started late
    by more than 100 ms (the client could not keep up: the figures then understate the load)."""
    late = 0
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for offset, kind in plan:
            wait = start + offset - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.1:
                late += 1
            pool.submit(day.run, kind)
    return time.perf_counter() - start, late


def process_cpu(pid: int) -> float:
    return _proc_cpu(pid) + sum(_proc_cpu(c) for c in _children(pid))


def report(day: Day, seconds: float, cpu: dict) -> list[str]:
    missed = []
    print(f"\n{'kind':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}  target p95")
    for kind, values in day.latencies.items():
        if not values:
            continue
        p50, p95, p99 = (pct(values, p) * 1000 for p in (50, 95, 99))
        target = TARGETS_MS.get(kind)
        print(f"{kind:<16}{len(values):>9}{len(values) / seconds:>8.1f}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
              f"{len(day.errors[kind]):>8}  {f'< {target}' if target else ''}")
        if day.errors[kind]:
            print(f"    errors: {day.errors[kind][:5]}")
            missed.append(f"{kind} errors")
        if target and p95 >= target:
            missed.append(f"{kind} p95")
    total = sum(len(v) for v in day.latencies.values())
    print_figure("\nrequests in all", total, "")
    print_figure("requests/s over the day", total / seconds, "/s")
    for part in ("web", "worker", "postgresql"):
        print_figure(f"CPU per request: {part}", cpu[part] / max(total, 1) * 1000, "ms")
    print_figure("machine load average at the end", os.getloadavg()[0], "", "(2 cores)")
    return missed


def main() -> int:
    args = parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL=redis://127.0.0.1:6379/<a database number of your own> (broker and rate limits)")
    data = prepare(args)
    port, web, worker = start_processes(data["url"], args.workers)
    try:
        data["sessions"] = {who: staff_login(port, who, "bench-pass-16") for who in ("gm", "supervisor1")}
        day = Day(port, data, args.seed, args.batch_size)
        warm_up(day, args.workers)
        plan = schedule(args.duration, args.rate, random.Random(args.seed))
        print(f"{len(plan)} requests over {args.duration:.0f} s (≈ {args.rate:g}/s on average, peak "
              f"{args.rate * max(DAY) / (sum(DAY) / 24):.0f}/s); gunicorn {args.workers} workers, 1 Celery worker")
        w0 = process_cpu(worker.pid)
        with CpuMeter(web.pid, args.db) as meter:
            seconds, late = play(day, plan, args.threads)
        cpu = {"web": meter.app, "postgresql": meter.db, "worker": process_cpu(worker.pid) - w0}
        missed = report(day, seconds, cpu)
        print_figure("requests started > 100 ms late (client saturated)", late, "")
        from mixed_verify import verify

        missed += verify(day, data["platform"], args.drain_timeout)
    finally:
        for proc in (web, worker):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    print("command:", " ".join(["REDIS_URL=" + os.environ["REDIS_URL"], ".venv/bin/python", *sys.argv]))
    print("RESULT: targets met, counts exact" if not missed else f"TARGETS MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
