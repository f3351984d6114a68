"""The demo company itself: staff in the six roles and their teams, platforms, drivers (``ensure_company``)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from core.models import StaffProfile, Team
from core.roles import Role, sync_roles
from customers.demo.people import DemoFaker, mobile_from_index
from customers.models import Driver, Platform

STAFF_PLAN = [
    # (username, role, team key, takes customers)
    ("gm", Role.GENERAL_MANAGER, None, False),
    ("ops1", Role.OPERATIONS_MANAGER, None, False),
    ("ops2", Role.OPERATIONS_MANAGER, None, False),
    ("supervisor1", Role.CS_SUPERVISOR, "cs1", True),
    ("supervisor2", Role.CS_SUPERVISOR, "cs2", True),
    ("supervisor3", Role.CS_SUPERVISOR, "after", False),
    *[(f"agent{i}", Role.CS_AGENT, "cs1" if i % 2 else "cs2", True) for i in range(1, 10)],
    *[(f"aftersales{i}", Role.AFTER_SALES, "after", False) for i in range(1, 4)],
    ("analyst1", Role.DATA_ANALYST, None, False),
    ("analyst2", Role.DATA_ANALYST, None, False),
]


SERVICE_TEAMS = {"cs1": "客服一组", "cs2": "客服二组", "after": "售后组"}


SUPERVISOR_OF = {"cs1": "supervisor1", "cs2": "supervisor2", "after": "supervisor3"}


PLATFORMS = [
    # (code, name, kind, share of orders)
    ("own-app", "安心代驾App", "own_app", 0.45),
    ("kuaijie", "快捷出行平台", "third_party", 0.35),
    ("antu", "安途代驾平台", "third_party", 0.20),
]


@dataclass
class Company:
    staff: dict[str, object] = field(default_factory=dict)  # username → User
    owners: list = field(default_factory=list)  # staff who take customers
    agents: list = field(default_factory=list)  # who log calls and callbacks
    platforms: list = field(default_factory=list)
    platform_shares: list = field(default_factory=list)
    drivers: list = field(default_factory=list)
    password: str = ""


def ensure_company(*, rng: random.Random, drivers: int = 100, password: str | None = None) -> Company:
    """Staff (one shared demo password), teams, platforms and drivers; existing rows are reused."""
    fake = DemoFaker(rng)
    sync_roles()

    groups = {g.name: g for g in Group.objects.all()}
    User = get_user_model()
    company = Company(password=password or secrets.token_urlsafe(9))
    hashed = make_password(company.password)  # hashed once: 20 hashes would take seconds
    teams = {key: Team.objects.get_or_create(name=name, defaults={"kind": Team.Kind.SERVICE})[0]
             for key, name in SERVICE_TEAMS.items()}
    for n, (username, role, team_key, takes) in enumerate(STAFF_PLAN, start=1):
        female = rng.random() < 0.6
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"last_name": fake.surname(), "first_name": fake.given_name(female), "is_staff": True,
                      "email": f"{username}@demo.anxin-daijia.cn"},
        )
        user.password = hashed
        user.is_staff = True
        user.save(update_fields=["password", "is_staff"])
        user.groups.add(groups[role])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={"team": teams.get(team_key), "takes_customers": takes, "employee_no": f"S{n:04d}",
                      "phone": mobile_from_index(9_000_000 + n)},
        )
        company.staff[username] = user
        if takes:
            company.owners.append(user)
        if role in (Role.CS_AGENT, Role.CS_SUPERVISOR, Role.AFTER_SALES):
            company.agents.append(user)
    for key, username in SUPERVISOR_OF.items():
        Team.objects.filter(pk=teams[key].pk).update(supervisor=company.staff[username])

    for code, name, kind, share in PLATFORMS:
        platform, _created = Platform.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        company.platforms.append(platform)
        company.platform_shares.append(share)

    driver_teams = [Team.objects.get_or_create(name=f"代驾{n}队", defaults={"kind": Team.Kind.DRIVERS})[0]
                    for n in "一二三四五"]
    existing = set(Driver.objects.values_list("employee_no", flat=True))
    today = timezone.localdate()
    new = []
    for i in range(1, drivers + 1):
        employee_no = f"D{i:04d}"
        roll = rng.random()
        status = Driver.Status.ACTIVE if roll < 0.9 else Driver.Status.SUSPENDED if roll < 0.93 else Driver.Status.LEFT
        driver = Driver(employee_no=employee_no, name=fake.full_name(female=rng.random() < 0.12),
                        mobile=mobile_from_index(8_500_000 + i), team=driver_teams[i % len(driver_teams)],
                        status=status, joined_on=today - dt.timedelta(days=rng.randrange(30, 2000)))
        if employee_no not in existing:
            new.append(driver)
    Driver.objects.bulk_create(new, batch_size=500)
    company.drivers = list(Driver.objects.filter(employee_no__startswith="D").order_by("employee_no"))
    return company
