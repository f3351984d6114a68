"""One small state-machine helper for every status workflow (complaints, orders, handovers, key-field
changes, deletion requests).

A model declares its allowed moves as data::

    TRANSITIONS = StateMachine(
        {Status.PENDING: (Status.APPROVED, Status.REJECTED)},
        error=CustomerError, code="already_decided", message=_("This request has already been decided."),
    )

- ``check(current, target)`` raises the machine's ``DomainError`` subclass when the move is not in the
  table (``refusal`` builds that error without raising it, for a caller that reports item errors);
- ``move(obj, target, **fields)`` checks, sets the status and the fields that go with the decision
  (who, when, why) on the instance, and returns the recorded change ``Transition(old, new)`` (the caller
  saves, and writes its history row from it);
- ``sources(target)`` are the statuses a move into ``target`` may start from (for a bulk ``UPDATE …
  WHERE status IN …``), ``targets(current)`` where one may go from ``current``.

The refusal's message may name ``%(current)s`` / ``%(old)s``, ``%(target)s`` / ``%(new)s`` (the
statuses' labels when ``labels``, a ``TextChoices``, is given) and ``%(allowed)s`` (the labels of the
targets allowed from ``current``, without ``unlisted`` ones, or "none"); ``messages`` gives a message
per target. The machine is a read-only mapping (status → allowed targets), so ``TRANSITIONS.get(s, ())``
and ``TRANSITIONS.items()`` read as the plain dict did.
"""

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class TransitionError(DomainError):
    """A move the status workflow does not allow (the machines' default error)."""

    default_code = "illegal_transition"
    api_status = 409


class Transition(NamedTuple):
    """The recorded change of a ``StateMachine.move``."""

    old: str
    new: str


class StateMachine(Mapping):
    def __init__(self, transitions: Mapping[str, Iterable[str]], *, error: type[DomainError] = TransitionError,
                 code: str | None = None, field: str | None = None, message=None,
                 messages: Mapping[str, object] | None = None, labels=None, unlisted: Iterable[str] = ()):
        self._transitions = {str(source): tuple(str(t) for t in targets) for source, targets in transitions.items()}
        self.error = error
        self.code = code
        self.field = field
        self.message = message if message is not None else _(
            "The status cannot go from “%(current)s” to “%(target)s”.")
        self.messages = {str(target): text for target, text in (messages or {}).items()}
        self.labels = labels
        self.unlisted = {str(s) for s in unlisted}

    # --- the table, read as a mapping ------------------------------------------------------------
    def __getitem__(self, status):
        return self._transitions[str(status)]

    def __iter__(self):
        return iter(self._transitions)

    def __len__(self):
        return len(self._transitions)

    def targets(self, current) -> tuple[str, ...]:
        return self._transitions.get(str(current), ())

    def sources(self, target) -> tuple[str, ...]:
        return tuple(source for source, targets in self._transitions.items() if str(target) in targets)

    def allows(self, current, target) -> bool:
        return str(target) in self.targets(current)

    # --- the check and the recorded change ---------------------------------------------------------
    def _label(self, status) -> str:
        if self.labels is not None and status in self.labels.values:
            return str(self.labels(status).label)
        return str(status)

    def refusal(self, current, target) -> DomainError:
        """The error for a move from ``current`` to ``target`` (not raised)."""
        allowed = ", ".join(self._label(t) for t in self.targets(current) if t not in self.unlisted) or gettext("none")
        text = str(self.messages.get(str(target), self.message)) % {
            "current": self._label(current), "old": self._label(current),
            "target": self._label(target), "new": self._label(target), "allowed": allowed,
        }
        return self.error(text, code=self.code, field=self.field)

    def check(self, current, target) -> None:
        """Raise the machine's error unless ``current`` → ``target`` is an allowed move."""
        if not self.allows(current, target):
            raise self.refusal(current, target)

    def move(self, obj, target, *, attribute: str = "status", **fields) -> Transition:
        """Check the move of ``obj`` (its ``attribute``) to ``target``, then set it and ``fields`` on the
        instance (not saved). Returns the recorded change."""
        old = getattr(obj, attribute)
        self.check(old, target)
        setattr(obj, attribute, target)
        for name, value in fields.items():
            setattr(obj, name, value)
        return Transition(str(old), str(target))
