from core.errors import DomainError


class EngageError(DomainError):
    """The domain error of engagement (``core.errors.DomainError``)."""
