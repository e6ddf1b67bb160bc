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
        reverse("registrations:cancelled", args=[event.slug]),
        reverse("privacy"),
        "/finns-inte/",
    ]


@pytest.fixture
def error_page_html(client, programme):
    """The registration form as it comes back with errors in every part."""
    register = reverse("registrations:register", args=[programme.slug])
    return client.post(register, {"email": "fel", "pass_1": "x"}).content.decode()


def test_pages_are_valid_html5(client, programme, error_page_html, tmp_path, settings):
    settings.DEBUG = False
    files = []
    for i, path in enumerate(public_paths(client, programme)):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        files.append(tmp_path / f"page{i}.html")
        files[-1].write_bytes(response.content)
    files.append(tmp_path / "errors.html")
    files[-1].write_text(error_page_html)
    result = subprocess.run(
        ["java", "-jar", str(require(VNU)), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    problems = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_axe_violations(live_server, programme, client, browser, width):
    axe = require(AXE).read_text()
    # bypass_csp lets the test inject axe; the pages themselves keep their strict policy.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    found = {}
    paths = public_paths(client, programme)
    for path in paths:
        page.goto(live_server.url + path)
        found[path] = run_axe(page, axe)
    # And the form after a refused submission.
    page.goto(live_server.url + paths[2])
    page.get_by_role("button", name="Skicka anmälan").click()
    found["form with errors"] = run_axe(page, axe)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}


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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_admin_index_has_no_axe_violations(
    live_server, programme, django_user_model, browser, width
):
    """The organisers' panel on the admin's front page: its links are targets of 24 px at
    least (WCAG 2.5.8), like the rest of the page."""
    django_user_model.objects.create_superuser("organiser", "o@example.se", "not-used")
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "organiser")
    page.fill("#id_password", "not-used")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert page.locator("#reglab-organiser-panel a").count() == 3
    violations = run_axe(page, require(AXE).read_text())
    context.close()
    assert violations == []
