"""Demo data for the customers app: a believable designated-driver company in Shanghai.

``seed(rng=..., stdout=...)`` creates staff in the six roles, teams, drivers, platforms, customers
with places, 14 months of orders with reviews, contact logs and callbacks, then runs the real
dormancy sweep. ``seed_scale(...)`` bulk-loads large volumes for benchmarks (COPY on PostgreSQL).
Everything is drawn from the ``random.Random`` passed in, so a seed gives the same company.
``manage.py seed_demo`` is the door; other apps add their data from their own ``<app>/demo.py``.

Modules: ``people`` (names, mobiles, addresses), ``company`` (staff, teams, platforms, drivers),
``history`` (``seed`` as named steps), ``scale`` (``seed_scale``), ``bulk`` (fast inserts).
"""

from customers.demo.bulk import ORDER_COLUMNS, _copy_rows
from customers.demo.company import PLATFORMS, STAFF_PLAN, Company, ensure_company
from customers.demo.history import seed
from customers.demo.people import DemoFaker, id_number_for, mobile_from_index
from customers.demo.scale import seed_scale

__all__ = [
    "ORDER_COLUMNS", "PLATFORMS", "STAFF_PLAN", "Company", "DemoFaker", "_copy_rows", "ensure_company",
    "id_number_for", "mobile_from_index", "seed", "seed_scale",
]
