from core.errors import DomainError


class CareError(DomainError):
    """The domain error of care (``core.errors.DomainError``)."""
