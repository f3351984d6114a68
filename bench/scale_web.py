"""Ingestion throughput with one vs two web containers (issue 16, "Past one machine").

    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/scale_web.py            # 2 rounds, 1 worker each
    REDIS_URL=… .venv/bin/python bench/scale_web.py --rounds 3 --batches 40 --workers-per-web 2

Each arm starts ``--webs`` gunicorn servers (1, then 2: what docker-compose.scale.yml's `web` and `web2`
are) of ``--workers-per-web`` sync workers each on loopback, against one fresh PostgreSQL database and
Redis, and sends ``--batches`` batches of ``--batch-size`` new orders (each with a new customer) from
``--clients`` client threads spread round-robin over the servers, as the load balancer does. Arms are
interleaved (1, 2, 1, 2, …) so that a change of the machine's load hits both. Prints orders/s, the CPU
of the web processes and of PostgreSQL per order, and the ratio two / one. No target: on a 2-core machine
two web processes can at best use the second core; what counts is that the second container adds
throughput and costs no more CPU per order.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, bench_database_url, create_database, print_figure, setup_django  # noqa: E402
from api_ingest import Client, CpuMeter, free_port, order, wait_ready  # noqa: E402


def start_webs(n: int, workers: int, url: str) -> list[tuple[int, subprocess.Popen]]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONWARNINGS": "ignore:No directory at:UserWarning"}
    servers = []
    for _ in range(n):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                 f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
                                cwd=ROOT, env=env)
        servers.append((port, proc))
    for port, proc in servers:
        wait_ready(port, proc)
    return servers


def stop(servers) -> None:
    for _port, proc in servers:
        proc.terminate()
    for _port, proc in servers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def bodies(tag: str, batches: int, size: int) -> list[bytes]:
    from customers import demo

    booked = dt.datetime(2026, 10, 15, 21, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out, n = [], 0
    base = 2_000_000 + hash(tag) % 1000 * 10_000
    for _ in range(batches):
        items = []
        for _ in range(size):
            n += 1
            items.append(order(f"{tag}-{n:07d}", demo.mobile_from_index(base + n), booked))
        out.append(json.dumps({"orders": items}).encode())
    return out


def send_all(servers, key: str, batches: list[bytes], clients: int) -> tuple[float, int]:
    """Every batch sent by ``clients`` threads, thread i on server i mod n; (seconds, orders created)."""
    queue, lock, created = list(batches), threading.Lock(), []

    def client(i: int):
        conn = Client(servers[i % len(servers)][0], key)
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            status, raw = conn.post("/api/v1/orders/batch/", body)
            answer = json.loads(raw)
            assert status == 200 and not answer.get("rejected"), (status, raw[:200])
            with lock:
                created.append(answer["created"])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, sum(created)


class MultiCpu:
    """CpuMeter over several gunicorn servers (one meter each; PostgreSQL's backends counted once)."""

    def __init__(self, servers, dbname: str):
        self.meters = [CpuMeter(proc.pid, dbname) for _port, proc in servers]

    def __enter__(self):
        for m in self.meters:
            m.__enter__()
        return self

    def __exit__(self, *exc):
        for m in self.meters:
            m.__exit__(*exc)
        self.app = sum(m.app for m in self.meters)
        self.db = self.meters[0].db


def run_arm(webs: int, args, url: str, key: str, tag: str) -> dict:
    servers = start_webs(webs, args.workers_per_web, url)
    try:
        for port, _proc in servers:  # warm each server's imports
            Client(port, key).post("/api/v1/orders/batch/", bodies(f"w{tag}{port}", 1, 20)[0])
        payload = bodies(tag, args.batches, args.batch_size)
        with MultiCpu(servers, args.db) as cpu:
            seconds, created = send_all(servers, key, payload, args.clients)
    finally:
        stop(servers)
    assert created == args.batches * args.batch_size, created
    return {"rate": created / seconds, "app_ms": cpu.app / created * 1000, "db_ms": cpu.db / created * 1000,
            "load": os.getloadavg()[0]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="crm_bench_scale_web")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--workers-per-web", type=int, default=1, help="gunicorn sync workers in each web container")
    args = p.parse_args()
    url = bench_database_url(args.db)
    create_database(url)
    os.environ.update({"API_THROTTLE_PLATFORM": "1000000/min", "API_THROTTLE_PLATFORM_BATCH": "1000000/min",
                       "CONN_MAX_AGE": "300", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"})
    setup_django(url)
    from django.core.management import call_command

    from customers.services.platforms import platform_create

    call_command("migrate", verbosity=0)
    _platform, key = platform_create(name="Scale bench", code="scale")
    results: dict[int, list[dict]] = {1: [], 2: []}
    for r in range(args.rounds):
        for webs in (1, 2):
            res = run_arm(webs, args, url, key, f"r{r}w{webs}")
            results[webs].append(res)
            print(f"round {r + 1}, {webs} web × {args.workers_per_web} worker(s): {res['rate']:,.0f} orders/s, "
                  f"CPU/order app {res['app_ms']:.3f} ms, PostgreSQL {res['db_ms']:.3f} ms, load {res['load']:.1f}",
                  flush=True)
    keys = ("rate", "app_ms", "db_ms")
    med = {w: {k: statistics.median(r[k] for r in rs) for k in keys} for w, rs in results.items()}
    for webs in (1, 2):
        print_figure(f"{webs} web: orders/s (median)", med[webs]["rate"], "/s")
        print_figure(f"{webs} web: app + PostgreSQL CPU per order", med[webs]["app_ms"] + med[webs]["db_ms"], "ms")
    print_figure("two / one web: throughput", med[2]["rate"] / med[1]["rate"], "×")
    print("command:", " ".join(["REDIS_URL=" + os.environ.get("REDIS_URL", ""), ".venv/bin/python", *sys.argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
