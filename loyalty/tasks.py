"""Thin Celery tasks: the monthly jobs of the loyalty app (declared in settings' Loyalty section)."""

from celery import shared_task

from loyalty import services


@shared_task(name="loyalty.monthly_tier_review")
def monthly_tier_review() -> dict:
    return services.monthly_tier_review()


@shared_task(name="loyalty.points_expiry")
def points_expiry() -> dict:
    return services.points_expire()


@shared_task(name="loyalty.assign_dedicated_agents")
def assign_dedicated_agents(customer_ids: list[int]) -> int:
    """Customers who reached gold (or above) at the review: dedicated agents, least-loaded first."""
    return services.dedicated_agents_assign(customer_ids=customer_ids)
