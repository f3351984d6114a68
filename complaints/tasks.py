from celery import shared_task

from complaints.services import deadlines_process


@shared_task(name="complaints.process_deadlines")
def process_deadlines() -> dict:
    """Hourly: escalate and flag complaints past their deadlines (idempotent, bounded batches)."""
    return deadlines_process()


@shared_task(name="complaints.analysis_reminder")
def analysis_reminder() -> int:
    """From the 5th: remind once a month that last month's analysis is due by the 10th."""
    from complaints.analysis_signoff import analysis_reminder_send

    return analysis_reminder_send()


@shared_task(name="complaints.analysis_overdue")
def analysis_overdue() -> int:
    """After the 10th: flag last month's analysis late once if not signed off."""
    from complaints.analysis_signoff import analysis_overdue_flag

    return analysis_overdue_flag()
