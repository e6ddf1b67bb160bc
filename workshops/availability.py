"""Seats left per workshop on the programme's pages, counted by the app above this one.

Seats are the registrations app's to count (registrations.selectors is the one home for seats
and "full"), and workshops imports nothing from registrations (STYLE.md, Layers). So the pages
ask through this hook, which registrations fills when it starts (registrations.apps): the
dependency points down, as the layers say, and registrations decides what a seat is.

Why a hook and not the pages moved up into registrations: the programme's pages, their cache
and their templates stay with the programme's tables, and only the one number that belongs to
registrations comes in from above. Without a counter (workshops on its own) the pages show no
seats.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from .models import Workshop


class SeatsLeft(Protocol):
    """What the pages show: registrations.selectors.Seats is one."""

    @property
    def left(self) -> int: ...

    @property
    def full(self) -> bool: ...


type SeatCounter = Callable[[list[Workshop]], Mapping[int, SeatsLeft]]

_counter: SeatCounter | None = None


def count_seats_with(counter: SeatCounter | None) -> None:
    """Called once by the app that counts seats (registrations.apps.ready)."""
    global _counter
    _counter = counter


def seats_left(workshops: Iterable[Workshop]) -> Mapping[int, SeatsLeft]:
    """{workshop id: its seats}, counted now in one query; empty without a counter."""
    return _counter(list(workshops)) if _counter is not None else {}
