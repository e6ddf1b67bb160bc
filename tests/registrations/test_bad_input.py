"""Whatever is typed or tampered with, the forms answer with a message or a redirect.

Never a server error, and never a half-saved registration: every registration in the
database keeps exactly one choice per pass.
"""

import pytest
from django.db.models import Count
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations.models import Registration
from tests.registrations.test_pages import form_data
from workshops.models import Workshop

# Lone surrogates cannot be sent by a browser (they are not UTF-8), everything else can.
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
nasty_text = st.one_of(
    any_text,
    st.sampled_from(["", " ", "\x00", "a\x00b", "x" * 5000, "<script>", "' OR 1=1 --", "😀" * 80]),
)
emails = st.one_of(
    nasty_text,
    st.emails().map(str),
    st.sampled_from(["anna@example.se", "ANNA@EXAMPLE.SE", "a@b", "a\x00@example.se"]),
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def choice_values(workshop_ids):
    """A real id of this pass, another pass or event, or garbage."""
    return st.one_of(
        st.sampled_from([str(pk) for pk in workshop_ids]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        nasty_text,
    )


def fields(ids, *, with_email):
    optional = {
        "name": nasty_text,
        "organisation": nasty_text,
        "pass_1": choice_values(ids),
        "pass_2": choice_values(ids),
        "pass_3": choice_values(ids),
    }
    if with_email:
        optional |= {"email": emails, "consent": st.sampled_from(["on", "", "off", "\x00"])}
    return st.fixed_dictionaries({}, optional=optional)


def assert_every_registration_whole():
    broken = Registration.objects.annotate(
        n=Count("choices"), passes=Count("choices__slot", distinct=True)
    ).exclude(n=3, passes=3)
    assert not broken.exists()


def assert_message_or_redirect(response):
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "error-summary" in response.content.decode()


@pytest.fixture
def no_ratelimit(settings):
    settings.REGLAB_RATELIMIT = False


def test_registration_form_survives_anything(client, programme, no_ratelimit):
    url = reverse("registrations:register", args=[programme.slug])
    ids = list(Workshop.objects.values_list("pk", flat=True)) + [0, 10**6]

    @FUZZ
    @given(data=fields(ids, with_email=True))
    def post(data):
        assert_message_or_redirect(client.post(url, data))
        assert_every_registration_whole()

    post()


def test_change_form_survives_anything(client, programme, no_ratelimit):
    client.post(reverse("registrations:register", args=[programme.slug]), form_data(programme))
    registration = Registration.objects.get()
    url = reverse("registrations:change", args=[registration.token])
    ids = list(Workshop.objects.values_list("pk", flat=True)) + [0, 10**6]

    @FUZZ
    @given(data=fields(ids, with_email=False))
    def post(data):
        assert_message_or_redirect(client.post(url, data))
        assert_every_registration_whole()
        assert registration.choices.count() == 3

    post()
