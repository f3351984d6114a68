"""Care figures: care messages sent / failed / skipped in M. Null until the care app's outbox exists."""

from kpis.metrics.period import Period


def available() -> bool:
    return False


def care_message_counts(period: Period) -> dict | None:
    return None
