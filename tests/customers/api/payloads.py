"""Order payloads as platforms send them (valid unless a test changes them)."""

import datetime as dt
import itertools

from django.utils import timezone

from customers import demo

_n = itertools.count(1)
PICKUP = "上海市黄浦区南京东路300号和平饭店"
DROPOFF = "上海市徐汇区漕溪北路88号圣爱大厦12楼"


def new_mobile() -> str:
    return demo.mobile_from_index(5_000_000 + next(_n))


def order_payload(*, status="completed", mobile=None, name="张伟", external_id=None, **overrides) -> dict:
    booked = timezone.localtime() - dt.timedelta(hours=3)
    body = {
        "external_id": external_id or f"DD{next(_n):08d}",
        "customer": {"mobile": mobile or new_mobile(), "name": name, "external_id": f"u{next(_n)}"},
        "driver": {"employee_no": "D0042", "name": "李强"},
        "status": status,
        "booked_at": booked.isoformat(),
        "pickup": {"address": PICKUP, "lat": 31.2304, "lng": 121.4737},
        "dropoff": {"address": DROPOFF},
        "distance_km": "12.3",
        "fee": "98.00",
    }
    if status == "completed":
        body["started_at"] = (booked + dt.timedelta(minutes=10)).isoformat()
        body["finished_at"] = (booked + dt.timedelta(minutes=50)).isoformat()
    body.update(overrides)
    return body
