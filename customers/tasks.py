from celery import shared_task

from core.services import job_run_record
from customers.services import dormancy_sweep, order_events_process
from customers.services.events import order_events_enqueue, order_events_task_started

PROCESS_LIMIT = 500


@shared_task(name="customers.process_order_events")
def process_order_events() -> int:
    order_events_task_started()
    done = order_events_process(limit=PROCESS_LIMIT)
    if done >= PROCESS_LIMIT:  # a full page: more may be pending (a batch of 500 makes up to 1,000 events)
        order_events_enqueue()
    return done


@shared_task(name="customers.sweep_order_events")
def sweep_order_events() -> int:
    """Catch up order events whose task was lost (broker down, worker died)."""
    done = order_events_process(limit=5000)
    job_run_record(name="order_events_sweep", result=f"processed={done}")
    return done


@shared_task(name="customers.dormancy_sweep")
def run_dormancy_sweep() -> dict:
    return dormancy_sweep()


@shared_task(name="customers.incomplete_profiles")
def incomplete_profiles() -> dict:
    from customers.services.profile_reminders import incomplete_profiles_notify

    return incomplete_profiles_notify()


@shared_task(name="customers.profile_reviews_late")
def profile_reviews_late() -> int:
    from customers.services.profile_review import profile_reviews_flag_late
    from customers.services.review_clock import requests_flag_late

    requests_flag_late()  # deletion requests, key-field changes, handovers: the same 12-hour clock
    return profile_reviews_flag_late()


@shared_task(name="customers.inquiries_late")
def inquiries_late() -> int:
    from customers.services.inquiries import inquiries_flag_late

    return inquiries_flag_late()


@shared_task(name="customers.pool_rules")
def pool_rules() -> dict:
    from customers.services.pool import pool_rules_run

    return pool_rules_run()
