"""Demo data for the customers app: a believable designated-driver company in Shanghai.

``seed(rng=..., stdout=...)`` creates staff in the six roles, teams, drivers, platforms, customers
with places, 14 months of orders with reviews, contact logs and callbacks, then runs the real
dormancy sweep. ``seed_scale(...)`` bulk-loads large volumes for benchmarks (COPY on PostgreSQL).
Everything is drawn from the ``random.Random`` passed in, so a seed gives the same company.
``manage.py seed_demo`` is the door; other apps add their data from their own ``<app>/demo.py``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import secrets
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from core.models import StaffProfile, Team
from core.roles import Role, sync_roles
from customers.models import (
    ContactLog,
    Customer,
    Driver,
    Order,
    OwnershipChange,
    Place,
    Platform,
    PlatformAccount,
    Review,
    ServiceNeed,
    Tag,
)
from customers.services import customer_refresh_order_dates, customer_set_id_number, dormancy_sweep
from customers.validators import id_number_check_digit, normalise_mobile, validate_address, validate_full_name

# --- names, mobiles, addresses ---------------------------------------------------------------
# Surnames roughly by frequency (the first ones are drawn most often), then a few compound ones.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐"]
GIVEN_MALE = (
    "伟 强 磊 军 洋 勇 杰 涛 明 超 斌 鹏 辉 刚 健 峰 宁 凯 浩 亮 建华 建国 志强 俊杰 浩然 子轩 宇航 文博 晓东 "
    "海涛 国栋 永刚 志明 家豪 天佑 博文 思远 振宇 立新 伟民 德华 嘉诚 明辉 耀华 子豪 一鸣 梓睿 承泽 "
).split()
GIVEN_FEMALE = (
    "芳 娜 敏 静 丽 艳 娟 霞 玲 婷 雪 慧 颖 琳 晶 倩 洁 蕾 佳怡 欣怡 梓涵 诗涵 雨婷 晓燕 丽娟 秀英 桂英 美玲 "
    "思琪 婉婷 雅静 梦瑶 可馨 若曦 晨曦 淑华 佳琪 雨桐 紫萱 心怡 海燕 春梅 文静 丹丹 "
).split()

# Mobile prefixes issued to subscribers (China Mobile, Unicom, Telecom), all accepted by normalise_mobile.
MOBILE_PREFIXES = (
    "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198 "
    "130 131 132 155 156 166 175 176 185 186 133 153 173 177 180 181 189 191 199"
).split()

# Shanghai districts and roads, with a point near each road (WGS-84, approximate).
ROADS = [
    ("浦东新区", "世纪大道", 31.2304, 121.5173), ("浦东新区", "张杨路", 31.2297, 121.5260),
    ("浦东新区", "陆家嘴环路", 31.2397, 121.5012), ("浦东新区", "东方路", 31.2250, 121.5270),
    ("浦东新区", "锦绣路", 31.2050, 121.5500), ("黄浦区", "南京东路", 31.2380, 121.4810),
    ("黄浦区", "淮海中路", 31.2200, 121.4650), ("黄浦区", "西藏南路", 31.2150, 121.4850),
    ("徐汇区", "漕溪北路", 31.1920, 121.4370), ("徐汇区", "衡山路", 31.2070, 121.4450),
    ("徐汇区", "宜山路", 31.1780, 121.4170), ("静安区", "南京西路", 31.2290, 121.4560),
    ("静安区", "延安中路", 31.2230, 121.4530), ("静安区", "共和新路", 31.2700, 121.4530),
    ("长宁区", "长宁路", 31.2200, 121.4200), ("长宁区", "虹桥路", 31.1990, 121.4110),
    ("长宁区", "仙霞路", 31.2080, 121.3950), ("普陀区", "曹杨路", 31.2400, 121.4200),
    ("普陀区", "真北路", 31.2450, 121.3950), ("虹口区", "四川北路", 31.2600, 121.4850),
    ("虹口区", "曲阳路", 31.2780, 121.4880), ("杨浦区", "四平路", 31.2750, 121.5050),
    ("杨浦区", "国权路", 31.2950, 121.5100), ("闵行区", "七莘路", 31.1420, 121.3600),
    ("闵行区", "虹梅路", 31.1700, 121.3950), ("宝山区", "牡丹江路", 31.4040, 121.4890),
    ("嘉定区", "博乐路", 31.3800, 121.2600), ("松江区", "人民北路", 31.0200, 121.2300),
]
RESIDENCES = ["阳光花园", "锦绣华庭", "滨江苑", "翠湖天地", "世纪公寓", "梅园新村", "春申景城", "古北新城",
              "绿地香树丽舍", "中远两湾城", "万科城市花园", "仁恒河滨城"]
OFFICES = ["金茂大厦", "环球金融中心", "国金中心", "恒隆广场", "汇金大厦", "港汇中心", "来福士广场", "嘉里中心"]
RESTAURANTS = ["老正兴菜馆", "小南国", "德兴馆", "苏浙汇", "新荣记", "鹿港小镇", "外婆家", "海底捞火锅",
               "王宝和酒家", "绿波廊"]
HOTELS = ["和平饭店", "锦江饭店", "希尔顿酒店", "万豪酒店", "香格里拉大酒店", "浦江饭店"]
COMPANY_WORDS = ["浦江", "申通", "华信", "东方", "金桥", "联华", "海纳", "新程", "恒远", "盛世"]
COMPANY_TRADES = ["国际贸易", "科技", "实业", "投资管理", "建设工程", "文化传媒", "物流", "餐饮管理"]
# Shanghai district codes for resident ID numbers (the first six digits).
ID_REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310115"]

TAGS = ["商务宴请", "机场接送", "夜间常客", "价格敏感", "高价值", "企业客户", "长途代驾"]
SERVICE_NEEDS = ["手动挡车辆", "需要儿童座椅", "优先安排女司机", "携带宠物", "豪华车型", "代驾后代泊车"]
GOOD_COMMENTS = ["司机很准时，开车很稳", "服务专业，态度好", "师傅很有礼貌，路线熟悉", "非常满意，下次还叫", ""]
BAD_COMMENTS = ["司机迟到了二十分钟", "开得太快，感觉不安全", "绕路了，费用偏高", "态度一般", "车内有烟味"]


def mobile_from_index(n: int) -> str:
    """A distinct valid mobile for every ``n`` ≥ 0 (deterministic; used for bulk data and factories)."""
    q, r = divmod(n, len(MOBILE_PREFIXES))
    return f"{MOBILE_PREFIXES[r]}{(q * 48271 + 31415926) % 10**8:08d}"


def id_number_for(birthday: dt.date, *, female: bool, rng: random.Random) -> str:
    """A well-formed resident ID number (GB 11643 check digit) for a Shanghai-born person."""
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    first17 = f"{rng.choice(ID_REGIONS)}{birthday:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_digit(first17)


class DemoFaker:
    """Chinese names, mobiles and Shanghai addresses drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._weights = [1.0 / (i + 8) for i in range(len(SURNAMES))]

    def surname(self) -> str:
        if self.rng.random() < 0.02:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choices(SURNAMES, weights=self._weights)[0]

    def given_name(self, female: bool | None = None) -> str:
        female = self.rng.random() < 0.5 if female is None else female
        return self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)

    def full_name(self, female: bool | None = None) -> str:
        return self.surname() + self.given_name(female)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def road(self):
        return self.rng.choice(ROADS)

    def address(self, label: str = "home") -> tuple[str, Decimal, Decimal]:
        """``(address, lat, lng)``: a detailed Shanghai address of the kind of place ``label`` names."""
        rng = self.rng
        district, road, lat, lng = self.road()
        number = rng.randrange(1, 2000)
        if label == "home":
            tail = f"{rng.choice(RESIDENCES)}{rng.randrange(1, 30)}号楼{rng.randrange(1, 33)}0{rng.randrange(1, 6)}室"
        elif label == "office":
            tail = f"{rng.choice(OFFICES)}{rng.randrange(2, 60)}楼"
        elif label == "restaurant":
            tail = rng.choice(RESTAURANTS)
        elif label == "hotel":
            tail = rng.choice(HOTELS)
        else:
            tail = f"{rng.randrange(1, 12)}号门"
        jitter = lambda: Decimal(f"{rng.uniform(-0.01, 0.01):.6f}")  # noqa: E731
        return (f"上海市{district}{road}{number}号{tail}", Decimal(f"{lat:.6f}") + jitter(),
                Decimal(f"{lng:.6f}") + jitter())

    def company(self) -> str:
        return f"上海{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}有限公司"


# --- the company: staff, teams, platforms, drivers -------------------------------------------
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


ORDER_COLUMNS = [
    "platform_id", "external_id", "customer_id", "driver_id", "credited_owner_id", "status", "booked_at", "started_at",
    "finished_at", "pickup_address", "pickup_lat", "pickup_lng", "dropoff_address", "dropoff_lat", "dropoff_lng",
    "distance_km", "fee", "created_at", "updated_at",
]


# --- the customers part of seed_demo ---------------------------------------------------------
@dataclass
class _Profile:
    customer: object
    female: bool
    created: dt.datetime
    active_until: dt.datetime
    rate_per_day: float
    platform_weights: list
    pickups: list = field(default_factory=list)
    home: object = None


def _months_ago(anchor: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(anchor.year * 12 + anchor.month - 1 - months, 12)
    return anchor.replace(year=year, month=month + 1, day=min(anchor.day, 28))


def _night_time(rng: random.Random, day: dt.datetime) -> dt.datetime:
    """A booking time on ``day`` (local midnight): mostly evenings after dinner, some lunches."""
    hour = rng.choices([12, 13, 19, 20, 21, 22, 23, 24, 25, 26], weights=[3, 3, 6, 12, 18, 20, 16, 10, 6, 3])[0]
    return day + dt.timedelta(hours=hour, minutes=rng.randrange(60))


def _fee(rng: random.Random, booked_local: dt.datetime, km: float) -> Decimal:
    hour = booked_local.hour
    # Starting price by time of day (day / evening / late evening / small hours), then per km past 10 km.
    start = 29 if 7 <= hour < 19 else 39 if 19 <= hour < 22 else 59 if hour >= 22 else 79
    fee = start + max(0.0, km - 10) * 4 + (rng.random() < 0.1) * 10  # waiting time, sometimes
    return Decimal(round(fee)).quantize(Decimal("0.01"))


def seed(*, rng: random.Random, stdout=None, customers: int = 2000, drivers: int = 100, months: int = 14,
         password: str | None = None) -> Company:
    """Create the company and its customers with 14 months of history. Expects an empty customers
    table (``seed_demo`` checks). Returns the company (staff, platforms, drivers, shared password)."""
    def say(msg):
        if stdout is not None:
            stdout.write(msg)

    fake = DemoFaker(rng)
    with transaction.atomic():
        company = ensure_company(rng=rng, drivers=drivers, password=password)
        tags = [Tag.objects.get_or_create(name=n)[0] for n in TAGS]
        needs = [ServiceNeed.objects.get_or_create(name=n)[0] for n in SERVICE_NEEDS]
        tz = timezone.get_current_timezone()
        seeded_at = timezone.now()
        anchor = timezone.localtime(seeded_at).replace(hour=0, minute=0, second=0, microsecond=0)
        start = _months_ago(anchor, months)
        encrypt_ids = bool(settings.FIELD_ENCRYPTION_KEYS)

        # Customers ---------------------------------------------------------------------------
        profiles: list[_Profile] = []
        mobiles: set[str] = set()
        ids_seen: set[str] = set()
        sources = [Customer.Source.OWN_APP, Customer.Source.PLATFORM, Customer.Source.HOTLINE,
                   Customer.Source.WEBSITE, Customer.Source.DRIVER, Customer.Source.EVENT]
        for _ in range(customers):
            female = rng.random() < 0.35
            name = fake.full_name(female)
            validate_full_name(name)
            mobile = fake.mobile()
            while mobile in mobiles:
                mobile = fake.mobile()
            mobiles.add(normalise_mobile(mobile))
            kind = rng.choices(["heavy", "regular", "occasional", "churned", "new"], weights=[5, 25, 38, 20, 12])[0]
            if kind == "new":
                created = anchor - dt.timedelta(days=rng.uniform(1, 60))
            elif rng.random() < 0.7:
                created = start - dt.timedelta(days=rng.uniform(0, 500))
            else:
                created = start + (anchor - start) * rng.uniform(0, 0.8)
            active_until = anchor
            if kind == "churned":
                active_until = anchor - dt.timedelta(days=rng.uniform(95, 330))
                created = min(created, active_until - dt.timedelta(days=30))
            rate = {"heavy": rng.uniform(4, 9), "regular": rng.uniform(0.8, 2.5), "occasional": rng.uniform(0.3, 0.8),
                    "churned": rng.uniform(0.5, 2.0), "new": rng.uniform(1, 3)}[kind] / 30.4
            source = rng.choices(sources, weights=[35, 35, 10, 8, 7, 5])[0]
            birthday = None
            if rng.random() < 0.6:
                birthday = (anchor - dt.timedelta(days=rng.uniform(22 * 365, 65 * 365))).date()
            enterprise = rng.random() < 0.06
            consent = rng.random() < 0.6
            customer = Customer(
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                full_name=name, mobile=mobile,
                email=f"{rng.randrange(10**7, 10**10)}@{rng.choice(['qq.com', '163.com', '126.com'])}"
                if rng.random() < 0.3 else "",
                gender=Customer.Gender.FEMALE if female else Customer.Gender.MALE,
                birthday=birthday, birthday_is_lunar=birthday is not None and rng.random() < 0.08,
                customer_type=Customer.Type.ENTERPRISE if enterprise else Customer.Type.INDIVIDUAL,
                company_name=fake.company() if enterprise else "",
                source=source,
                source_platform=rng.choice(company.platforms[1:]) if source == Customer.Source.PLATFORM else None,
                marketing_consent=consent, marketing_consent_at=created if consent else None,
                notes=rng.choice(["", "", "", "习惯走高架", "车是手动挡的奥迪", "常去虹桥机场", "请司机提前电话联系"]),
                created_at=created,
            )
            # Three profiles in four were checked by staff at some point since joining (derived from the
            # public id, so the rest of the demo's random sequence is unchanged).
            spread = customer.public_id.int
            if spread % 4:
                customer.profile_checked_at = created + (anchor - created) * ((spread >> 8) % 1000 / 1000)
            if encrypt_ids and birthday and rng.random() < 0.4:
                number = id_number_for(birthday, female=female, rng=rng)
                if number not in ids_seen:
                    ids_seen.add(number)
                    customer_set_id_number(customer, number)
            if customer.source_platform:
                pw = [0.15 if p != customer.source_platform else 0.85 for p in company.platforms]
            else:
                pw = list(company.platform_shares)
            profiles.append(_Profile(customer, female, created, active_until, rate, pw))
        # Owners: about 45% of customers have an account manager.
        for p in profiles:
            if rng.random() < 0.45:
                p.customer.owner = rng.choice(company.owners)
                p.customer.owner_since = p.created + dt.timedelta(days=rng.uniform(0, 20))
        Customer.objects.bulk_create([p.customer for p in profiles], batch_size=500)
        # auto_now_add overwrote created_at; put back when each customer really joined.
        for p in profiles:
            p.customer.created_at = p.created
        earlier = [p.customer for p in profiles]
        for i, p in enumerate(profiles):
            if i > 20 and rng.random() < 0.08:
                referrer = earlier[rng.randrange(i)]
                if referrer.created_at < p.customer.created_at:
                    p.customer.referred_by = referrer
        # One prepared UPDATE per row (bulk_update's CASE expressions are much slower here).
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {connection.ops.quote_name(Customer._meta.db_table)} "  # noqa: S608
                "SET created_at = %s, referred_by_id = %s WHERE id = %s",
                [(connection.ops.adapt_datetimefield_value(p.customer.created_at), p.customer.referred_by_id,
                  p.customer.pk) for p in profiles],
            )
        Customer.tags.through.objects.bulk_create(
            [Customer.tags.through(customer_id=p.customer.pk, tag_id=t.pk)
             for p in profiles if rng.random() < 0.3 for t in rng.sample(tags, rng.randint(1, 2))],
            batch_size=1000,
        )
        Customer.service_needs.through.objects.bulk_create(
            [Customer.service_needs.through(customer_id=p.customer.pk, serviceneed_id=rng.choice(needs).pk)
             for p in profiles if rng.random() < 0.15],
            batch_size=1000,
        )
        OwnershipChange.objects.bulk_create(
            [OwnershipChange(customer=p.customer, to_owner=p.customer.owner, reason=OwnershipChange.Reason.ASSIGNED)
             for p in profiles if p.customer.owner_id],
            batch_size=1000,
        )
        say(f"customers: {len(profiles)}")

        # Places and platform accounts ---------------------------------------------------------
        places = []
        for p in profiles:
            address, lat, lng = fake.address("home")
            validate_address(address)
            p.home = Place(customer=p.customer, kind=Place.Kind.DROPOFF, label=Place.Label.HOME, address=address,
                           lat=lat, lng=lng)
            places.append(p.home)
            used = {address}
            for label in rng.sample(["office", "restaurant", "restaurant", "hotel"], rng.randint(1, 3)):
                address, lat, lng = fake.address(label)
                if address in used:
                    continue
                used.add(address)
                validate_address(address)
                place = Place(customer=p.customer, kind=Place.Kind.PICKUP, label=label, address=address,
                              lat=lat, lng=lng)
                p.pickups.append(place)
                places.append(place)
        accounts = []
        for p in profiles:
            for platform in company.platforms[1:]:
                if platform == p.customer.source_platform or rng.random() < 0.15:
                    accounts.append(PlatformAccount(platform=platform, customer=p.customer,
                                                    external_user_id=f"{platform.code}-{p.customer.public_id.hex[:12]}"))
        PlatformAccount.objects.bulk_create(accounts, batch_size=1000)

        # Orders and reviews -------------------------------------------------------------------
        active_drivers = [d for d in company.drivers if d.status != d.Status.LEFT] or company.drivers
        orders, review_plans = [], []
        seq = defaultdict(int)
        for p in profiles:
            t = max(p.created, start)
            while p.rate_per_day > 0:
                t = t + dt.timedelta(days=rng.expovariate(p.rate_per_day))
                if t >= p.active_until or t >= anchor:
                    break
                day = t.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
                booked = _night_time(rng, day)
                if booked >= anchor - dt.timedelta(hours=4):  # every trip over before the seed runs
                    break
                platform = rng.choices(company.platforms, weights=p.platform_weights)[0]
                seq[platform.pk] += 1
                status = rng.choices([Order.Status.COMPLETED, Order.Status.CANCELLED, Order.Status.NO_SHOW],
                                     weights=[88, 8, 4])[0]
                pickup = rng.choice(p.pickups) if p.pickups and rng.random() < 0.85 else p.home
                dropoff = p.home if pickup is not p.home else (rng.choice(p.pickups) if p.pickups else p.home)
                km = round(min(60.0, rng.lognormvariate(2.5, 0.5)), 2)
                order = Order(
                    platform=platform, external_id=f"{platform.code[:2].upper()}{booked:%y%m%d}{seq[platform.pk]:07d}",
                    customer=p.customer, driver=rng.choice(active_drivers), credited_owner=p.customer.owner,
                    status=status, booked_at=booked,
                    pickup_address=pickup.address, pickup_lat=pickup.lat, pickup_lng=pickup.lng,
                    dropoff_address=dropoff.address, dropoff_lat=dropoff.lat, dropoff_lng=dropoff.lng,
                    distance_km=Decimal(f"{km:.2f}"), fee=Decimal("0.00"),
                )
                if status == Order.Status.COMPLETED:
                    order.started_at = booked + dt.timedelta(minutes=rng.randrange(8, 30))
                    order.finished_at = order.started_at + dt.timedelta(minutes=int(km * 2.2) + rng.randrange(5, 20))
                    order.fee = _fee(rng, booked.astimezone(tz), km)
                    for place in (pickup, dropoff):
                        place.use_count += 1
                        place.last_used_at = max(place.last_used_at or order.finished_at, order.finished_at)
                    if rng.random() < 0.6:
                        review_plans.append((order, rng.random()))
                orders.append(order)
        Place.objects.bulk_create(places, batch_size=1000)
        # Orders and reviews are the bulk of the data: plain multi-row inserts (bulk_create's
        # per-value preparation costs seconds here), timestamps as they would have been written.
        _copy_rows(Order, ORDER_COLUMNS, (
            (o.platform_id, o.external_id, o.customer_id, o.driver_id, o.credited_owner_id, o.status, o.booked_at,
             o.started_at, o.finished_at, o.pickup_address, o.pickup_lat, o.pickup_lng, o.dropoff_address,
             o.dropoff_lat, o.dropoff_lng, o.distance_km, o.fee, o.booked_at, o.finished_at or o.booked_at)
            for o in orders
        ))
        order_ids = {(platform, external): pk for platform, external, pk in
                     Order.objects.values_list("platform_id", "external_id", "pk")}
        review_rows = []
        for order, roll in review_plans:
            rating = 5 if roll < 0.55 else 4 if roll < 0.83 else 3 if roll < 0.92 else 2 if roll < 0.97 else 1
            recommend = None
            if rng.random() < 0.7:
                low, high = {5: (9, 10), 4: (7, 9), 3: (5, 7), 2: (2, 5), 1: (0, 3)}[rating]
                recommend = rng.randint(low, high)
            comment = rng.choice(GOOD_COMMENTS if rating >= 4 else BAD_COMMENTS) if rng.random() < 0.4 else ""
            source = rng.choices([Review.Source.PLATFORM, Review.Source.CALLBACK, Review.Source.SURVEY],
                                 weights=[80, 15, 5])[0]
            rated_at = min(order.finished_at + dt.timedelta(minutes=rng.randrange(5, 60 * 48)), seeded_at)
            review_rows.append((order_ids[(order.platform_id, order.external_id)], order.customer_id, rating,
                                recommend, comment, str(source), rated_at, rated_at))
        _copy_rows(Review, ["order_id", "customer_id", "rating", "recommend_score", "comment", "source",
                            "created_at", "updated_at"], review_rows)
        reviews = review_rows
        ids = [p.customer.pk for p in profiles]
        for i in range(0, len(ids), 500):
            customer_refresh_order_dates(customer_ids=ids[i:i + 500])
        say(f"orders: {len(orders)} (reviews: {len(reviews)}), places: {len(places)}")

        # Contact log and callbacks -------------------------------------------------------------
        contacts = []
        for p in profiles:
            if rng.random() >= 0.25:
                continue
            for _ in range(rng.randint(1, 3)):
                agent = p.customer.owner or rng.choice(company.agents)
                outcome = rng.choices(list(ContactLog.Outcome.values), weights=[75, 20, 5])[0]
                purpose = rng.choice([ContactLog.Purpose.CALLBACK, ContactLog.Purpose.INQUIRY, ContactLog.Purpose.CARE,
                                      ContactLog.Purpose.PROFILE_UPDATE])
                reached = outcome == ContactLog.Outcome.REACHED
                contacts.append(ContactLog(
                    customer=p.customer, agent=agent, status=ContactLog.Status.DONE, purpose=purpose,
                    channel=rng.choice([ContactLog.Channel.PHONE_OUT, ContactLog.Channel.PHONE_IN,
                                        ContactLog.Channel.WECHAT]),
                    happened_at=anchor - dt.timedelta(days=rng.uniform(1, 180), hours=rng.uniform(-15, -9)),
                    outcome=outcome,
                    satisfaction=rng.choices([5, 4, 3, 2], weights=[50, 35, 10, 5])[0]
                    if reached and purpose == ContactLog.Purpose.CALLBACK else None,
                    recommend_score=rng.randint(6, 10) if reached and rng.random() < 0.3 else None,
                    notes=rng.choice(["", "客户对上次服务满意", "客户询问会员积分", "客户更换了常用地址"]),
                ))
        today = anchor.date()
        for agent in company.agents:
            mine = [p.customer for p in profiles if p.customer.owner_id == agent.pk] or [p.customer for p in profiles]
            for offset in (-1, 0, 0, 0, 1, 3, 7, 14):
                contacts.append(ContactLog(
                    customer=rng.choice(mine), agent=agent, status=ContactLog.Status.SCHEDULED,
                    purpose=ContactLog.Purpose.CALLBACK, channel=ContactLog.Channel.PHONE_OUT,
                    due_on=today + dt.timedelta(days=offset), notes="定期回访",
                ))
        ContactLog.objects.bulk_create(contacts, batch_size=1000)
        say(f"contact log: {len(contacts)} (callbacks scheduled: {8 * len(company.agents)})")

    swept = dormancy_sweep()
    say(f"dormancy sweep: {swept['dormant']} dormant, {swept['released_to_pool']} released to the public pool")
    from customers.demo_rules import seed_rules

    for line in seed_rules(company, anchor=anchor):
        say(line)
    return company


# --- large volumes for benchmarks ------------------------------------------------------------
def _copy_rows(model, columns: list[str], rows, *, batch_size: int = 5000) -> int:
    """Insert tuples into ``model``'s table: COPY on PostgreSQL, executemany elsewhere. Columns of
    the model not listed get the field's default (or NULL), so the rows satisfy NOT NULL."""
    fields = {f.column: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"unknown columns {unknown} for {model._meta.db_table}")
    extra = [c for c in fields if c not in columns]
    extra_values = []
    for c in extra:
        f = fields[c]
        if f.has_default() or (f.empty_strings_allowed and not f.null):
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            extra_values.append(None)
        else:
            raise ValueError(f"column {c} of {model._meta.db_table} needs a value")
    all_columns = columns + extra
    table = connection.ops.quote_name(model._meta.db_table)
    col_sql = ", ".join(connection.ops.quote_name(c) for c in all_columns)
    count = 0
    extra_t = tuple(extra_values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({col_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + extra_t)
                    count += 1
            return count
        adapters = [_sqlite_adapter(fields[c]) for c in all_columns]
        sql = f"INSERT INTO {table} ({col_sql}) VALUES ({', '.join(['%s'] * len(all_columns))})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(tuple(a(v) for a, v in zip(adapters, row + extra_t, strict=True)))
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_adapter(f):
    def adapt(value):
        if value is None:
            return None
        return f.get_db_prep_save(value, connection)

    return adapt


@contextmanager
def _bulk_load_mode(*models):
    """PostgreSQL: drop the secondary indexes and foreign keys of these tables for the load, then
    recreate them from their saved definitions. Building an index once is much faster than
    maintaining it row by row, and re-adding a foreign key validates every row in one pass, so the
    loaded data is checked all the same. Everything is inside the caller's transaction: a failure
    restores the tables as they were. Elsewhere it does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name
    saved = []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events may block ALTER TABLE
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)",
                [table])
            indexes = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
            saved.append((table, foreign_keys, indexes))
    yield
    with connection.cursor() as cursor:
        for table, foreign_keys, indexes in saved:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def seed_scale(*, rng: random.Random, customers: int, orders: int, stdout=None, months: int = 14) -> dict:
    """Bulk-load ``customers`` customers and ``orders`` orders (plus ~60% reviews) for benchmarks,
    with no per-row validation but satisfying every database constraint. Mobiles already present
    are skipped; a third of the customers stop ordering early, so the dormancy sweep has work."""
    started = time.perf_counter()

    def say(msg):
        if stdout is not None:
            stdout.write(f"{msg} [{time.perf_counter() - started:.1f} s]")

    fake = DemoFaker(rng)
    company = ensure_company(rng=rng, drivers=100)
    anchor = timezone.now().replace(microsecond=0)
    start = _months_ago(anchor, months)
    span = (anchor - start).total_seconds()
    existing = set(Customer.objects.exclude(mobile=None).values_list("mobile", flat=True))
    owners = [u.pk for u in company.owners]
    first_new_id = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    plans = []  # (created, active_until, owner_id) per new customer, in insertion order

    def customer_rows():
        n = 0
        i = 0
        while n < customers:
            mobile = mobile_from_index(i)
            i += 1
            if mobile in existing:
                continue
            n += 1
            created = start - dt.timedelta(seconds=rng.uniform(0, 400 * 86400)) if rng.random() < 0.6 else \
                start + dt.timedelta(seconds=rng.uniform(0, span * 0.9))
            active_until = anchor
            if rng.random() < 0.33:
                active_until = anchor - dt.timedelta(days=rng.uniform(92, 330))
                created = min(created, active_until - dt.timedelta(days=20))
            owner = rng.choice(owners) if rng.random() < 0.45 else None
            plans.append((created, active_until, owner))
            female = rng.random() < 0.35
            yield (
                uuid.uuid4(), fake.full_name(female), mobile,
                "female" if female else "male", "individual", rng.choice(["own_app", "platform", "hotline"]),
                rng.random() < 0.6, "active", owner, created if owner else None, created, created,
            )

    o, c, r = (connection.ops.quote_name(m._meta.db_table) for m in (Order, Customer, Review))
    with transaction.atomic(), _bulk_load_mode(Customer, Order, Review):
        cols = ["public_id", "full_name", "mobile", "gender", "customer_type", "source", "marketing_consent",
                "status", "owner_id", "owner_since", "created_at", "updated_at"]
        n_customers = _copy_rows(Customer, cols, customer_rows())
        ids = list(Customer.objects.filter(pk__gt=first_new_id).order_by("pk").values_list("pk", flat=True))
        say(f"customers: {n_customers}")

        # Each order picks a customer by weight (heavy and light users), within the customer's life.
        weights = [rng.paretovariate(1.5) for _ in ids]
        cumulative, total = [], 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        drivers = [d.pk for d in company.drivers]
        platforms = [p.pk for p in company.platforms]
        addresses = [fake.address(rng.choice(["home", "office", "restaurant", "hotel"])) for _ in range(3000)]

        first_order_id = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        def order_rows():
            for j in range(orders):
                k = min(bisect.bisect_left(cumulative, rng.random() * total), len(ids) - 1)
                created, active_until, owner = plans[k]
                lo = max(created, start)
                if active_until <= lo:
                    lo = active_until - dt.timedelta(days=1)
                booked = lo + (active_until - lo) * rng.random()
                booked = booked.replace(microsecond=0) - dt.timedelta(hours=2)
                roll = rng.random()
                status = "completed" if roll < 0.88 else "cancelled" if roll < 0.96 else "no_show"
                km = round(rng.uniform(3, 40), 2)
                pickup, plat, plng = addresses[j % 3000]
                dropoff, dlat, dlng = addresses[(j * 7) % 3000]
                done = status == "completed"
                started = booked + dt.timedelta(minutes=15) if done else None
                finished = booked + dt.timedelta(minutes=30 + int(km * 2)) if done else None
                fee = Decimal(39 + max(0, int(km) - 10) * 4) if done else Decimal(0)
                yield (
                    platforms[j % len(platforms)], f"B{first_order_id + j + 1:010d}", ids[k], drivers[j % len(drivers)],
                    owner, status,
                    booked, started, finished, pickup, plat, plng, dropoff, dlat, dlng, Decimal(f"{km:.2f}"), fee,
                    booked, finished or booked,
                )

        n_orders = _copy_rows(Order, ORDER_COLUMNS, order_rows())
        say(f"orders: {n_orders}")

        with connection.cursor() as cursor:
            # ~60% of completed orders rated, spread over the five levels by a hash of the id.
            cursor.execute(
                f"INSERT INTO {r} (order_id, customer_id, rating, recommend_score, comment, source, created_at, "  # noqa: S608
                f"updated_at) SELECT id, customer_id, "
                f"CASE WHEN (id * 7919) %% 100 < 55 THEN 5 WHEN (id * 7919) %% 100 < 83 THEN 4 "
                f"WHEN (id * 7919) %% 100 < 92 THEN 3 WHEN (id * 7919) %% 100 < 97 THEN 2 ELSE 1 END, "
                f"(id * 31) %% 11, '', 'platform', finished_at, finished_at FROM {o} "
                f"WHERE id > %s AND status = 'completed' AND (id * 13) %% 10 < 6",
                [first_order_id],
            )
            n_reviews = cursor.rowcount
            say(f"reviews: {n_reviews}")
            cursor.execute(
                f"UPDATE {c} SET first_order_at = a.first_at, last_order_at = a.last_at "  # noqa: S608
                f"FROM (SELECT customer_id, MIN(finished_at) AS first_at, MAX(finished_at) AS last_at FROM {o} "
                f"WHERE status = 'completed' GROUP BY customer_id) a WHERE a.customer_id = {c}.id AND {c}.id > %s",
                [first_new_id],
            )
            say("first and last order dates")
    say("indexes and foreign keys rebuilt")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (c, o, r):
                cursor.execute(f"ANALYZE {table}")
    return {"customers": n_customers, "orders": n_orders, "reviews": n_reviews}
