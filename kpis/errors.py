class KpiError(Exception):
    """A monthly-figures operation that cannot be done (a frozen month, a month in the future)."""
