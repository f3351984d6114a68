"""The staff roles of the company and their permissions, kept as data in one place.

Each role is a Django group. ``sync_roles`` creates the groups and sets each group's permissions to
exactly what is declared here; it runs after every ``migrate`` and from ``manage.py setup_roles``,
and is idempotent. Permissions are ``app_label.codename``; a pattern with ``*`` (fnmatch) matches
several, so a role keeps its rights when an app adds a model. Apps that land later add their
permissions to the lists below.
"""

from fnmatch import fnmatchcase


class Role:
    CS_AGENT = "客服专员"
    AFTER_SALES = "售后客服"
    CS_SUPERVISOR = "客服主管"
    OPERATIONS_MANAGER = "运营经理"
    DATA_ANALYST = "数据分析"
    GENERAL_MANAGER = "总经理"


# Exact names are added here as the apps' models land (customers, loyalty, complaints issues).
_AGENT_BASE = [
    "customers.view_*",
    "loyalty.view_*",
    "complaints.view_*",
]

# Complaints: agents take and handle complaints, propose remedies (approved at once within their
# authority, COMPLAINT_APPROVAL_LIMITS) and raise grades; approving larger remedies and closing a
# complaint as not upheld stay with supervisors and above ("complaints.*").
_COMPLAINT_HANDLING = [
    "complaints.add_complaint",
    "complaints.change_complaint",
    "complaints.transition_complaint",
    "complaints.raise_grade",
    "complaints.add_attachment",
    "complaints.add_remedy",
    "complaints.add_timelineentry",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CS_AGENT: [*_AGENT_BASE, *_COMPLAINT_HANDLING],
    Role.AFTER_SALES: [*_AGENT_BASE, *_COMPLAINT_HANDLING],
    Role.CS_SUPERVISOR: [
        *_AGENT_BASE,
        "customers.*",
        "loyalty.view_*",
        "loyalty.add_*",
        "loyalty.change_*",
        "complaints.*",
        "kpis.view_*",
        "django_celery_beat.view_*",
        "core.view_*",
    ],
    Role.OPERATIONS_MANAGER: [
        "customers.*",
        "loyalty.*",
        "complaints.*",
        "kpis.*",
        "django_celery_beat.*",
        "core.view_*",
    ],
    Role.DATA_ANALYST: [
        "customers.view_*",
        "loyalty.view_*",
        "complaints.view_*",
        "kpis.view_*",
    ],
    Role.GENERAL_MANAGER: [
        "customers.*",
        "loyalty.*",
        "complaints.*",
        "kpis.*",
        "django_celery_beat.*",
        "core.*",
        "authtoken.*",
        "auth.view_user",
        "auth.view_group",
    ],
}

# Permissions that must never be given by a pattern: each one is granted explicitly by name.
# (A data analyst must never see an ID number; only roles that name it get it.)
EXPLICIT_ONLY = {"customers.view_sensitive"}

# --- Customers (the agent's admin) ---
# Full mobiles are for the roles that call customers; a data analyst sees them masked, so
# view_full_mobile is explicit-only like view_sensitive (ID numbers: supervisors and the GM).
EXPLICIT_ONLY |= {"customers.view_full_mobile"}
_CUSTOMER_WORK = [
    "customers.view_full_mobile",
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_place",
    "customers.change_place",
    "customers.delete_place",
    "customers.add_contactlog",
    "customers.change_contactlog",
    "customers.add_deletionrequest",
    "customers.book_phone_order",  # 004: orders by phone on the company's own channel
]
ROLE_PERMISSIONS[Role.CS_AGENT] += _CUSTOMER_WORK
ROLE_PERMISSIONS[Role.AFTER_SALES] += _CUSTOMER_WORK
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += ["customers.view_full_mobile", "customers.view_sensitive",
                                         "customers.book_phone_order"]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += ["customers.view_full_mobile"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["customers.view_full_mobile", "customers.view_sensitive"]


# --- Care ---
# Agents see care messages and occasions and record callbacks from their list; supervisors also
# resend failed messages; operations managers run care campaigns (occasions, templates).
_CARE_AGENT = ["care.view_*", "care.record_callback", "care.send_message"]
ROLE_PERMISSIONS[Role.CS_AGENT] += _CARE_AGENT
ROLE_PERMISSIONS[Role.AFTER_SALES] += _CARE_AGENT
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += [*_CARE_AGENT, "care.resend_message", "care.change_callback"]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += ["care.*"]
ROLE_PERMISSIONS[Role.DATA_ANALYST] += ["care.view_*"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["care.*"]


# --- Engagement (issue 18: surveys, appreciation events, campaigns) ---
# Agents and supervisors see what was sent and answered and record RSVPs and attendance; supervisors
# also send questionnaires; operations managers and the GM run it all (segments, campaigns, events).
ROLE_PERMISSIONS[Role.CS_AGENT] += ["engage.view_*"]
ROLE_PERMISSIONS[Role.AFTER_SALES] += ["engage.view_*"]
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += ["engage.view_*", "engage.send_questionnaire"]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += ["engage.*"]
ROLE_PERMISSIONS[Role.DATA_ANALYST] += ["engage.view_*"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["engage.*"]

# --- KPIs (the service-quality dashboard) ---
# The dashboard, its exports and its API show the company's monthly figures and the team and agent
# rankings (staff names, no customer data): supervisors, operations managers, the general manager and
# the data analyst, who reads the same figures in the snapshots anyway (issue 15). Explicit-only, so
# that a pattern such as an agent's future "kpis.view_*" never hands it out by accident.
EXPLICIT_ONLY |= {"kpis.view_dashboard"}
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += ["kpis.view_dashboard"]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += ["kpis.view_dashboard"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["kpis.view_dashboard"]
ROLE_PERMISSIONS[Role.DATA_ANALYST] += ["kpis.view_dashboard"]


# --- Loyalty ---
# Agents redeem a customer's points for a coupon; supervisors also adjust points, issue coupons and
# set a tier by hand. Tier rules and tier benefits are the operations manager's (and the GM's):
# explicit-only, so the supervisor's "loyalty.add_*"/"loyalty.change_*" patterns do not reach them.
_LOYALTY_RULES = [
    "loyalty.add_tierrule",
    "loyalty.change_tierrule",
    "loyalty.delete_tierrule",
    "loyalty.add_tierbenefit",
    "loyalty.change_tierbenefit",
    "loyalty.delete_tierbenefit",
]
EXPLICIT_ONLY |= set(_LOYALTY_RULES)
ROLE_PERMISSIONS[Role.CS_AGENT] += ["loyalty.redeem_points"]
ROLE_PERMISSIONS[Role.AFTER_SALES] += ["loyalty.redeem_points"]
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += [
    "loyalty.redeem_points",
    "loyalty.adjust_points",
    "loyalty.issue_coupon",
    "loyalty.set_tier_manually",
]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += _LOYALTY_RULES
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += _LOYALTY_RULES


# --- Exports (issue 13) ---
# A customer export takes names, e-mails, birthdays and (for roles that see them) full mobiles out of
# the system: only supervisors, operations managers and the GM, who answer for a team's or the
# company's customers. Not agents (one customer at a time is their work) and not data analysts: their
# work is figures, which the KPI and complaint-analysis exports give without personal data (PIPL's
# "minimum necessary"). Explicit-only, so "customers.*" does not hand it out. Every export is
# recorded (core.ExportRecord); supervisors and above list the records (core.view_*).
EXPLICIT_ONLY |= {"customers.export_customer"}
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += ["customers.export_customer"]
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += ["customers.export_customer"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["customers.export_customer"]
# --- Platforms: API keys and webhooks ---
# Who may let a platform in (create a key), change where its webhook sends customers' messages, or
# add, change or remove a platform: the operations manager and the general manager only, each named
# here, never reached by "customers.*" (a supervisor's pattern). Revoking a key is changing it. The
# library's own APIKey model is unused (keys belong to platforms), so no role gets its permissions.
_PLATFORM_ADMIN = [
    "customers.add_platform",
    "customers.change_platform",
    "customers.delete_platform",
    "customers.add_platformapikey",
    "customers.change_platformapikey",
    "customers.delete_platformapikey",
]
EXPLICIT_ONLY |= set(_PLATFORM_ADMIN)
ROLE_PERMISSIONS[Role.OPERATIONS_MANAGER] += _PLATFORM_ADMIN
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += _PLATFORM_ADMIN

# The admin theme (django-admin-interface; 系统设置 → 主题): the company's colours, set by the GM.
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["admin_interface.view_theme", "admin_interface.change_theme"]


# Early warnings (issue 18 item 3): agents see and work their customers' warnings; supervisors and
# managers too; analysts read them.
_WARNINGS = ["retention.view_customerwarning", "retention.work_warning"]
for _role in (Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER):
    ROLE_PERMISSIONS[_role] += _WARNINGS
ROLE_PERMISSIONS[Role.DATA_ANALYST] += ["retention.view_customerwarning"]

# Agent appraisal and QA (issue 18 item 4): agents and after-sales are appraised (self_assess) and read
# their own appraisal, QA reviews and notices; supervisors sample and score their team's work, sign off
# its appraisals and issue notices; operations managers and the GM do it for every agent and keep the
# checklist and the weights (系统设置); the analyst reads all. appraisal.selectors narrows rows to own/team.
_APPRAISAL_READ = [f"appraisal.view_{m}" for m in ("appraisal", "qareview", "qascore", "selfassessment", "notice",
                                                   "checklistitem", "appraisalweights")]
_APPRAISAL_RIGHTS = ["appraisal.self_assess", "appraisal.appraise_team", "appraisal.appraise_all",
                     "appraisal.view_all_appraisals"]
EXPLICIT_ONLY |= set(_APPRAISAL_RIGHTS)
for _role in (Role.CS_AGENT, Role.AFTER_SALES):
    ROLE_PERMISSIONS[_role] += [*_APPRAISAL_READ, "appraisal.self_assess", "appraisal.add_selfassessment",
                                "appraisal.change_selfassessment"]
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] += [*_APPRAISAL_READ, "appraisal.appraise_team", "appraisal.add_qareview",
                                         "appraisal.change_qareview", "appraisal.change_appraisal",
                                         "appraisal.add_notice"]
for _role in (Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER):
    ROLE_PERMISSIONS[_role] += ["appraisal.*", "appraisal.appraise_all", "appraisal.view_all_appraisals"]
ROLE_PERMISSIONS[Role.DATA_ANALYST] += [*_APPRAISAL_READ, "appraisal.view_all_appraisals"]
# A reward or penalty notice takes effect once the general manager approves it (001 篇5 第十二条
# 呈总经理批准): only the GM's role, explicitly (operations managers issue notices, they do not approve).
EXPLICIT_ONLY |= {"appraisal.approve_notices"}
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["appraisal.approve_notices"]


def _all_permissions():
    from django.contrib.auth.models import Permission

    return {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }


def resolve_permissions(patterns: list[str], available: dict) -> set[str]:
    """The permission names that ``patterns`` grant, out of ``available``."""
    granted: set[str] = set()
    for pattern in patterns:
        if "*" in pattern:
            granted |= {
                name for name in available if fnmatchcase(name, pattern) and name not in EXPLICIT_ONLY
            }
        elif pattern in available:
            granted.add(pattern)
    return granted


def unknown_permissions() -> list[str]:
    """Exact permission names declared above that no installed model provides (a typo or a model
    that was renamed). Tests assert this is empty."""
    available = _all_permissions()
    return sorted(
        p for perms in ROLE_PERMISSIONS.values() for p in perms if "*" not in p and p not in available
    )


def sync_roles(*, stdout=None) -> dict[str, int]:
    """Create the role groups and set their permissions to exactly what is declared. Idempotent."""
    from django.contrib.auth.models import Group

    available = _all_permissions()
    counts = {}
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        names = resolve_permissions(patterns, available)
        group.permissions.set([available[n] for n in names])
        counts[role] = len(names)
        if stdout is not None:
            stdout.write(f"{role}: {len(names)} permissions")
    return counts


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Run once per migrate, after the last app: permissions of every app exist by then.
    if app_config is not None and app_config.label != "kpis":
        return
    sync_roles()


# --- Access scope by duty (issue 17 item 20; 000, 001 篇9 1.5) ---
# Agents see their own team's customers and the public pool; another team's customer needs the
# general manager's approval or an audited break-glass. After-sales (complaints from every team),
# supervisors, managers, the analyst and the GM see every team's customers by their duty.
for _role in (Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.DATA_ANALYST,
              Role.GENERAL_MANAGER):
    ROLE_PERMISSIONS[_role] += ["customers.access_all_teams"]
ROLE_PERMISSIONS[Role.GENERAL_MANAGER] += ["customers.approve_access_request", "customers.view_customeraccessrequest"]
