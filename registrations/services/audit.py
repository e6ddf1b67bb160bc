"""The audit trail: who changed a registration, when, and what.

Every service that changes a registration takes `by`, the actor, and records the change
with `record` inside its own transaction, so the trail and the change commit or roll back
together. The participant acts through the private link, an organiser or staff member by
their login, and the system when one change causes another (a queue moving up).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from workshops.models import TimeSlot

from ..models import AuditEntry, Registration

Action = AuditEntry.Action


@dataclass(frozen=True)
class Actor:
    kind: str
    user: object = None

    @classmethod
    def of(cls, user) -> "Actor":
        """A logged-in organiser or staff member (the admin, the door)."""
        return cls(AuditEntry.ActorKind.ORGANISER, user)


PARTICIPANT = Actor(AuditEntry.ActorKind.PARTICIPANT)
SYSTEM = Actor(AuditEntry.ActorKind.SYSTEM)


def record(registration: Registration, action: str, *, by: Actor, summary: str = "") -> None:
    """Write one entry; call inside the transaction of the change it describes."""
    user = by.user if by.user is not None and by.user.is_authenticated else None
    AuditEntry.objects.create(
        registration=registration,
        action=action,
        actor_kind=by.kind,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        summary=summary[:500],
    )


@contextmanager
def trail_language() -> Iterator[None]:
    """The trail is the organisers' record: its texts are in the admin's language, whichever
    language the person acting uses the site in."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def pass_label(slot: TimeSlot) -> str:
    """A pass as the trail names it (`trail_language`)."""
    with trail_language():
        return slot.label


def workshops_summary(workshops) -> str:
    """The workshops (in pass order) as the trail names them: Pass 1: W1, Pass 2: W6."""
    with trail_language():
        return ", ".join(f"{w.slot.label}: {w.code}" for w in workshops)
