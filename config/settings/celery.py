"""Celery: the broker (embedded filesystem broker under ``var/broker`` or Redis), task options and the
beat schedule — every periodic job in one dict, grouped by app.

django-celery-beat stores the jobs in the database when beat starts, so managers can see and pause them
in the admin (a paused job stays paused). A new job: add it here with a ``description``, run
``manage.py beat_table`` (README's jobs table) and add its scenario to tests/core/test_beat_twice.py.
"""

from pathlib import Path

from celery.schedules import crontab
from kombu import Queue

from .base import TIME_ZONE, VAR_DIR, env

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = Path(env.str("BROKER_DIR_OVERRIDE", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded mode: a worker and beat run with no server; messages are files under var/broker.
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # (without control_folder kombu writes its exchange tables into the working directory)
        "control_folder": str(BROKER_DIR / "control"),
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
else:
    # A worker killed mid-task (acks_late) leaves its message unacknowledged in Redis: it is delivered
    # again once it is CELERY_VISIBILITY_TIMEOUT seconds old, found by a sweep every restore interval ×
    # throttle seconds (kombu's defaults: 3600, 10 × 10). Keep the timeout above the longest task and
    # retry countdown; the fault tests lower all three.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
        # The restore sweep holds a Redis lock while it runs; a worker killed inside it leaves the lock
        # until it expires (kombu's default 300 s), and no message is restored before then.
        "unacked_mutex_expire": env.int("CELERY_UNACKED_MUTEX_EXPIRE", default=300),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The worker logs through Django's LOGGING (which masks mobiles and ID numbers), not its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The worker imports the platform API's task module (it is not an app of its own).
CELERY_IMPORTS = ["platform_api.tasks"]
# Queues by kind, so each kind can have workers of its own (docs/operations.md "How the system grows"):
# "events" (order events of the platform API), "messages" (care messages and greetings), "reports" (KPI
# months and the nightly backup: long jobs that must not hold up the others), "celery" (everything else).
# A worker started without -Q consumes all four (one worker, as in the Procfile, still does everything);
# `celery -A config worker -Q events` consumes one.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "events", "messages", "reports")]
CELERY_TASK_ROUTES = {
    "customers.process_order_events": {"queue": "events"},
    "customers.sweep_order_events": {"queue": "events"},
    "care.deliver_message": {"queue": "messages"},
    "care.dispatch_messages": {"queue": "messages"},
    "care.birthday_greetings": {"queue": "messages"},
    "care.holiday_greetings": {"queue": "messages"},
    "care.anniversary_greetings": {"queue": "messages"},
    "kpis.*": {"queue": "reports"},
    "core.tasks.database_backup": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # --- core -------------------------------------------------------------------------------------
    # Every minute: records that the scheduler and a worker are alive (visible in job_status).
    "core.heartbeat": {
        "task": "core.tasks.heartbeat",
        "description": "proves beat and a worker are alive",
        "schedule": HEARTBEAT_SECONDS,
        "options": {"expires": max(HEARTBEAT_SECONDS, 30)},
    },
    # Every night at 02:30: backup (docs/operations.md).
    "core.database_backup": {
        "task": "core.tasks.database_backup",
        "description": (
            "backup of the database and uploaded files into `BACKUP_DIR`, the newest `BACKUP_KEEP` kept (see "
            "docs/operations.md)"
        ),
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 3600},
    },
    # --- customers --------------------------------------------------------------------------------
    # Daily at 03:10: customers with no order for 90 days become dormant; owned ones fall to the pool.
    "customers.dormancy_sweep": {
        "task": "customers.dormancy_sweep",
        "description": (
            "customers without a completed order for `CUSTOMER_DORMANT_AFTER_DAYS` (90) become dormant; owned ones "
            "fall to the public pool, except tiers with a dedicated agent (gold, diamond), who keep it"
        ),
        "schedule": crontab(hour=3, minute=10),
        "options": {"expires": 23 * 3600},
    },
    # Every 5 minutes: process order events whose task was lost (broker down, worker crash).
    "customers.sweep_order_events": {
        "task": "customers.sweep_order_events",
        "description": (
            "order events (completed, reviewed, cancelled) whose task was lost (broker down, worker crash) are "
            "handled: loyalty points, reversals"
        ),
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Every 15 minutes: new profiles not reviewed within 12 hours are flagged late (once) and supervisors told.
    "customers.profile_reviews_late": {
        "task": "customers.profile_reviews_late",
        "description": (
            "new profiles entered by staff, deletion requests, key-field changes and handovers not reviewed within "
            "`CUSTOMER_PROFILE_REVIEW_HOURS` (12) are flagged late, once each, and supervisors are e-mailed"
        ),
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 840},
    },
    # Daily at 06:30: the public pool's rules (issue 17 item 15).
    "customers.pool_rules": {
        "task": "customers.pool_rules",
        "description": (
            "public pool: a pool customer served twice this month goes to that agent; customers booking most of "
            "last month's orders without their account manager are detached; a complaint unhandled for 3 days "
            "moves the customer; VIP customers get a second contact"
        ),
        "schedule": crontab(minute=30, hour=6),
        "options": {"expires": 3600},
    },
    # Every 15 minutes: inquiries and suggestions not answered within 24 hours are flagged late (once).
    "customers.inquiries_late": {
        "task": "customers.inquiries_late",
        "description": (
            "inquiries and suggestions not answered within `CUSTOMER_INQUIRY_REPLY_HOURS` (24) are flagged late, "
            "once each, and their agents told"
        ),
        "schedule": crontab(minute="7-59/15"),
        "options": {"expires": 840},
    },
    # Daily at 08:20: profiles incomplete after 90 days, one e-mail per owner and per supervisor.
    "customers.incomplete_profiles": {
        "task": "customers.incomplete_profiles",
        "description": (
            "profiles still incomplete `CUSTOMER_PROFILE_INCOMPLETE_DAYS` (90) after creation: one e-mail to each "
            "owner and to their team's supervisor with the counts and a link"
        ),
        "schedule": crontab(hour=8, minute=20),
        "options": {"expires": 23 * 3600},
    },
    # --- platform API -----------------------------------------------------------------------------
    # Hourly at :17: delete Idempotency-Key records older than API_IDEMPOTENCY_TTL_HOURS (24 h).
    "customers.api.purge_idempotency_keys": {
        "task": "customers.api.purge_idempotency_keys",
        "description": "deletes `Idempotency-Key` records older than 24 h (`API_IDEMPOTENCY_TTL_HOURS`), in batches",
        "schedule": crontab(minute=17),
        "options": {"expires": 3300},
    },
    # --- loyalty ----------------------------------------------------------------------------------
    # 1st of each month at 00:30: monthly tier review (upgrades that were missed, grace-period
    # misses, one-step downgrades, ended manual tiers). Idempotent per month.
    "loyalty.monthly_tier_review": {
        "task": "loyalty.monthly_tier_review",
        "description": (
            "tier review: missed upgrades, grace-period warnings, one-step downgrades, ended manual tiers (once "
            "per month)"
        ),
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
        "options": {"expires": 24 * 3600},
    },
    # 1st of each month at 00:30: points earned more than 24 months ago expire (oldest first);
    # coupons past their validity are marked. Idempotent per month.
    "loyalty.points_expiry": {
        "task": "loyalty.points_expiry",
        "description": "points older than 24 months expire, oldest first; past coupons marked expired (once per month)",
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
        "options": {"expires": 24 * 3600},
    },
    # --- complaints -------------------------------------------------------------------------------
    # Hourly at :05: acknowledge/resolve/close deadlines: escalate once per deadline, notify owners,
    # auto-close follow-ups the customer never answered.
    "complaints.process_deadlines": {
        "task": "complaints.process_deadlines",
        "description": (
            "complaints past a deadline: not acknowledged → flagged; not resolved (clock paused while awaiting the "
            "customer) → one grade up and the new owner role told; not closed → flagged; each once per deadline, "
            "in batches; follow-ups unanswered for 7 days closed as \"no answer\""
        ),
        "schedule": crontab(minute=5),
        "options": {"expires": 3300},
    },
    # Monthly on the 5th at 09:00: remind supervisors to sign off last month's complaint analysis.
    "complaints.analysis_reminder": {
        "task": "complaints.analysis_reminder",
        "description": (
            "on the `COMPLAINT_ANALYSIS_REMIND_DAY` (5th): reminds complaint supervisors that last month's analysis "
            "is due by the `COMPLAINT_ANALYSIS_DUE_DAY` (10th), once per month"
        ),
        "schedule": crontab(day_of_month="5-9", hour=9, minute=0),
        "options": {"expires": 23 * 3600},
    },
    # Daily at 09:10: last month's analysis not signed off after the 10th is flagged late (once).
    "complaints.analysis_overdue": {
        "task": "complaints.analysis_overdue",
        "description": (
            "after the `COMPLAINT_ANALYSIS_DUE_DAY` (10th): last month's complaint analysis not signed off is "
            "flagged late and supervisors are told, once per month"
        ),
        "schedule": crontab(hour=9, minute=10),
        "options": {"expires": 23 * 3600},
    },
    # --- care -------------------------------------------------------------------------------------
    # Daily at 09:00: birthday greetings (solar and lunar birthdays; 29 Feb on 28 Feb) for today.
    "care.birthday_greetings": {
        "task": "care.birthday_greetings",
        "description": (
            "birthday greetings for today (solar; 29 Feb on 28 Feb in other years; lunar birthdays on their lunar "
            "date), by an index lookup; one per customer and year (the lunar year for lunar birthdays)"
        ),
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 23 * 3600},
    },
    # Daily at 09:00: holiday greetings for occasions whose sending window (N days before → the
    # day) includes today; once per customer, occasion and year.
    "care.holiday_greetings": {
        "task": "care.holiday_greetings",
        "description": (
            "holiday greetings for occasions whose sending window (N days before → the day) includes today; one "
            "per customer, occasion and year (the lunar year for lunar festivals)"
        ),
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 23 * 3600},
    },
    # Daily at 08:45: anniversaries (wedding, company founding, first ride) greeted like birthdays.
    "care.anniversary_greetings": {
        "task": "care.anniversary_greetings",
        "description": (
            "customers' commemoration days (wedding, company founding, first ride…) today: one greeting per "
            "occasion per year, with consent and outside quiet hours"
        ),
        "schedule": crontab(hour=8, minute=45),
        "options": {"expires": 23 * 3600},
    },
    # Every 5 minutes: hand due queued messages to workers (outside quiet hours; retries, lost tasks).
    "care.dispatch_messages": {
        "task": "care.dispatch_messages",
        "description": (
            "hands due queued care messages to workers (never in quiet hours; retries after backoff; tasks lost "
            "with a dead worker)"
        ),
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # Daily at 07:30: periodic callbacks due by tier onto each owner's list (public pool: team queue).
    "care.schedule_callbacks": {
        "task": "care.schedule_callbacks",
        "description": (
            "periodic callbacks by tier (loyalty's tier benefit interval) onto the owner's list or the public-pool "
            "team queue; one per customer and period"
        ),
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 23 * 3600},
    },
    # --- retention ---------------------------------------------------------------------------------
    # Daily at 07:10 (before the callback lists are read): early warnings with a callback for the owner.
    "retention.raise_warnings": {
        "task": "retention.raise_warnings",
        "description": (
            "early warnings: order rhythm broken, low ratings in a row, repeated complaints (`RETENTION_*`); each "
            "puts a callback with the reason on the owner's list, once per open warning and per evidence"
        ),
        "schedule": crontab(hour=7, minute=10),
        "options": {"expires": 23 * 3600},
    },
    # --- appraisal --------------------------------------------------------------------------------
    # Days 1-10 at 00:20 (before the KPI snapshot reads them): the previous month's appraisals, so that
    # self-assessments and QA scores entered in the first days after the month count.
    "appraisal.compute_previous_month": {
        "task": "appraisal.compute_previous_month",
        "description": (
            "the previous month's agent appraisals (QA reviews, self-assessment, customer ratings of callbacks, "
            "weighted); one per agent and month, upsert; signed-off appraisals are left as they are"
        ),
        "schedule": crontab(day_of_month="1-10", hour=0, minute=20),
        "options": {"expires": 23 * 3600},
    },
    # --- kpis -------------------------------------------------------------------------------------
    # 1st of each month at 00:30: compute the previous month's snapshots (company, teams, agents).
    "kpis.compute_previous_month": {
        "task": "kpis.compute_previous_month",
        "description": (
            "the previous month's KPI snapshots (company, teams, agents); upsert, so a second run replaces them"
        ),
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
        "options": {"expires": 23 * 3600},
    },
    # Days 2-10 at 00:45: recompute the previous month for late data (ratings pushed after the 1st);
    # after the freeze day the month is left alone.
    "kpis.recompute_previous_month": {
        "task": "kpis.recompute_previous_month",
        "description": "recomputes the previous month so late ratings count; after the 10th the month is frozen",
        "schedule": crontab(day_of_month="2-10", hour=0, minute=45),
        "options": {"expires": 23 * 3600},
    },
    # Daily at 01:15: the running month to date (and the previous month's same days), for the
    # dashboard's month-to-date view and the supervisors' "my team this month" (issue 15).
    "kpis.compute_running_month": {
        "task": "kpis.compute_running_month",
        "description": (
            "the running month's KPI snapshots to date, with the previous month's same days for a like-for-like "
            "comparison; upsert, so a second run replaces them"
        ),
        "schedule": crontab(hour=1, minute=15),
        "options": {"expires": 23 * 3600},
    },}
