"""The customers part of ``seed_demo``: customers with places, 14 months of orders with reviews, contact
logs and callbacks, then the real dormancy sweep."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customers.demo.bulk import ORDER_COLUMNS, _copy_rows
from customers.demo.company import Company, ensure_company
from customers.demo.people import BAD_COMMENTS, GOOD_COMMENTS, SERVICE_NEEDS, TAGS, DemoFaker, id_number_for
from customers.models import (
    ContactLog,
    Customer,
    Order,
    OwnershipChange,
    Place,
    PlatformAccount,
    Review,
    ServiceNeed,
    Tag,
)
from customers.services import customer_refresh_order_dates, customer_set_id_number, dormancy_sweep
from customers.validators import normalise_mobile, validate_address, validate_full_name


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


@dataclass
class _Run:
    """What every step of ``seed`` shares: the random source, the company and the time frame."""

    rng: random.Random
    fake: DemoFaker
    company: Company
    seeded_at: dt.datetime
    anchor: dt.datetime  # local midnight of the seeding day
    start: dt.datetime  # ``months`` before the anchor: the first orders
    tz: dt.tzinfo
    stdout: object = None
    profiles: list = field(default_factory=list)

    def say(self, msg):
        if self.stdout is not None:
            self.stdout.write(msg)


def seed(*, rng: random.Random, stdout=None, customers: int = 2000, drivers: int = 100, months: int = 14,
         password: str | None = None) -> Company:
    """Create the company and its customers with 14 months of history. Expects an empty customers
    table (``seed_demo`` checks). Returns the company (staff, platforms, drivers, shared password).
    The steps run in this order because each draws from ``rng`` in turn: the same seed, the same company."""
    with transaction.atomic():
        company = ensure_company(rng=rng, drivers=drivers, password=password)
        tags = [Tag.objects.get_or_create(name=n)[0] for n in TAGS]
        needs = [ServiceNeed.objects.get_or_create(name=n)[0] for n in SERVICE_NEEDS]
        seeded_at = timezone.now()
        anchor = timezone.localtime(seeded_at).replace(hour=0, minute=0, second=0, microsecond=0)
        run = _Run(rng=rng, fake=DemoFaker(rng), company=company, seeded_at=seeded_at, anchor=anchor,
                   start=_months_ago(anchor, months), tz=timezone.get_current_timezone(), stdout=stdout)
        _customers_create(run, customers)
        _customers_save(run)
        _customers_tags_and_owners(run, tags, needs)
        run.say(f"customers: {len(run.profiles)}")
        places = _places_and_accounts(run)
        orders, review_plans = _orders_plan(run)
        Place.objects.bulk_create(places, batch_size=1000)
        _orders_write(orders)
        reviews = _reviews_write(run, review_plans)
        ids = [p.customer.pk for p in run.profiles]
        for i in range(0, len(ids), 500):
            customer_refresh_order_dates(customer_ids=ids[i:i + 500])
        run.say(f"orders: {len(orders)} (reviews: {len(reviews)}), places: {len(places)}")
        contacts = _contacts_create(run)
        run.say(f"contact log: {len(contacts)} (callbacks scheduled: {8 * len(company.agents)})")

    swept = dormancy_sweep()
    run.say(f"dormancy sweep: {swept['dormant']} dormant, {swept['released_to_pool']} released to the public pool")
    return company


SOURCES = [Customer.Source.OWN_APP, Customer.Source.PLATFORM, Customer.Source.HOTLINE, Customer.Source.WEBSITE,
           Customer.Source.DRIVER, Customer.Source.EVENT]
NOTES = ["", "", "", "习惯走高架", "车是手动挡的奥迪", "常去虹桥机场", "请司机提前电话联系"]


def _customers_create(run: _Run, count: int) -> None:
    """``count`` customers (unsaved), each with a habit: heavy, regular, occasional, churned or new."""
    mobiles: set[str] = set()
    ids_seen: set[str] = set()
    encrypt_ids = bool(settings.FIELD_ENCRYPTION_KEYS)
    for _ in range(count):
        run.profiles.append(_profile_draw(run, mobiles=mobiles, ids_seen=ids_seen, encrypt_ids=encrypt_ids))


def _profile_draw(run: _Run, *, mobiles: set, ids_seen: set, encrypt_ids: bool) -> _Profile:
    rng, fake, anchor = run.rng, run.fake, run.anchor
    female = rng.random() < 0.35
    name = fake.full_name(female)
    validate_full_name(name)
    mobile = fake.mobile()
    while mobile in mobiles:
        mobile = fake.mobile()
    mobiles.add(normalise_mobile(mobile))
    kind = rng.choices(["heavy", "regular", "occasional", "churned", "new"], weights=[5, 25, 38, 20, 12])[0]
    created, active_until = _customer_lifetime(run, kind)
    rate = {"heavy": rng.uniform(4, 9), "regular": rng.uniform(0.8, 2.5), "occasional": rng.uniform(0.3, 0.8),
            "churned": rng.uniform(0.5, 2.0), "new": rng.uniform(1, 3)}[kind] / 30.4
    source = rng.choices(SOURCES, weights=[35, 35, 10, 8, 7, 5])[0]
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
        source_platform=rng.choice(run.company.platforms[1:]) if source == Customer.Source.PLATFORM else None,
        marketing_consent=consent, marketing_consent_at=created if consent else None,
        notes=rng.choice(NOTES),
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
        pw = [0.15 if p != customer.source_platform else 0.85 for p in run.company.platforms]
    else:
        pw = list(run.company.platform_shares)
    return _Profile(customer, female, created, active_until, rate, pw)


def _customer_lifetime(run: _Run, kind: str) -> tuple[dt.datetime, dt.datetime]:
    """When a customer of this habit joined, and until when they order (churned ones stopped)."""
    rng, anchor, start = run.rng, run.anchor, run.start
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
    return created, active_until


def _customers_save(run: _Run) -> None:
    """Owners for about 45 %, then the rows; join dates and referrals written afterwards."""
    rng, profiles = run.rng, run.profiles
    for p in profiles:
        if rng.random() < 0.45:
            p.customer.owner = rng.choice(run.company.owners)
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


def _customers_tags_and_owners(run: _Run, tags: list, needs: list) -> None:
    rng, profiles = run.rng, run.profiles
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


def _places_and_accounts(run: _Run) -> list[Place]:
    """A home and one to three pickup places per customer (returned unsaved: orders count their use),
    and platform accounts (saved)."""
    rng, fake = run.rng, run.fake
    places = []
    for p in run.profiles:
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
    for p in run.profiles:
        for platform in run.company.platforms[1:]:
            if platform == p.customer.source_platform or rng.random() < 0.15:
                accounts.append(PlatformAccount(platform=platform, customer=p.customer,
                                                external_user_id=f"{platform.code}-{p.customer.public_id.hex[:12]}"))
    PlatformAccount.objects.bulk_create(accounts, batch_size=1000)
    return places


def _orders_plan(run: _Run) -> tuple[list[Order], list[tuple[Order, float]]]:
    """Each customer's orders at their rate over their active time (unsaved), and which get a review."""
    drivers = [d for d in run.company.drivers if d.status != d.Status.LEFT] or run.company.drivers
    orders, review_plans = [], []
    seq = defaultdict(int)
    for p in run.profiles:
        t = max(p.created, run.start)
        while p.rate_per_day > 0:
            t = t + dt.timedelta(days=run.rng.expovariate(p.rate_per_day))
            if t >= p.active_until or t >= run.anchor:
                break
            day = t.astimezone(run.tz).replace(hour=0, minute=0, second=0, microsecond=0)
            booked = _night_time(run.rng, day)
            if booked >= run.anchor - dt.timedelta(hours=4):  # every trip over before the seed runs
                break
            orders.append(_order_draw(run, p, booked, drivers=drivers, seq=seq, review_plans=review_plans))
    return orders, review_plans


def _order_draw(run: _Run, p: _Profile, booked: dt.datetime, *, drivers: list, seq: dict,
                review_plans: list) -> Order:
    rng = run.rng
    platform = rng.choices(run.company.platforms, weights=p.platform_weights)[0]
    seq[platform.pk] += 1
    status = rng.choices([Order.Status.COMPLETED, Order.Status.CANCELLED, Order.Status.NO_SHOW],
                         weights=[88, 8, 4])[0]
    pickup = rng.choice(p.pickups) if p.pickups and rng.random() < 0.85 else p.home
    dropoff = p.home if pickup is not p.home else (rng.choice(p.pickups) if p.pickups else p.home)
    km = round(min(60.0, rng.lognormvariate(2.5, 0.5)), 2)
    order = Order(
        platform=platform, external_id=f"{platform.code[:2].upper()}{booked:%y%m%d}{seq[platform.pk]:07d}",
        customer=p.customer, driver=rng.choice(drivers), credited_owner=p.customer.owner,
        status=status, booked_at=booked,
        pickup_address=pickup.address, pickup_lat=pickup.lat, pickup_lng=pickup.lng,
        dropoff_address=dropoff.address, dropoff_lat=dropoff.lat, dropoff_lng=dropoff.lng,
        distance_km=Decimal(f"{km:.2f}"), fee=Decimal("0.00"),
    )
    if status == Order.Status.COMPLETED:
        order.started_at = booked + dt.timedelta(minutes=rng.randrange(8, 30))
        order.finished_at = order.started_at + dt.timedelta(minutes=int(km * 2.2) + rng.randrange(5, 20))
        order.fee = _fee(rng, booked.astimezone(run.tz), km)
        for place in (pickup, dropoff):
            place.use_count += 1
            place.last_used_at = max(place.last_used_at or order.finished_at, order.finished_at)
        if rng.random() < 0.6:
            review_plans.append((order, rng.random()))
    return order


def _orders_write(orders: list[Order]) -> None:
    # Orders and reviews are the bulk of the data: plain multi-row inserts (bulk_create's
    # per-value preparation costs seconds here), timestamps as they would have been written.
    _copy_rows(Order, ORDER_COLUMNS, (
        (o.platform_id, o.external_id, o.customer_id, o.driver_id, o.credited_owner_id, o.status, o.booked_at,
         o.started_at, o.finished_at, o.pickup_address, o.pickup_lat, o.pickup_lng, o.dropoff_address,
         o.dropoff_lat, o.dropoff_lng, o.distance_km, o.fee, o.booked_at, o.finished_at or o.booked_at)
        for o in orders
    ))


def _reviews_write(run: _Run, review_plans: list[tuple[Order, float]]) -> list[tuple]:
    rng = run.rng
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
        rated_at = min(order.finished_at + dt.timedelta(minutes=rng.randrange(5, 60 * 48)), run.seeded_at)
        review_rows.append((order_ids[(order.platform_id, order.external_id)], order.customer_id, rating,
                            recommend, comment, str(source), rated_at, rated_at))
    _copy_rows(Review, ["order_id", "customer_id", "rating", "recommend_score", "comment", "source",
                        "created_at", "updated_at"], review_rows)
    return review_rows


def _contacts_create(run: _Run) -> list[ContactLog]:
    """Past contacts for a quarter of the customers, and each agent's scheduled callbacks around today."""
    rng, company = run.rng, run.company
    contacts = []
    for p in run.profiles:
        if rng.random() >= 0.25:
            continue
        for _ in range(rng.randint(1, 3)):
            contacts.append(_contact_draw(run, p.customer))
    today = run.anchor.date()
    for agent in company.agents:
        everyone = [p.customer for p in run.profiles]
        mine = [c for c in everyone if c.owner_id == agent.pk] or everyone
        for offset in (-1, 0, 0, 0, 1, 3, 7, 14):
            contacts.append(ContactLog(
                customer=rng.choice(mine), agent=agent, status=ContactLog.Status.SCHEDULED,
                purpose=ContactLog.Purpose.CALLBACK, channel=ContactLog.Channel.PHONE_OUT,
                due_on=today + dt.timedelta(days=offset), notes="定期回访",
            ))
    ContactLog.objects.bulk_create(contacts, batch_size=1000)
    return contacts


def _contact_draw(run: _Run, customer: Customer) -> ContactLog:
    rng = run.rng
    agent = customer.owner or rng.choice(run.company.agents)
    outcome = rng.choices(list(ContactLog.Outcome.values), weights=[75, 20, 5])[0]
    purpose = rng.choice([ContactLog.Purpose.CALLBACK, ContactLog.Purpose.INQUIRY, ContactLog.Purpose.CARE,
                          ContactLog.Purpose.PROFILE_UPDATE])
    reached = outcome == ContactLog.Outcome.REACHED
    return ContactLog(
        customer=customer, agent=agent, status=ContactLog.Status.DONE, purpose=purpose,
        channel=rng.choice([ContactLog.Channel.PHONE_OUT, ContactLog.Channel.PHONE_IN, ContactLog.Channel.WECHAT]),
        happened_at=run.anchor - dt.timedelta(days=rng.uniform(1, 180), hours=rng.uniform(-15, -9)),
        outcome=outcome,
        satisfaction=rng.choices([5, 4, 3, 2], weights=[50, 35, 10, 5])[0]
        if reached and purpose == ContactLog.Purpose.CALLBACK else None,
        recommend_score=rng.randint(6, 10) if reached and rng.random() < 0.3 else None,
        notes=rng.choice(["", "客户对上次服务满意", "客户询问会员积分", "客户更换了常用地址"]),
    )
