"""Benchmark: order ingestion through the real HTTP API (gunicorn, 4 sync workers, loopback).

    python bench/api_ingest.py                          # 20 batches of 500, 1,600 single POSTs
    python bench/api_ingest.py --batches 10 --single 800 --clients 16
    python bench/api_ingest.py --preload-customers 200000 --preload-orders 1000000   # a full-size company

Creates a dedicated PostgreSQL database (``--db``, default crm_bench_api, on the server of
BENCH_DATABASE_URL or DATABASE_URL), migrates it, creates a platform and key, starts gunicorn with 4
sync workers (``--workers``; the Procfile's default, two per core on this 2-core machine; 2 workers
measured the same, see README) on a random high loopback port, then measures:

1. batch ingestion: ``POST /api/v1/orders/batch/`` with batches of 500 *new* orders (each with a new
   customer: the heaviest case), from ``--batch-clients`` (4) client threads; orders/s. Target ≥ 2,000 orders/s.
   Then the same number of rows written by a bare ``INSERT … ON CONFLICT DO NOTHING`` in batches of
   500 from this process (no HTTP, no validation, no customers): orders/s and the ratio.
2. single orders: ``POST /api/v1/orders/`` from 16 concurrent clients (keep-alive connections), new
   orders of existing customers; p50 / p95 latency and requests/s. Target p95 < 100 ms.

``--preload-customers N --preload-orders M`` first fills the database with ``seed_demo --scale`` (other
platforms' customers and orders), so look-ups and unique indexes work at a real company's size.
Each run also prints a machine reference (a fixed pure-Python workload, and the bare insert's rate)
so runs on differently loaded machines can be compared.

Rate limits are raised for the run (API_THROTTLE_*), Redis is used for throttling and Celery when
REDIS_URL is set (``--redis``), else the embedded defaults. Prints every figure; exits 1 when a target
is missed.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402
from _common import ROOT, bench_database_url, create_database, print_figure, setup_django  # noqa: E402

PICKUP = "上海市黄浦区南京东路300号和平饭店"
DROPOFF = "上海市徐汇区漕溪北路88号圣爱大厦12楼"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def order(ext: str, mobile: str, booked: dt.datetime) -> dict:
    return {
        "external_id": ext,
        "customer": {"mobile": mobile, "name": "张伟", "external_id": f"u-{mobile}"},
        "driver": {"employee_no": f"D{int(mobile[-3:]) % 200:04d}", "name": "李强"},
        "status": "completed",
        "booked_at": booked.isoformat(),
        "started_at": (booked + dt.timedelta(minutes=8)).isoformat(),
        "finished_at": (booked + dt.timedelta(minutes=45)).isoformat(),
        "pickup": {"address": PICKUP, "lat": 31.2304, "lng": 121.4737},
        "dropoff": {"address": DROPOFF},
        "distance_km": "12.3",
        "fee": "98.00",
        "rating": {"score": 5, "recommend": 9},
    }


class Client:
    def __init__(self, port: int, key: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}

    def post(self, path: str, body) -> tuple[int, bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.conn.request("POST", path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def wait_ready(port: int, proc, timeout=60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not start")


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


class CpuMeter:
    """CPU seconds spent by the gunicorn workers and by this database's PostgreSQL backends during a
    phase: unlike wall time, it barely depends on what else the machine is running."""

    def __init__(self, server_pid: int, dbname: str):
        self.server_pid, self.dbname = server_pid, dbname

    def _pids(self):
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
            backends = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                   [self.dbname])]
        return _children(self.server_pid), backends

    def __enter__(self):
        self.app_pids, self.db_pids = self._pids()
        self.app0 = sum(_proc_cpu(p) for p in self.app_pids)
        self.db0 = {p: _proc_cpu(p) for p in self.db_pids}
        return self

    def __exit__(self, *exc):
        app_pids, db_pids = self._pids()
        self.app = sum(_proc_cpu(p) for p in app_pids) - self.app0
        self.db = sum(_proc_cpu(p) - self.db0.get(p, 0.0) for p in db_pids)


def machine_reference_ms() -> float:
    """Milliseconds for a fixed pure-Python workload (JSON round trips and hashing of an order), the
    best of 5: how fast this machine's CPU is right now, to compare runs taken at different times."""
    import hashlib

    body = order("REF", "13800138000", dt.datetime(2026, 10, 15, 21, 5, tzinfo=dt.UTC))
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(2000):
            hashlib.sha256(json.dumps(json.loads(json.dumps(body))).encode()).hexdigest()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def pct(values, p) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="crm_bench_api")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--single", type=int, default=1600, help="single-order requests in total")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--batch-clients", type=int, default=4, help="concurrent batch senders")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (Procfile: 4)")
    parser.add_argument("--preload-customers", type=int, default=0,
                        help="customers loaded by seed_demo --scale before measuring (0: an empty company)")
    parser.add_argument("--preload-orders", type=int, default=0, help="orders loaded with them")
    parser.add_argument("--fast-paths", choices=("on", "off"), default="on",
                        help="API_FAST_PATHS of the server: customers/api/fast.py on, or DRF's serializers alone "
                             "(run on, off, on, off for an A/B: bench/README.md)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure against the data already in --db (e.g. another benchmark's 10x load)")
    parser.add_argument("--mobile-offset", type=int, default=None,
                        help="first index of the run's new customers' mobiles (default: past the preload)")
    return parser.parse_args()


def prepare_database(args) -> tuple[str, bool]:
    """The bench database's URL, created afresh unless ``--reuse`` finds it."""
    url = bench_database_url(args.db)
    reuse = args.reuse and common.database_exists(url)
    if not reuse:
        create_database(url)
    return url, reuse


def main() -> int:
    args = parse_args()

    url, reuse = prepare_database(args)
    os.environ.update({
        "API_THROTTLE_PLATFORM": "1000000/min", "API_THROTTLE_PLATFORM_BATCH": "1000000/min",
        "CONN_MAX_AGE": "300", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
        "API_FAST_PATHS": "1" if args.fast_paths == "on" else "0",
    })
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from customers import demo
    from customers.models import Customer, Order, Platform
    from customers.services.platforms import platform_create

    call_command("migrate", verbosity=0)
    if args.preload_customers and not reuse:
        t0 = time.perf_counter()
        call_command("seed_demo", "--scale", "--customers", str(args.preload_customers),
                     "--orders", str(args.preload_orders), verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print_figure("preload (seed_demo --scale, VACUUM ANALYZE)", time.perf_counter() - t0, "s")
    print_figure("customers before the run", Customer.objects.count(), "")
    print_figure("orders before the run", Order.objects.count(), "")
    print_figure("machine reference: fixed Python workload", machine_reference_ms(), "ms")
    run_tag = f"{int(time.time()) % 100000}" if reuse else ""
    platform, key = platform_create(name=f"Bench platform {run_tag}".strip(), code=f"bench{run_tag}")
    bare_platform = Platform.objects.create(name=f"Bare insert {run_tag}".strip(), code=f"bare{run_tag}")
    # New customers' mobiles start past every customer already loaded (seed_demo uses indexes 0…N).
    offset = args.mobile_offset if args.mobile_offset is not None else max(1_000_000, 2 * Customer.objects.count())
    print(f"fast paths (API_FAST_PATHS): {args.fast_paths}")
    print(f"database: {args.db} (PostgreSQL {connection.cursor().connection.info.server_version}); "
          f"redis: {os.environ.get('REDIS_URL') or 'none (embedded broker)'}")

    port = free_port()
    # No collectstatic for a bench: WhiteNoise's "No directory at staticfiles/" warning is noise here.
    env = {**os.environ, "DATABASE_URL": url, "PYTHONWARNINGS": "ignore:No directory at:UserWarning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    results = {}
    failed = []
    try:
        wait_ready(port, proc)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}")
        booked = dt.datetime(2026, 10, 15, 21, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        # --- 1. batches of new orders, each with a new customer ----------------------------------
        batches = []
        n = 0
        for _batch in range(args.batches):
            items = []
            for _ in range(args.batch_size):
                n += 1
                items.append(order(f"B{n:09d}", demo.mobile_from_index(offset + n), booked))
            batches.append(json.dumps({"orders": items}).encode())  # encoded before the clock starts
        warm = [order(f"W{i:06d}", demo.mobile_from_index(offset - 100 - i), booked) for i in range(20)]
        Client(port, key).post("/api/v1/orders/batch/", {"orders": warm})  # warm both workers' imports
        Client(port, key).post("/api/v1/orders/batch/", {"orders": warm})
        lock = threading.Lock()
        queue = list(batches)
        statuses = []

        def batch_worker():
            client = Client(port, key)
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                status, raw = client.post("/api/v1/orders/batch/", body)
                data = json.loads(raw)
                with lock:
                    statuses.append((status, data.get("created"), data.get("rejected")))

        start = time.perf_counter()
        with CpuMeter(proc.pid, args.db) as batch_cpu:
            threads = [threading.Thread(target=batch_worker) for _ in range(args.batch_clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        batch_seconds = time.perf_counter() - start
        created = sum(s[1] or 0 for s in statuses)
        assert all(s[0] == 200 and s[2] == 0 for s in statuses), statuses[:3]
        assert created == args.batches * args.batch_size, created
        assert Order.objects.filter(platform=platform, external_id__startswith="B").count() == created
        results["batch"] = created / batch_seconds
        print_figure("batch: new orders ingested", created, "")
        print_figure("batch: seconds", batch_seconds, "s")
        print_figure("batch: orders/s (HTTP, batches of 500)", results["batch"], "/s", "≥ 2000")
        per_order = (batch_cpu.app + batch_cpu.db) / created
        print_figure("batch: app CPU per order", batch_cpu.app / created * 1000, "ms")
        print_figure("batch: PostgreSQL CPU per order", batch_cpu.db / created * 1000, "ms")
        print_figure("batch: orders/s on 2 idle cores (from CPU)", 2 / per_order, "/s")
        load = os.getloadavg()[0]
        print_figure("machine load average during the run", load, "", "(2 cores; > 2 means contended)")

        # --- bare INSERT … ON CONFLICT of the same rows --------------------------------------------
        customer = Customer.objects.filter(source_platform=platform).first()
        cols = ("platform_id", "external_id", "customer_id", "status", "booked_at", "started_at", "finished_at",
                "pickup_address", "pickup_lat", "pickup_lng", "dropoff_address", "distance_km", "fee",
                "created_at", "updated_at")
        row_sql = "(" + ", ".join(["%s"] * len(cols)) + ")"
        now = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for b in range(args.batches):
                params = []
                for i in range(args.batch_size):
                    params += [bare_platform.pk, f"B{b * args.batch_size + i + 1:09d}", customer.pk, "completed",
                               booked, booked + dt.timedelta(minutes=8), booked + dt.timedelta(minutes=45), PICKUP,
                               "31.230400", "121.473700", DROPOFF, "12.30", "98.00", now, now]
                cursor.execute(
                    f"INSERT INTO customers_order ({', '.join(cols)}) VALUES "
                    f"{', '.join([row_sql] * args.batch_size)} ON CONFLICT (platform_id, external_id) DO NOTHING",
                    params,
                )
        bare_seconds = time.perf_counter() - start
        results["bare"] = created / bare_seconds
        print_figure("bare INSERT … ON CONFLICT: orders/s", results["bare"], "/s")
        print_figure("ratio bare / API", results["bare"] / results["batch"], "×")
        if results["batch"] < 2000:
            failed.append("batch orders/s")

        # --- 2. single orders from 16 concurrent clients --------------------------------------------
        # Statistics for the 10,000 new rows, as autovacuum would have gathered them on a running server
        # (some machines run PostgreSQL with autovacuum off; without statistics plans degrade).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        mobiles = list(Customer.objects.filter(source_platform=platform).values_list("mobile", flat=True)[:2000])
        per_client = args.single // args.clients
        latencies = []
        bad = []

        # Bodies are encoded before the clock starts: the clients share the 2 cores with the server.
        single_bodies = [[json.dumps(order(f"S{c:02d}-{i:06d}", mobiles[(c * per_client + i) % len(mobiles)],
                                           booked)).encode() for i in range(per_client)] for c in range(args.clients)]

        def single_worker(c):
            client = Client(port, key)
            mine = []
            for body in single_bodies[c]:
                t0 = time.perf_counter()
                status, _raw = client.post("/api/v1/orders/", body)
                mine.append(time.perf_counter() - t0)
                if status != 201:
                    bad.append(status)
            with lock:
                latencies.extend(mine)

        # warm-up: a few requests per worker before timing
        for i in range(10):
            Client(port, key).post("/api/v1/orders/", order(f"SW{i}", mobiles[i], booked))
        start = time.perf_counter()
        with CpuMeter(proc.pid, args.db) as single_cpu:
            threads = [threading.Thread(target=single_worker, args=(c,)) for c in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        single_seconds = time.perf_counter() - start
        assert not bad, bad[:5]
        p50, p95 = pct(latencies, 50) * 1000, pct(latencies, 95) * 1000
        print_figure(f"single: requests ({args.clients} concurrent clients)", len(latencies), "")
        print_figure("single: p50 latency", p50, "ms")
        print_figure("single: p95 latency", p95, "ms", "< 100")
        print_figure("single: p99 latency", pct(latencies, 99) * 1000, "ms")
        print_figure("single: mean latency", statistics.mean(latencies) * 1000, "ms")
        print_figure("single: requests/s", len(latencies) / single_seconds, "/s")
        per_request = (single_cpu.app + single_cpu.db) / len(latencies)
        print_figure("single: app CPU per request", single_cpu.app / len(latencies) * 1000, "ms")
        print_figure("single: PostgreSQL CPU per request", single_cpu.db / len(latencies) * 1000, "ms")
        print_figure("single: requests/s on 2 idle cores (from CPU)", 2 / per_request, "/s")
        print_figure("machine load average during the run", os.getloadavg()[0], "", "(2 cores)")
        if p95 >= 100:
            failed.append("single p95")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("RESULT: targets met" if not failed else f"TARGETS MISSED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
