"""Regenerate the screenshots in docs/screenshots/ (``make screenshots``).

Starts the system on a fresh SQLite database in a temporary folder (nothing of the developer's
database, .env secrets or broker is used or touched), seeds a small demo company
(``manage.py seed_demo --customers N``), serves it with ``runserver`` on a free loopback port, and
with Playwright + Debian's Chromium (``/usr/bin/chromium``) logs in as each role and saves:

    role-<username>.png       each role's start page (the workbench at /admin/)
    customer.png              the customer page of a customer with orders, a tier and a complaint
    complaint.png             a complaint's page (workflow panel, timeline, remedies)
    dashboard.png             the service-quality dashboard (general manager)
    public-complaint-phone.png  the public complaint form on a phone-sized screen

Images are ~1280 px wide, reduced to a 256-colour palette and PNG-optimised with Pillow.
Run with ``--keep`` to leave the temporary folder (database, server log) for a look.
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Screenshots-2026"
WIDTH, HEIGHT = 1280, 860
# (username, what the role is): one start page each.
ROLES = [
    ("agent1", "CS agent"),
    ("aftersales1", "after-sales agent"),
    ("supervisor1", "CS supervisor"),
    ("ops1", "operations manager"),
    ("analyst1", "data analyst"),
    ("gm", "general manager"),
]
# Which records to show, chosen in the seeded database (printed as JSON by `manage.py shell`).
PICK_RECORDS = """
import json
from complaints.models import Complaint
from customers.models import Customer
from django.db.models import Count
owned = Customer.objects.filter(owner__username="agent1", status="active")
customer = (owned.annotate(n=Count("complaints"), o=Count("orders")).filter(n__gt=0).order_by("-o").first()
            or owned.annotate(o=Count("orders")).order_by("-o").first())
open_ = Complaint.objects.filter(status__in=["investigating", "resolution_proposed", "awaiting_customer"])
complaint = (open_.annotate(t=Count("timeline", distinct=True), r=Count("remedies", distinct=True))
             .order_by("-r", "-t", "-id").first() or Complaint.objects.order_by("-id").first())
print(json.dumps({"customer": str(customer.pk), "complaint": complaint.pk}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300, help="demo customers to seed (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    if not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():
        sys.exit("needs a Chinese font, or the pages show boxes: apt-get install fonts-noto-cjk")
    tmp = Path(tempfile.mkdtemp(prefix="crm-screenshots-"))
    env = _environment(tmp)
    server = None
    try:
        subprocess.run([PYTHON, "devtools/compile_messages.py"], cwd=ROOT, check=True)  # as `make run` does
        _manage(env, "prepare_run")
        print("seeding the demo company …", flush=True)
        _manage(env, "seed_demo", "--customers", str(args.customers), "--password", PASSWORD)
        records = json.loads(_manage(env, "shell", "-c", PICK_RECORDS, capture=True).strip().splitlines()[-1])
        port = _free_port()
        server = _serve(env, port, tmp / "server.log")
        OUT.mkdir(parents=True, exist_ok=True)
        _shoot(f"http://127.0.0.1:{port}", records)
        for png in sorted(OUT.glob("*.png")):
            _optimise(png)
            print(f"  {png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _environment(tmp: Path) -> dict:
    """Embedded mode in `tmp`: its own SQLite file, broker folder and media; fresh keys."""
    env = dict(os.environ)
    env.update(
        DEBUG="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        REDIS_URL="",
        CELERY_BROKER_URL="filesystem://",
        BROKER_DIR_OVERRIDE=str(tmp / "broker"),
        MEDIA_ROOT=str(tmp / "media"),
        IMPORT_TMP_DIR=str(tmp / "import-tmp"),
        BACKUP_DIR=str(tmp / "backups"),
        ADMIN_PASSWORD=PASSWORD,
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    return env


def _manage(env: dict, *command: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout or ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server stopped: see {log}")
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"the server did not answer within 60 s: see {log}")


def _shoot(base: str, records: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--headless", "--disable-gpu", "--lang=zh-CN"])
        try:
            for username, _what in ROLES:
                page = _login(browser, base, username)
                _save(page, f"role-{username}")
                if username == "agent1":
                    page.goto(f"{base}/admin/customers/customer/{records['customer']}/change/")
                    _save(page, "customer", full_page=True)
                if username == "supervisor1":
                    page.goto(f"{base}/admin/complaints/complaint/{records['complaint']}/change/")
                    _save(page, "complaint", full_page=True)
                if username == "gm":
                    page.goto(f"{base}/dashboard/?month={_previous_month()}")  # a whole month
                    page.wait_for_function("document.querySelectorAll('canvas').length > 0")
                    page.wait_for_timeout(1500)  # Chart.js animates its first drawing
                    _save(page, "dashboard", full_page=True)
                page.context.close()
            phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True, locale="zh-CN")
            page = phone.new_page()
            page.goto(f"{base}/public/complaints/new/")
            _save(page, "public-complaint-phone", full_page=True)
            phone.close()
        finally:
            browser.close()


def _previous_month() -> str:
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


MAX_HEIGHT = 2400  # px of a full-page shot; longer pages are cut (the top is what a reader needs)


def _save(page, name: str, *, full_page: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    if full_page:
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    else:
        page.screenshot(path=str(path))


def _optimise(path: Path) -> None:
    """Down to ~1280 px wide, a 256-colour palette and zlib's best: a tenth of the raw size."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.width > WIDTH:
            image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS)
        image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        image.save(path, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
