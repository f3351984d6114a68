from core.errors import DomainError


class KpiError(DomainError):
    """A monthly-figures operation that cannot be done (a frozen month, a month in the future)."""
