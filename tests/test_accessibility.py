"""Every public page: valid HTML5 (the Nu Html Checker) and no axe-core WCAG 2.2 AA violations.

The checkers come from the npm registry; `make test` installs them into .venv/npm.
"""

import json
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import Registration
from tests.registrations.test_pages import form_data

NODE_MODULES = Path(__file__).resolve().parent.parent / ".venv" / "npm" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Every public page is checked in Swedish and in English (the browser's language chooses).
BROWSER_LOCALES = {"sv": "sv-SE", "en": "en-GB"}
TEXTS = {
    "sv": {
        "send registration": "Skicka anmälan",
        "send proposal": "Skicka förslaget",
        "proposal received": "Tack! Förslaget är mottaget",
    },
    "en": {
        "send registration": "Send the registration",
        "send proposal": "Send the proposal",
        "proposal received": "Thank you! The proposal has been received",
    },
}


@pytest.fixture(params=list(BROWSER_LOCALES))
def language(request, client):
    """The pages' language; the test client asks for it as a browser does."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = request.param
    return request.param


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make test`, which installs the checkers")
    return path


def public_paths(client, event) -> list[str]:
    """Every participant-facing page, in the states a person meets them."""
    register = reverse("registrations:register", args=[event.slug])
    client.post(register, form_data(event))
    registration = Registration.objects.get()
    token = registration.token
    # Full workshops in passes 1 and 2, and a place in the queue for the one in pass 2, so the
    # private page shows both the queue and the form to join one.
    own = registration.choices.values("workshop_id")
    full = {}
    for number in (1, 2):
        full[number] = event.workshops.filter(slot__number=number).exclude(pk__in=own).first()
        full[number].capacity = 0
        full[number].save()
    services.join_queue(registration=registration, workshop=full[2])
    # The form and the change form now offer "Ställ mig i kö" for the full ones; a second
    # person queues from the form, so the thanks page lists the queue too.
    client.post(register, form_data(event, email="bertil@example.se", queue_1=str(full[1].pk)))
    return [
        "/",
        reverse("workshops:workshop_detail", args=[event.slug, 11]),
        register,
        reverse("registrations:thanks", args=[event.slug]),
        reverse("registrations:request_link", args=[event.slug]),
        reverse("registrations:link_sent", args=[event.slug]),
        reverse("registrations:private", args=[token]),
        reverse("registrations:change", args=[token]),
        reverse("registrations:cancel", args=[token]),
        reverse("registrations:erase", args=[token]),
        reverse("registrations:cancelled", args=[event.slug]),
        reverse("registrations:erased", args=[event.slug]),
        reverse("privacy"),
        reverse("event_privacy", args=[event.slug]),
        # A full workshop's page: its button offers to queue.
        reverse("workshops:workshop_detail", args=[event.slug, full[2].number]),
        "/finns-inte/",
    ]


@pytest.fixture
def error_page_html(client, programme, language):
    """The registration form as it comes back with errors in every part."""
    register = reverse("registrations:register", args=[programme.slug])
    return client.post(register, {"email": "fel", "pass_1": "x"}).content.decode()


def test_pages_are_valid_html5(client, programme, error_page_html, tmp_path, settings, language):
    settings.DEBUG = False
    files = []
    for i, path in enumerate(public_paths(client, programme)):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        files.append(tmp_path / f"page{i}.html")
        files[-1].write_bytes(response.content)
    files.append(tmp_path / "errors.html")
    files[-1].write_text(error_page_html)
    assert vnu_problems(files) == []


def vnu_problems(files: list[Path]) -> list[str]:
    result = subprocess.run(
        ["java", "-jar", str(require(VNU)), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]


def proposal_paths(voter) -> list[str]:
    """The public proposals pages: the list (filtered too), the form, and a voter's ballot."""
    return [
        reverse("proposals:list"),
        reverse("proposals:list") + "?region=Region+Kronoberg&format=erfa",
        reverse("proposals:create"),
        reverse("proposals:vote", args=[voter.token]),
    ]


@pytest.fixture
def ballot(db):
    from django.core.management import call_command

    from proposals.models import PrioritisationRound, Voter

    call_command("loaddata", "fixtures/proposals_2018.json", verbosity=0)
    round_ = PrioritisationRound.objects.create(title="Idéworkshop", year=2018)
    return Voter.objects.create(round=round_, name="Anna", email="anna@example.se")


def test_proposal_pages_are_valid_html5(client, ballot, tmp_path, settings, language):
    from tests.proposals.test_pages import valid_data

    settings.DEBUG = False
    pages = {f"page{i}": client.get(path) for i, path in enumerate(proposal_paths(ballot))}
    create = reverse("proposals:create")
    pages["form-errors"] = client.post(create, valid_data(title="", region="annan"))
    # The ballot's fields are named by the proposals' ids, which PostgreSQL does not start
    # again at 1 for every test.
    first, second = ballot.round.proposals().order_by("pk").values_list("pk", flat=True)[:2]
    pages["ballot-errors"] = client.post(
        reverse("proposals:vote", args=[ballot.token]), {f"p{first}": "9", f"p{second}": "-1"}
    )
    client.post(create, valid_data())
    pages["receipt"] = client.get(reverse("proposals:received"))
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    assert vnu_problems(files) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_proposal_pages_have_no_axe_violations(live_server, ballot, browser, width, language):
    from tests.proposals.test_pages import valid_data

    axe = require(AXE).read_text()
    context = new_context(browser, width, language)
    page = context.new_page()
    found = {}
    for path in proposal_paths(ballot):
        page.goto(live_server.url + path)
        found[path] = run_axe(page, axe)
    # The form refused, then sent: the receipt.
    page.goto(live_server.url + reverse("proposals:create"))
    page.get_by_role("button", name=TEXTS[language]["send proposal"]).click()
    page.get_by_role("alert").wait_for()
    found["form with errors"] = run_axe(page, axe)
    data = valid_data()
    for name in ("title", "description"):
        page.fill(f"#id_{name}", data[name])
    for name in ("format", "year", "region"):
        page.select_option(f"#id_{name}", data[name])
    page.get_by_role("button", name=TEXTS[language]["send proposal"]).click()
    page.get_by_role("heading", name=TEXTS[language]["proposal received"]).wait_for()
    found["receipt"] = run_axe(page, axe)
    # A ballot with every description unfolded.
    page.goto(live_server.url + reverse("proposals:vote", args=[ballot.token]))
    for summary in page.locator("summary").all():
        summary.click()
    found["ballot unfolded"] = run_axe(page, axe)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_axe_violations(live_server, programme, client, browser, width, language):
    axe = require(AXE).read_text()
    context = new_context(browser, width, language)
    page = context.new_page()
    found = {}
    paths = public_paths(client, programme)
    for path in paths:
        page.goto(live_server.url + path)
        found[path] = run_axe(page, axe) + heading_skips(page)
    # And the form after a refused submission.
    page.goto(live_server.url + paths[2])
    page.get_by_role("button", name=TEXTS[language]["send registration"]).click()
    page.locator("#error-summary").wait_for()
    found["form with errors"] = run_axe(page, axe)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}


def new_context(browser, width, language):
    # bypass_csp lets the test inject axe; the pages themselves keep their strict policy.
    return browser.new_context(
        viewport={"width": width, "height": 900},
        bypass_csp=True,
        locale=BROWSER_LOCALES[language],
    )


def heading_skips(page) -> list[str]:
    """Headings that skip a level (an h3 right after the h1): axe counts it as best practice,
    not WCAG, so it is checked here; a screen reader's outline of the page has a hole there."""
    levels = page.evaluate(
        "[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1])"
    )
    return [
        f"h{after} after h{before}"
        for before, after in zip([0, *levels], levels, strict=False)
        if after > before + 1
    ]


def run_axe(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return [document.activeElement.textContent.trim(), style.outlineStyle, style.outlineWidth,
          style.outlineColor];
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_header_links_show_a_white_focus_ring(live_server, programme, desktop):
    """Tabbing through the navy header: each link gets the site's 3 px ring, in white (Bootstrap's
    nav-link focus, a faint blue shadow, hardly shows on navy: WCAG 2.4.7)."""
    desktop.goto(f"{live_server.url}/{programme.slug}/anmalan/")
    desktop.keyboard.press("Tab")  # the skip link
    rings = []
    for _ in range(3):
        desktop.keyboard.press("Tab")
        rings.append(desktop.evaluate(FOCUS_RING))
    assert rings == [
        [name, "solid", "3px", "rgb(255, 255, 255)"] for name in ("Reglab", "Program", "Förslag")
    ]


def logged_in_to_admin(live_server, browser, width):
    """A browser context logged in as the user "organiser" (password "not-used")."""
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "organiser")
    page.fill("#id_password", "not-used")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_admin_index_has_no_axe_violations(
    live_server, programme, django_user_model, browser, width, settings, tmp_path
):
    """The organisers' panels on the admin's front page: their links are targets of 24 px at
    least (WCAG 2.5.8), like the rest of the page. One message failed, one waits to be
    tried again, so the e-mail panel shows both its links."""
    from django_tasks_db.models import DBTaskResult

    from tests.conftest import register_people

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    register_people(programme, 2)
    failed, waiting = DBTaskResult.objects.all()
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED")
    DBTaskResult.objects.filter(pk=waiting.pk).update(worker_ids=["w"])
    django_user_model.objects.create_superuser("organiser", "o@example.se", "not-used")
    context, page = logged_in_to_admin(live_server, browser, width)
    assert page.locator("#reglab-organiser-panel a").count() == 3
    assert page.locator("#reglab-mail-panel a").count() == 2
    page.screenshot(path=tmp_path / f"admin-index-{width}.png", full_page=True)
    violations = run_axe(page, require(AXE).read_text())
    context.close()
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_403_page_is_valid_html5_and_has_no_axe_violations(
    live_server, django_user_model, browser, tmp_path
):
    """What a login without the permission gets in the admin: the site's own page."""
    django_user_model.objects.create_user("no-rights", password="not-used", is_staff=True)
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "no-rights")
    page.fill("#id_password", "not-used")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    response = page.goto(live_server.url + reverse("admin:registrations_registration_add"))
    assert response.status == 403
    html = tmp_path / "403.html"
    html.write_bytes(response.body())
    violations = run_axe(page, require(AXE).read_text())
    context.close()
    assert violations == []
    result = subprocess.run(
        ["java", "-jar", str(require(VNU)), "--format", "json", "--exit-zero-always", html],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [m["message"] for m in json.loads(result.stderr)["messages"]] == []


@pytest.mark.parametrize("width", [360, 1280])
def test_message_pages_have_no_axe_violations(
    live_server, programme, django_user_model, browser, width
):
    """The organisers' message pages: a draft with its preview, a sent message, its
    recipients and the list of messages."""
    from registrations.models import Message
    from tests.conftest import register_people
    from workshops.models import Workshop

    register_people(programme, 2, index=0)
    user = django_user_model.objects.create_superuser("organiser", "o@example.se", "not-used")
    draft = Message.objects.create(event=programme, subject="W6 har bytt lokal", body="{program}")
    draft.workshops.set([Workshop.objects.get(event=programme, number=6)])
    sent = Message.objects.create(event=programme, subject="Ta med dator", audience="everyone")
    services.send_message(message=sent, by=services.Actor.of(user))
    context, page = logged_in_to_admin(live_server, browser, width)
    axe = require(AXE).read_text()
    violations = {}
    for url in [
        reverse("admin:registrations_message_change", args=[draft.pk]),
        reverse("admin:registrations_message_change", args=[sent.pk]),
        reverse("admin:registrations_messagerecipient_changelist")
        + f"?message__id__exact={sent.pk}",
        reverse("admin:registrations_message_changelist"),
    ]:
        page.goto(live_server.url + url)
        violations[url] = run_axe(page, axe)
    context.close()
    assert violations == dict.fromkeys(violations, [])
