from core.errors import DomainError


class RetentionError(DomainError):
    """The domain error of early warnings (``core.errors.DomainError``)."""
