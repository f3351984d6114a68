"""Each app's business rules (customers, complaints, loyalty, care, KPIs): deadlines, limits, windows and
rates, with the defaults the company's documents give (docs/rules.md); each one can be overridden by an
environment variable of the same name."""

from .base import DEBUG, SPECTACULAR_SETTINGS, env

# --- Customers ------------------------------------------------------------------------------
CUSTOMER_DORMANT_AFTER_DAYS = env.int("CUSTOMER_DORMANT_AFTER_DAYS", default=90)  # 001: 三个月无消费

# --- Engagement: surveys (issue 18 item 6; docs/engagement.md) ------------------------------
# Links in messages are absolute: the public address customers' phones reach the site at.
ENGAGE_PUBLIC_BASE_URL = env.str("ENGAGE_PUBLIC_BASE_URL", default="http://localhost:8000")
# Upper bound of any signed link's age (a survey's or invitation's own expiry is usually shorter).
ENGAGE_LINK_MAX_AGE_DAYS = env.int("ENGAGE_LINK_MAX_AGE_DAYS", default=90)
# A survey link stays valid this many days unless the questionnaire says otherwise (no document number).
ENGAGE_SURVEY_VALID_DAYS = env.int("ENGAGE_SURVEY_VALID_DAYS", default=14)

# --- Complaints -----------------------------------------------------------------------------
# Default deadlines of the grade rows created by the first migration (a manager edits the rows
# afterwards): acknowledge within 24 h, resolve within 3 days, close within 15 days; crisis:
# acknowledge within 2 h, resolve within 24 h (003, 001 篇5/篇10).
COMPLAINT_ACKNOWLEDGE_HOURS = env.int("COMPLAINT_ACKNOWLEDGE_HOURS", default=24)
COMPLAINT_RESOLVE_HOURS = env.int("COMPLAINT_RESOLVE_HOURS", default=72)
COMPLAINT_CLOSE_HOURS = env.int("COMPLAINT_CLOSE_HOURS", default=15 * 24)
COMPLAINT_CRISIS_ACKNOWLEDGE_HOURS = env.int("COMPLAINT_CRISIS_ACKNOWLEDGE_HOURS", default=2)
COMPLAINT_CRISIS_RESOLVE_HOURS = env.int("COMPLAINT_CRISIS_RESOLVE_HOURS", default=24)
# Rule minimums (grade codes): referrals from the 400 hotline or the consumer association are at
# least "major"; a diamond customer's complaint at least "grievance"; a second complaint within
# the window goes one grade up. Category minimums are on the category rows.
COMPLAINT_CHANNEL_MIN_GRADE = env.dict(
    "COMPLAINT_CHANNEL_MIN_GRADE", default={"hotline_400": "major", "consumer_association": "major"}
)
COMPLAINT_TIER_MIN_GRADE = env.dict("COMPLAINT_TIER_MIN_GRADE", default={"diamond": "grievance"})
COMPLAINT_REPEAT_WINDOW_DAYS = env.int("COMPLAINT_REPEAT_WINDOW_DAYS", default=30)
# Approval authority for money-like remedies, in CNY (001 篇5 核决权限); the general manager has no
# limit. A role not listed may not approve any amount.
COMPLAINT_APPROVAL_LIMITS = {
    "客服专员": env.str("COMPLAINT_LIMIT_AGENT", default="200"),
    "售后客服": env.str("COMPLAINT_LIMIT_AFTER_SALES", default="200"),
    "客服主管": env.str("COMPLAINT_LIMIT_SUPERVISOR", default="1000"),
    "运营经理": env.str("COMPLAINT_LIMIT_OPERATIONS_MANAGER", default="5000"),
    "总经理": None,
}
COMPLAINT_OVERCHARGE_REFUND_MULTIPLIER = env.str("COMPLAINT_OVERCHARGE_REFUND_MULTIPLIER", default="2")
# A point's value for authority checks; empty: what a point buys at redemption (1 / LOYALTY_REDEMPTION_POINTS_PER_YUAN).
COMPLAINT_POINT_VALUE_CNY = env.str("COMPLAINT_POINT_VALUE_CNY", default="")
DRIVER_SERVICE_SCORE_PER_YEAR = env.int("DRIVER_SERVICE_SCORE_PER_YEAR", default=12)
COMPLAINT_FOLLOW_UP_AUTO_CLOSE_DAYS = env.int("COMPLAINT_FOLLOW_UP_AUTO_CLOSE_DAYS", default=7)
COMPLAINT_CALLBACK_AFTER_DAYS = env.int("COMPLAINT_CALLBACK_AFTER_DAYS", default=1)
COMPLAINT_DEADLINE_BATCH = env.int("COMPLAINT_DEADLINE_BATCH", default=2000)
COMPLAINT_ATTACHMENT_MAX_MB = env.int("COMPLAINT_ATTACHMENT_MAX_MB", default=20)
COMPLAINT_ATTACHMENT_TYPES = env.list(
    "COMPLAINT_ATTACHMENT_TYPES",
    default=["jpg", "jpeg", "png", "webp", "heic", "pdf", "mp3", "m4a", "amr", "wav", "mp4", "mov"],
)
COMPLAINT_PUBLIC_FORM_PER_HOUR = env.int("COMPLAINT_PUBLIC_FORM_PER_HOUR", default=5)  # per client address
# The API schema names the complaint's status enum itself (orders also have a "status").
# (Naming one set leaves the other as a lone "status" of a different set, so both are named.)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "ComplaintStatusEnum": "complaints.models.Complaint.Status",
    "OrderStatusEnum": "customers.models.Order.Status",
})

# --- Customers admin (the agent's admin) ------------------------------------------------------
CUSTOMER_SEARCH_MAX_MATCHES = env.int("CUSTOMER_SEARCH_MAX_MATCHES", default=500)  # rows a name search may return
CUSTOMER_PAGE_ORDERS = env.int("CUSTOMER_PAGE_ORDERS", default=20)  # latest orders on the customer page
CUSTOMER_PAGE_CONTACTS = env.int("CUSTOMER_PAGE_CONTACTS", default=20)  # contact-log rows on the customer page
# Rows per page of the work lists (my callbacks due today; the care callbacks list): a backlog is paged.
WORK_LIST_PER_PAGE = env.int("WORK_LIST_PER_PAGE", default=50)
# Classification (003): activity level from completed orders in a trailing window (high from this many,
# medium from one, else low); a customer whose first completed order is more recent than CUSTOMER_NEW_DAYS
# is new, one who ordered before that is returning.
CUSTOMER_ACTIVITY_WINDOW_DAYS = env.int("CUSTOMER_ACTIVITY_WINDOW_DAYS", default=90)
CUSTOMER_ACTIVITY_HIGH_ORDERS = env.int("CUSTOMER_ACTIVITY_HIGH_ORDERS", default=4)
CUSTOMER_NEW_DAYS = env.int("CUSTOMER_NEW_DAYS", default=90)
# Profile review (000, 003): a profile not checked by staff for this long is stale.
CUSTOMER_PROFILE_STALE_DAYS = env.int("CUSTOMER_PROFILE_STALE_DAYS", default=365)
# A key-field change sent back stays on the customer page and the agent's workbench this long.
CUSTOMER_KEY_CHANGE_SENT_BACK_DAYS = env.int("CUSTOMER_KEY_CHANGE_SENT_BACK_DAYS", default=30)
CUSTOMER_PAGE_COUNT_CAP = env.int("CUSTOMER_PAGE_COUNT_CAP", default=1000)  # orders counted on the customer page
# Filtered changelists count exactly up to this many rows, then show "N+" (no full COUNT on huge tables).
ADMIN_EXACT_COUNT_LIMIT = env.int("ADMIN_EXACT_COUNT_LIMIT", default=10000)
# Staff who see mobiles masked may search a mobile only by the whole number, this many times per window
# per user (docs/security.md); counted in this cache (the shared Redis one when REDIS_URL is set). When
# the cache is down such searches are refused ("try later"); other searches are unaffected.
MASKED_MOBILE_SEARCH_LIMIT = env.int("MASKED_MOBILE_SEARCH_LIMIT", default=20)
MASKED_MOBILE_SEARCH_WINDOW_SECONDS = env.int("MASKED_MOBILE_SEARCH_WINDOW_SECONDS", default=3600)
MASKED_MOBILE_SEARCH_CACHE = env.str("MASKED_MOBILE_SEARCH_CACHE", default="api")

# --- Loyalty --------------------------------------------------------------------------------
# Points (002, 003, 001 篇10): 1 point per ¥1 of a completed order's fee, times the tier multiplier.
LOYALTY_POINTS_PER_YUAN = env.str("LOYALTY_POINTS_PER_YUAN", default="1")
LOYALTY_TIER_MULTIPLIERS = {
    0: env.str("LOYALTY_MULTIPLIER_NORMAL", default="1"),
    1: env.str("LOYALTY_MULTIPLIER_SILVER", default="1.2"),
    2: env.str("LOYALTY_MULTIPLIER_GOLD", default="1.5"),
    3: env.str("LOYALTY_MULTIPLIER_DIAMOND", default="2"),
}
# Order points stay pending this long (the window in which fee disputes and complaints arrive).
LOYALTY_POINTS_PENDING_DAYS = env.int("LOYALTY_POINTS_PENDING_DAYS", default=7)
LOYALTY_POINTS_EXPIRE_MONTHS = env.int("LOYALTY_POINTS_EXPIRE_MONTHS", default=24)  # 002: 24-month window
LOYALTY_EXPIRING_SOON_DAYS = env.int("LOYALTY_EXPIRING_SOON_DAYS", default=30)  # "expiring soon" in the API
# Referrals (001 篇10): 100 points for a referred customer's first order, 100 per ¥1,000 they spend.
LOYALTY_REFERRAL_FIRST_ORDER_POINTS = env.int("LOYALTY_REFERRAL_FIRST_ORDER_POINTS", default=100)
LOYALTY_REFERRAL_SPEND_STEP = env.str("LOYALTY_REFERRAL_SPEND_STEP", default="1000")
LOYALTY_REFERRAL_SPEND_POINTS = env.int("LOYALTY_REFERRAL_SPEND_POINTS", default=100)
# Downgrade only after the tier's rule was missed at this many monthly reviews in a row (the
# first miss warns).
LOYALTY_DOWNGRADE_AFTER_MISSES = env.int("LOYALTY_DOWNGRADE_AFTER_MISSES", default=2)
# Redemption: points that buy ¥1 of coupon value; default validity of a new coupon.
LOYALTY_REDEMPTION_POINTS_PER_YUAN = env.int("LOYALTY_REDEMPTION_POINTS_PER_YUAN", default=100)
LOYALTY_COUPON_VALID_DAYS = env.int("LOYALTY_COUPON_VALID_DAYS", default=90)
# VIP customers (001 篇2): from this tier up (0 normal, 1 silver, 2 gold, 3 diamond), changes to the key
# fields of an owned customer made by its account manager wait for a supervisor's review.
LOYALTY_VIP_MIN_TIER = env.int("LOYALTY_VIP_MIN_TIER", default=1)
# PostgreSQL work_mem for the monthly jobs' grouped aggregates (per transaction; empty: server default).
LOYALTY_JOB_WORK_MEM = env.str("LOYALTY_JOB_WORK_MEM", default="64MB")


# --- Care -----------------------------------------------------------------------------------
# Quiet hours (local time): nothing is sent between start and end; messages wait until the end.
CARE_QUIET_HOURS_START = env.str("CARE_QUIET_HOURS_START", default="21:00")
CARE_QUIET_HOURS_END = env.str("CARE_QUIET_HOURS_END", default="09:00")
# Channel backends: a provider adapter is named (care.channels.sms.HttpSmsBackend). Without one, SMS are
# only logged with DEBUG on; in production (DEBUG off) the logging backend is used only when
# CARE_SMS_BACKEND names it explicitly, otherwise SMS messages fail with "no SMS provider configured".
CARE_SMS_BACKEND = env.str("CARE_SMS_BACKEND", default="") or (
    "care.channels.sms." + ("LoggingSmsBackend" if DEBUG else "UnconfiguredSmsBackend")
)
CARE_SMS_PROVIDER_URL = env.str("CARE_SMS_PROVIDER_URL", default="")
CARE_SMS_PROVIDER_KEY = env.str("CARE_SMS_PROVIDER_KEY", default="")
CARE_SMS_PROVIDER_SIGN = env.str("CARE_SMS_PROVIDER_SIGN", default="")  # signature; blank: COMPANY_NAME
CARE_CHANNEL_TIMEOUT_SECONDS = env.float("CARE_CHANNEL_TIMEOUT_SECONDS", default=10.0)
# Platform webhooks (app push): public https addresses only, no redirects, short timeouts (core.webhooks).
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=3.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)
# Delivery retries: exponential backoff from BASE seconds up to CAP; failed after MAX attempts.
CARE_DELIVERY_MAX_ATTEMPTS = env.int("CARE_DELIVERY_MAX_ATTEMPTS", default=5)
CARE_DELIVERY_BACKOFF_SECONDS = env.int("CARE_DELIVERY_BACKOFF_SECONDS", default=60)
CARE_DELIVERY_BACKOFF_CAP_SECONDS = env.int("CARE_DELIVERY_BACKOFF_CAP_SECONDS", default=3600)
CARE_DISPATCH_BATCH = env.int("CARE_DISPATCH_BATCH", default=5000)  # per 5-minute run: 60,000 an hour
CARE_REDISPATCH_AFTER_SECONDS = env.int("CARE_REDISPATCH_AFTER_SECONDS", default=3600)  # lost task → again
CARE_ENQUEUE_BATCH = env.int("CARE_ENQUEUE_BATCH", default=5000)
# Who is greeted: dormant customers get win-back greetings by default; anonymised never (no data).
CARE_GREET_DORMANT = env.bool("CARE_GREET_DORMANT", default=True)
CARE_DEFAULT_CHANNEL = env.str("CARE_DEFAULT_CHANNEL", default="sms")  # one-off messages
# Periodic callbacks by tier: loyalty's TierBenefit.callback_interval_days is the only source
# (seeded silver 90, gold 30, diamond 14 days; edited in the admin), no setting.
CARE_COMPLAINT_CALLBACK_AFTER_DAYS = env.int("CARE_COMPLAINT_CALLBACK_AFTER_DAYS", default=1)

# --- Early warnings (issue 18 item 3; docs/engagement.md) -----------------------------------
# No document gives numbers (002 防御客户流失 预警; 003 6.3.2 预警系统): these defaults are ours.
# Rhythm: a customer with at least 4 completed orders in the last 365 days whose silence is more
# than 3 × their own average interval between orders, and at least 21 days.
RETENTION_RHYTHM_LOOKBACK_DAYS = env.int("RETENTION_RHYTHM_LOOKBACK_DAYS", default=365)
RETENTION_RHYTHM_MIN_ORDERS = env.int("RETENTION_RHYTHM_MIN_ORDERS", default=4)
RETENTION_RHYTHM_FACTOR = env.float("RETENTION_RHYTHM_FACTOR", default=3.0)
RETENTION_MIN_SILENT_DAYS = env.int("RETENTION_MIN_SILENT_DAYS", default=21)
# Ratings: the newest 2 ratings both at most 2 stars, the newest given in the last 7 days.
RETENTION_LOW_RATING_MAX = env.int("RETENTION_LOW_RATING_MAX", default=2)
RETENTION_LOW_RATING_STREAK = env.int("RETENTION_LOW_RATING_STREAK", default=2)
RETENTION_RECENT_DAYS = env.int("RETENTION_RECENT_DAYS", default=7)
# Complaints: 2 complaints received within 30 days.
RETENTION_COMPLAINTS = env.int("RETENTION_COMPLAINTS", default=2)
RETENTION_COMPLAINT_DAYS = env.int("RETENTION_COMPLAINT_DAYS", default=30)
# At most this many customers per signal per run (the next day's run takes the rest).
RETENTION_BATCH = env.int("RETENTION_BATCH", default=500)

# --- Agent appraisal and QA (issue 18 item 4; docs/warnings-and-appraisal.md) -------------------
# 004 asks for 录音监听/在线客服记录审查 and 自评、上级评价、客户评价相结合 but gives no numbers: ours.
# The sampling action gives a supervisor this many random contacts and complaints per agent and month
# (a second sampling tops up to this many, never more). The weights are a data row (系统设置 → 考核权重).
APPRAISAL_QA_SAMPLE_SIZE = env.int("APPRAISAL_QA_SAMPLE_SIZE", default=5)

# --- KPIs (monthly service-quality figures) --------------------------------------------------
# A month's snapshot is recomputed daily until this day of the next month, then frozen (a manager
# may still recompute it explicitly; the snapshot records that).
KPI_FREEZE_DAY = env.int("KPI_FREEZE_DAY", default=10)
KPI_TREND_MONTHS = env.int("KPI_TREND_MONTHS", default=13)  # months in the dashboard's trend charts
KPI_WORK_MEM = env.str("KPI_WORK_MEM", default="64MB")  # PostgreSQL work_mem while computing a month
# The dashboard's chart library (Chart.js, from the django-chartjs package) is served through
# staticfiles by a finder that exposes that one file, not the package's other scripts.

# --- Rules from the documents (issue 17: items 13, 14, 16, 17, 21; docs/rules.md) ----------------
# 001 篇2: a profile still incomplete this many days after it was created is listed daily to its owner
# and the owner's team supervisor (the document deletes it; we list it instead: see docs/rules.md).
CUSTOMER_PROFILE_INCOMPLETE_DAYS = env.int("CUSTOMER_PROFILE_INCOMPLETE_DAYS", default=90)
# 001 篇2: a profile entered by staff is approved by head-office customer service within this many hours.
CUSTOMER_PROFILE_REVIEW_HOURS = env.int("CUSTOMER_PROFILE_REVIEW_HOURS", default=12)
# 003 8.3.2: an inquiry or suggestion (一般性的投诉，如产品咨询、服务建议) is answered within this many hours.
CUSTOMER_INQUIRY_REPLY_HOURS = env.int("CUSTOMER_INQUIRY_REPLY_HOURS", default=24)
# 000/001 篇9 1.5: another team's customer, opened with the general manager's approval for this many hours,
# or by an audited break-glass for CUSTOMER_BREAK_GLASS_HOURS.
CUSTOMER_ACCESS_GRANT_HOURS = env.int("CUSTOMER_ACCESS_GRANT_HOURS", default=72)
CUSTOMER_BREAK_GLASS_HOURS = env.int("CUSTOMER_BREAK_GLASS_HOURS", default=4)
# 001 篇2/篇10: the public pool's rules (customers.services.pool; docs/rules.md).
CUSTOMER_POOL_DETACH_SHARE = env.int("CUSTOMER_POOL_DETACH_SHARE", default=50)  # % of a month's orders
CUSTOMER_POOL_DETACH_MIN_ORDERS = env.int("CUSTOMER_POOL_DETACH_MIN_ORDERS", default=2)
CUSTOMER_POOL_INVOLVEMENT_DAYS = env.int("CUSTOMER_POOL_INVOLVEMENT_DAYS", default=30)
CUSTOMER_POOL_COMPLAINT_DAYS = env.int("CUSTOMER_POOL_COMPLAINT_DAYS", default=3)
# 000/001: last month's complaint analysis is signed off by this day of the month; a reminder goes out
# on COMPLAINT_ANALYSIS_REMIND_DAY.
COMPLAINT_ANALYSIS_DUE_DAY = env.int("COMPLAINT_ANALYSIS_DUE_DAY", default=10)
COMPLAINT_ANALYSIS_REMIND_DAY = env.int("COMPLAINT_ANALYSIS_REMIND_DAY", default=5)
