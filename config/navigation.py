"""The admin sidebar's groups, by the work people do (core.navigation renders it per permission).
Configuration (rules, platforms, keys, grades, categories, occasions, schedules, users and roles)
sits under 系统设置, out of the agents' way."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAFF_NAVIGATION = [
    {"title": pgettext_lazy("menu", "Workbench"), "items": [
        {"url": "admin:index", "title": _("My workbench")},
        {"url": "admin:customers_customer_mine", "title": _("My customers"), "permission": "customers.view_customer"},
        {"url": "admin:customers_customer_callbacks", "title": _("My callbacks"),
         "permission": "customers.view_customer"},
        {"model": "customers.contactlog"},
    ]},
    {"title": pgettext_lazy("menu", "Customers"), "items": [
        {"model": "customers.customer"},
        {"model": "customers.handover"},
        {"model": "customers.keyfieldchange"},
        {"model": "customers.deletionrequest"},
        {"model": "customers.profilereview"},
        {"model": "customers.customermerge"},
        {"model": "customers.ownershipchange"},
        {"model": "customers.driver"},
    ]},
    {"title": pgettext_lazy("menu", "Orders"), "items": [
        {"model": "customers.order"},
        {"model": "customers.review"},
    ]},
    {"title": pgettext_lazy("menu", "Complaints"), "items": [
        {"model": "complaints.complaint", "title": _("All complaints")},
        {"url": "admin:complaints_complaint_queue", "title": _("Overdue queue"),
         "permission": "complaints.view_complaint"},
        {"model": "complaints.driveraction"},
        {"model": "complaints.driverscorededuction"},
    ]},
    {"title": pgettext_lazy("menu", "Membership and points"), "items": [
        {"model": "loyalty.loyaltyaccount"},
        {"model": "loyalty.pointsentry"},
        {"model": "loyalty.coupon"},
        {"model": "loyalty.tierchange"},
    ]},
    {"title": pgettext_lazy("menu", "Care"), "items": [
        {"model": "care.callback"},
        {"model": "care.message"},
        {"model": "care.campaignrun"},
        {"url": "admin:care_occasion_calendar", "title": _("Care calendar"), "permission": "care.view_occasion"},
    ]},
    {"title": pgettext_lazy("menu", "Reports"), "items": [
        {"url": "kpis:dashboard", "title": _("Dashboard"), "permission": "kpis.view_dashboard"},
        {"url": "admin:complaints_complaint_analysis", "title": _("Complaint analysis"),
         "permission": "complaints.view_analysis"},
        {"model": "complaints.analysismonth"},
        {"url": "admin:care_callback_report", "title": _("Callback report"), "permission": "care.view_callback"},
        {"model": "kpis.monthlysnapshot"},
        {"model": "kpis.snapshotrecompute"},
        {"model": "core.exportrecord"},
    ]},
    # The last group also receives any registered model not placed above (core.navigation).
    {"title": pgettext_lazy("menu", "Settings"), "collapsed": True, "items": [
        {"model": "loyalty.tierrule"},
        {"model": "loyalty.tierbenefit"},
        {"model": "customers.platform"},
        {"model": "customers.platformapikey"},
        {"model": "complaints.grade"},
        {"model": "complaints.category"},
        {"model": "complaints.routingrule"},
        {"model": "complaints.macro"},
        {"model": "complaints.cause"},
        {"model": "care.occasion"},
        {"model": "care.messagetemplate"},
        {"model": "care.noticetemplate"},
        {"model": "customers.anniversarykind"},
        {"model": "customers.tag"},
        {"model": "customers.serviceneed"},
        {"model": "django_celery_beat.periodictask"},
        {"model": "django_celery_beat.crontabschedule"},
        {"model": "django_celery_beat.intervalschedule"},
        {"model": "django_celery_beat.clockedschedule"},
        {"model": "django_celery_beat.solarschedule"},
        {"model": "admin_interface.theme"},
        {"model": "auth.user"},
        {"model": "auth.group"},
        {"model": "core.team"},
        {"model": "core.jobrun"},
        {"model": "customers.sensitiveaccess"},
        {"model": "customers.ingestionday"},
        {"model": "customers.rejectedpayload"},
        {"model": "authtoken.tokenproxy"},
        {"model": "axes.accessattempt"},
        {"model": "axes.accessfailurelog"},
        {"model": "axes.accesslog"},
    ]},
]
