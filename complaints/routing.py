"""Routing: which role owns a complaint (RoutingRule rows, ``rules.route``) and which member of the
role gets it (the least loaded: fewest open complaints, ties by id). Reads only; the services
(intake, grade change, the deadline job, take / hand back) write what these decide."""

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from complaints import rules
from complaints.models import Category, Complaint, Grade, RoutingRule


def _active_rules() -> list[tuple[int | None, int | None, str, str]]:
    return list(RoutingRule.objects.filter(is_active=True)
                .values_list("category_id", "grade_id", "role", "informed_role"))


def route_for(*, category: Category, grade: Grade, rules_=None) -> tuple[str, str]:
    """(owner role, informed role) for a complaint of ``category`` at ``grade``."""
    return rules.route(category_id=category.pk if category else None, grade_id=grade.pk,
                       grade_owner_role=grade.owner_role, rules_=_active_rules() if rules_ is None else rules_)


def role_members(role: str):
    """Active members of ``role`` who may handle complaints (the permission through a group, their
    own, or a superuser's), each annotated with ``load``: open complaints assigned to them."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="complaints", codename="transition_complaint")
    open_assigned = (Complaint.objects.filter(assignee=OuterRef("pk"), status__in=Complaint.OPEN_STATUSES)
                     .order_by().values("assignee").annotate(n=Count("id")).values("n"))
    members = get_user_model().objects.filter(
        pk__in=get_user_model().objects.filter(groups__name=role, is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm) | Q(is_superuser=True)).values("pk"))
    return members.annotate(load=Coalesce(Subquery(open_assigned), 0))


def least_loaded_member(role: str):
    """The member of ``role`` with the fewest open complaints assigned (ties: the lowest id), or None
    when the role has nobody who may handle complaints. One query."""
    return role_members(role).order_by("load", "pk").first()


def escalation_routes(next_grade: dict[int, Grade | None]) -> dict[tuple[int, int], tuple[str, str]]:
    """For the deadline job's one UPDATE: (current grade id, category id) → (owner role, informed
    role) of the grade above, for every grade that has one and every category."""
    rows = _active_rules()
    categories = list(Category.objects.all())
    return {(grade_id, category.pk): route_for(category=category, grade=higher, rules_=rows)
            for grade_id, higher in next_grade.items() if higher is not None for category in categories}
