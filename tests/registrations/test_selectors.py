"""Seats: how full a workshop or a pass is, from the seats_taken that registrations count."""

import pytest

from registrations.selectors import Seats, workshops_with_seats
from tests.conftest import register_people
from workshops.models import Workshop


@pytest.mark.parametrize(
    ("taken", "capacity", "left", "overbooked_by", "fill_percent"),
    [
        (0, 10, 10, 0, 0),
        (3, 60, 57, 0, 5),
        (10, 10, 0, 0, 100),
        (12, 10, 0, 2, 120),  # an organiser lowered the seats and confirmed
        (0, 0, 0, 0, 0),
    ],
)
def test_seats_left_overbooked_and_fill(taken, capacity, left, overbooked_by, fill_percent):
    seats = Seats(taken, capacity)
    assert (seats.left, seats.overbooked_by, seats.fill_percent) == (
        left,
        overbooked_by,
        fill_percent,
    )


def test_seats_of_a_workshop_counts_confirmed_registrations(small_event):
    register_people(small_event, 2)
    w1 = workshops_with_seats(small_event).get(number=1)
    assert Seats.of(w1) == Seats(2, w1.effective_capacity)


def test_seats_of_a_workshop_nobody_counted_is_an_error_not_a_guess(small_event):
    with pytest.raises(AttributeError, match="seats_taken"):
        Seats.of(Workshop.objects.filter(event=small_event).first())


def test_the_programme_model_has_no_counts_of_its_own():
    """They need registrations' count, so they live in registrations.selectors."""
    for name in ("seats_left", "overbooked_by", "fill_percent"):
        assert not hasattr(Workshop, name), name
