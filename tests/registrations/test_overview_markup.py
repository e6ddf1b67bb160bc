"""The overview page, with registrations and check-ins on it, is valid HTML5."""

from django.urls import reverse

from registrations import services
from tests.conftest import register_people
from tests.test_accessibility import vnu_problems


def test_the_overview_with_registrations_and_attendance_is_valid_html5(
    organiser_client, organiser, programme, tmp_path
):
    anna, _bertil = register_people(programme, 2)
    w1 = programme.workshops.get(number=1)
    services.check_in(registration=anna, workshop=w1, by=services.Actor.of(organiser))
    page = organiser_client.get(reverse("admin:registrations_overview", args=[programme.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Anmälningar per dag" in html and "Närvaro" in html
    file = tmp_path / "overview.html"
    file.write_text(html)
    # Django's own navigation sidebar, above the page's content, has short table rows.
    content_starts = html[: html.index('id="content-main"')].count("\n") + 1
    problems = [p for p in vnu_problems([file]) if int(p.split(":")[1]) >= content_starts]
    assert problems == []
