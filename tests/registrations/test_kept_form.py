"""The registration form kept per shape (forms.registration_form_html, reglab.kept_frames) is
the template's own output, byte for byte, whatever the person typed, ticked and got wrong."""

import pytest
from django.http import QueryDict
from django.utils import translation

from registrations import selectors
from registrations.forms import DETAILS, RegistrationForm, _render_form, registration_form_html
from reglab import kept_fields, kept_frames
from workshops.models import Workshop


def _form(event, data=None, *, full=(), **kwargs):
    workshops = selectors.workshops_to_show(event)
    for workshop in workshops:
        if workshop.code in full:
            workshop.seats_taken = workshop.capacity or workshop.room.capacity
    if data is not None:
        posted = QueryDict(mutable=True)
        for key, value in data.items():
            posted.setlist(key, value if isinstance(value, list) else [value])
        data = posted
    form = RegistrationForm(data, workshops=workshops, **kwargs)
    if data is not None:
        form.is_valid()
    return form


def _rendered_in_full(form, event, token):
    """The template rendered with the real pieces: what the kept frame must equal."""
    groups = form.pass_groups()
    pieces = [
        token,
        *(group.options_html() for group in groups),
        *(kept_fields.crispy_field(form[name]) for name in DETAILS),
    ]
    return _render_form(form, event, groups, pieces)


def _ids(event):
    by_pass = {}
    for workshop in Workshop.objects.filter(event=event).order_by("slot__number", "number"):
        by_pass.setdefault(workshop.slot.number, []).append(workshop.pk)
    return by_pass


def _cases(event):
    ids = _ids(event)
    person = {"name": "Anna Berg", "email": "anna@kommun.se", "organisation": "Kommunen"}
    return [
        (None, {}),
        (None, {"preselect": "W2"}),
        ({}, {}),
        ({**person, "consent": "on", **{f"pass_{n}": str(w[0]) for n, w in ids.items()}}, {}),
        ({**person, "pass_1": str(ids[1][1])}, {}),
        ({"name": "A<b>\"&' x", "email": "not an address", "organisation": "<script>"}, {}),
        ({**person, "pass_1": "not a number", "pass_2": str(ids[1][0])}, {}),
        # W1 full: its queue ticked, another of the pass chosen; and two queues in a pass.
        ({**person, "pass_1": str(ids[1][1]), "queue_1": str(ids[1][0])}, {"full": ("W1",)}),
        ({**person, "queue_1": [str(ids[1][0]), str(ids[1][1])]}, {"full": ("W1", "W2")}),
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_kept_form_is_the_templates_own_byte_for_byte(programme, language):
    with translation.override(language):
        for data, options in _cases(programme):
            full = options.pop("full", ())
            # Twice each: the first builds the kept shape, the second fills it in.
            for token in ("token-one", "token-two"):
                form = _form(programme, data, full=full, **options)
                kept = registration_form_html(form, programme, token=token)
                assert kept == _rendered_in_full(form, programme, token), (data, options)


def test_what_one_person_typed_never_shows_for_another_of_the_same_shape(programme):
    ids = _ids(programme)
    choices = {f"pass_{n}": str(w[0]) for n, w in ids.items()}
    first = _form(
        programme, {"name": "Zelmira Qvist", "email": "z@b.se", "organisation": "X", **choices}
    )
    other = {f"pass_{n}": str(w[1]) for n, w in ids.items()}
    second = _form(
        programme, {"name": "Bertil Xyzzy", "email": "b@b.se", "organisation": "Y", **other}
    )
    assert "Zelmira" in registration_form_html(first, programme, token="first-token")
    html = registration_form_html(second, programme, token="second-token")
    assert "Bertil Xyzzy" in html and "second-token" in html
    assert "Zelmira" not in html and "z@b.se" not in html and "first-token" not in html
    for workshops in ids.values():
        assert f'value="{workshops[1]}" checked' in html
        assert f'value="{workshops[0]}" checked' not in html


def test_a_new_error_is_a_new_shape(programme):
    form = _form(programme, {"name": "Anna", "email": "a@b.se", "organisation": "X"})
    before = registration_form_html(form, programme, token="t")
    form.add_error("pass_1", "W1 Ett nytt meddelande har blivit fullt.")
    after = registration_form_html(form, programme, token="t")
    assert "Ett nytt meddelande" not in before
    assert after.count("Ett nytt meddelande") == 2  # in the summary and at its pass
    assert after == _rendered_in_full(form, programme, "t")


def test_pieces_go_where_their_markers_are():
    def build(given):
        return f"<a>{given[1]}</a><b>{given[0]}{given[1]}</b>"

    assert kept_frames.filled(("test", 1), build, ["X", "Y<"]) == "<a>Y<</a><b>XY<</b>"
    assert kept_frames.filled(("test", 1), build, ["1", "2"]) == "<a>2</a><b>12</b>"


def test_a_frame_kept_by_its_caller_takes_a_piece_made_inside_another():
    """The blank form's page: the page's frame is made around the form, which was filled with
    the page's own marker as its token; the page is then filled with the request's token."""

    def form(given):
        return kept_frames.filled(("test-form", 1), lambda m: f"<form>{m[0]}</form>", given)

    page = kept_frames.frame(lambda given: f"<main>{form([given[0]])}</main>", 1)
    assert kept_frames.fill(page, ["token-1"]) == "<main><form>token-1</form></main>"
    assert kept_frames.fill(page, ["token-2"]) == "<main><form>token-2</form></main>"
