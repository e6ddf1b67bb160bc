"""English: the catalogue translates every Swedish source string, and the public pages in
English show no Swedish interface word (Swedish content is inside lang="sv" elements)."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import Registration
from tests.registrations.test_pages import form_data
from tests.test_accessibility import proposal_paths, public_paths
from workshops.models import Workshop

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# What `make messages` scans (the Makefile's MESSAGES_IGNORE leaves out the rest).
SOURCES = ["manage.py", "reglab", "workshops", "registrations", "proposals", "templates", "locale"]

# Swedish interface words, whole words, case-sensitive. ("Organisation" is English too.)
SWEDISH_WORDS = [
    "Anmäl",
    "Anmälan",
    "anmälan",
    "Avboka",
    "avboka",
    "Pass",
    "pass",
    "Ändra",
    "Fullt",
    "kö",
    "kön",
    "Skicka",
    "Namn",
    "E-post",
    "Tillbaka",
    "Hem",
    "Program",
    "Förslag",
    "Lokal",
    "Medverkande",
    "Välj",
    "Spara",
    "Tack",
    "platser",
    "kvar",
    "och",
    "att",
    "är",
    "för",
    "du",
    "din",
    "dina",
    "inte",
    "eller",
    "som",
    "på",
    "med",
    "till",
    "kl",
]
SWEDISH_WORD = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, SWEDISH_WORDS)) + r")(?![\w-])")
# Attributes a person reads or hears.
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "value"}
READ_VALUE_OF = {"button", "input"}  # value= only where it is shown (a submit button)


class InterfaceText(HTMLParser):
    """The text and the read attributes of a page, leaving out elements in lang="sv"."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, *, with_title: bool):
        super().__init__(convert_charrefs=True)
        self.with_title = with_title
        self.stack: list[tuple[str, bool]] = []  # (tag, whether it is Swedish content)
        self.parts: list[str] = []
        self.html_lang = None

    @property
    def in_swedish(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def skipped(self) -> bool:
        # <title> cannot mark a Swedish event name or workshop title as Swedish.
        left_out = ("script", "style") if self.with_title else ("script", "style", "title")
        return any(tag in left_out for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        lang = attrs.get("lang")
        swedish = self.in_swedish if lang is None else lang.startswith("sv")
        if not swedish and not self.skipped:
            for name in READ_ATTRIBUTES & attrs.keys():
                if name == "value" and (tag not in READ_VALUE_OF or attrs.get("type") == "hidden"):
                    continue
                self.parts.append(attrs[name] or "")
        if tag not in self.VOID:
            self.stack.append((tag, swedish))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.in_swedish and not self.skipped:
            self.parts.append(data)


def swedish_words(html: str, *, with_title: bool = False) -> tuple[str | None, list[str]]:
    parser = InterfaceText(with_title=with_title)
    parser.feed(html)
    text = " ".join(parser.parts)
    found = []
    for match in SWEDISH_WORD.finditer(text):
        found.append(text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " "))
    return parser.html_lang, found


def test_the_word_check_finds_swedish_outside_lang_sv_and_not_inside():
    page = (
        '<html lang="en"><body><p>Choose</p><p lang="sv">Välj och skicka</p>'
        '<button value="x">Skicka anmälan</button><input type="hidden" value="Pass"></body></html>'
    )
    lang, found = swedish_words(page)
    assert lang == "en"
    assert len(found) == 2 and "Skicka" in found[0]


# The catalogue


def test_every_catalogue_entry_has_an_english_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.obsolete_entries() == []
    assert not catalogue.metadata_is_fuzzy


def test_translations_keep_the_placeholders():
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[sd]|\{[^}]*\}")
    different = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0])]
            pairs.append((entry.msgid_plural, entry.msgstr_plural[1]))
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, english in pairs:
            expected = sorted(placeholder.findall(source))
            if sorted(placeholder.findall(english)) != expected and not (
                # Singular forms may leave out the number ("the person registered").
                entry.msgid_plural and source == entry.msgid
            ):
                different.append(source)
    assert different == []


def test_the_compiled_catalogue_matches_the_po_file():
    po = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(CATALOGUE))}
    mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(COMPILED))}
    mo.pop((None, ""), None)  # the header
    assert mo == po, "run `make messages` (compilemessages) and commit the .mo"


def test_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path):
    """A new {% translate %} or gettext() without an English entry fails here."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env={"DJANGO_DEBUG": "on", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    assert [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed] == []
    assert [e.msgid for e in fresh.untranslated_entries()] == []


# The pages


def in_english(event):
    """An organiser's English texts for the event and its workshops."""
    event.name_en = "Insight from outlook – learn how others do regional development!"
    event.tagline_en = "A conference day on regional development"
    event.introduction_en = "Fifteen workshops in three sessions."
    event.save()
    for workshop in Workshop.objects.filter(event=event):
        workshop.title_en = f"Workshop number {workshop.number}"
        workshop.description_en = f"What happens in workshop {workshop.number}."
        workshop.save()


def every_public_page(client, event) -> dict[str, str]:
    pages = {}
    for path in public_paths(client, event):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        pages[path] = response.content.decode()
    register = reverse("registrations:register", args=[event.slug])
    pages["form with errors"] = client.post(register, {"email": "fel", "pass_1": "x"})
    pages["form with errors"] = pages["form with errors"].content.decode()
    return pages


@pytest.fixture
def voter(db):
    from django.core.management import call_command

    from proposals.models import PrioritisationRound, Voter

    call_command("loaddata", "fixtures/proposals_2018.json", verbosity=0)
    round_ = PrioritisationRound.objects.create(title="Idéworkshop", year=2018)
    return Voter.objects.create(round=round_, name="Anna", email="anna@example.se")


def english_client(client, way):
    if way == "Accept-Language":
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    else:
        # The switch's cookie wins over a Swedish browser.
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv-SE,sv;q=0.9"
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert response.cookies["django_language"].value == "en"
    return client


@pytest.mark.parametrize("way", ["Accept-Language", "cookie"])
def test_public_pages_in_english_have_no_swedish_interface_words(client, programme, voter, way):
    in_english(programme)
    # Swedish first in the same process: nothing kept per process may leak into English.
    client.get("/")
    client.get(reverse("registrations:register", args=[programme.slug]))
    english_client(client, way)
    pages = every_public_page(client, programme)
    for path in proposal_paths(voter):
        pages[path] = client.get(path).content.decode()
    pages["proposal form with errors"] = client.post(
        reverse("proposals:create"), {}
    ).content.decode()
    found = {}
    for name, page in pages.items():
        # With the English texts filled in, even the <title>s are English.
        lang, words = swedish_words(page, with_title=True)
        assert lang == "en", name
        if words:
            found[name] = words
    assert found == {}, "\n".join(f"{k}: {v[:6]}" for k, v in found.items())


def test_pages_without_english_texts_mark_the_swedish_ones(client, programme):
    """No English title: the Swedish title is shown inside lang="sv" (WCAG 3.1.2)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    workshop = Workshop.objects.get(event=programme, number=3)
    page = client.get("/").content.decode()
    assert f' lang="sv">{workshop.title}</a>' in page.replace("&#x27;", "'")
    detail = client.get(reverse("workshops:workshop_detail", args=[programme.slug, 3]))
    assert f'<span lang="sv">{workshop.title}</span>' in detail.content.decode().replace(
        "&#x27;", "'"
    )
    assert swedish_words(detail.content.decode())[1] == []


def test_an_english_title_replaces_the_swedish_one_on_english_pages_only(client, programme):
    Workshop.objects.filter(event=programme, number=3).update(title_en="How regions learn")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    swedish = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert ">How regions learn</a>" in english
    assert "How regions learn" not in swedish


def test_the_admin_stays_swedish_for_an_english_browser(admin_client):
    page = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="sv"' in page.content.decode()
    assert "Konferensdagen" in page.content.decode()


def test_the_language_switch_sets_a_cookie_and_no_session(client, programme):
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'lang="en">English</button>' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/utsikt-ar-insikt/"})
    assert response["Location"] == "/utsikt-ar-insikt/"
    assert sorted(response.cookies) == ["django_language"]
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert 'lang="sv">Svenska</button>' in english
    assert "sessionid" not in client.cookies


def test_error_pages_in_english():
    with translation.override("en"):
        for name in ("404.html", "403.html", "429.html", "500.html", "503.html"):
            lang, words = swedish_words(render_to_string(name))
            assert (name, lang, words) == (name, "en", [])


# Every error message of the registration and change forms, in English, the typed values kept


def english_post(client, url, data):
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_registration_form_errors_are_english_and_keep_what_was_typed(client, programme):
    in_english(programme)
    url = reverse("registrations:register", args=[programme.slug])
    cases = {
        "nothing": ({}, ["Enter your e-mail address.", "Enter your name.", "Choose a workshop in"]),
        "bad address": (
            form_data(programme, email="anna@", name="Anna Typed"),
            ["Enter a valid e-mail address", 'value="Anna Typed"', 'value="anna@"'],
        ),
        "no consent": (
            form_data(programme, consent="", organisation="Typed Org"),
            ["You need to agree to this to register.", 'value="Typed Org"'],
        ),
        "no organisation": (form_data(programme, organisation=""), ["Enter the organisation"]),
        "line break": (
            form_data(programme, name="Anna\nAndersson"),
            ["The name contains characters that are not allowed"],
        ),
        "organisation line break": (
            form_data(programme, organisation="Region\tTest"),
            ["The organisation contains characters that are not allowed"],
        ),
        "tampered choice": (
            form_data(programme, pass_1="999999"),
            ["Choose one of the workshops in Session 1."],
        ),
        "queue for a free workshop": (
            form_data(programme, queue_2=str(Workshop.objects.get(event=programme, number=8).pk)),
            ["has free seats: choose it instead of waiting."],
        ),
    }
    problems = {}
    for name, (data, expected) in cases.items():
        page = english_post(client, url, data)
        missing = [text for text in expected if text not in page]
        lang, words = swedish_words(page)
        if missing or words or lang != "en":
            problems[name] = (missing, words)
    assert problems == {}
    assert not Registration.objects.exists()


def test_a_workshop_that_filled_up_is_named_in_english(client, programme):
    in_english(programme)
    url = reverse("registrations:register", args=[programme.slug])
    data = form_data(programme)
    Workshop.objects.filter(pk=data["pass_1"]).update(capacity=0)
    page = english_post(client, url, data)
    number = Workshop.objects.get(pk=data["pass_1"]).number
    assert (
        f"W{number} Workshop number {number} has become full. Choose another workshop in Session 1."
        in page
    )
    assert swedish_words(page)[1] == []


def test_change_form_errors_are_english(client, programme):
    in_english(programme)
    client.post(reverse("registrations:register", args=[programme.slug]), form_data(programme))
    registration = Registration.objects.get()
    url = reverse("registrations:change", args=[registration.token])
    own = registration.choices.get(slot__number=1).workshop
    full = Workshop.objects.filter(slot=own.slot).exclude(pk=own.pk).first()
    full.capacity = 0
    full.save()
    base = form_data(programme, name="Anna Changed")
    cases = {
        "no name": ({**base, "name": ""}, ["Enter your name."]),
        "tampered": ({**base, "pass_2": "x"}, ["Choose one of the workshops in Session 2."]),
        "own workshop queued": (
            {**base, "queue_1": str(own.pk)},
            [f"You already have a seat in {own.code}, so you cannot wait for it."],
        ),
        "two queues": (
            {**base, "queue_1": [str(full.pk), str(own.pk)]},
            ["You can be on the waiting list for one workshop per session."],
        ),
        "full workshop": ({**base, "pass_1": str(full.pk)}, ["has become full"]),
    }
    problems = {}
    for name, (data, expected) in cases.items():
        page = english_post(client, url, data)
        missing = [text for text in expected + ['value="Anna Changed"'] if text not in page]
        if name == "no name":
            missing.remove('value="Anna Changed"')
        words = swedish_words(page)[1]
        if missing or words:
            problems[name] = (missing, words)
    assert problems == {}
    assert Registration.objects.get().name == "Anna Andersson"


def test_the_private_page_actions_answer_in_english(client, programme):
    client.post(reverse("registrations:register", args=[programme.slug]), form_data(programme))
    registration = Registration.objects.get()
    own = registration.choices.get(slot__number=2).workshop
    full = Workshop.objects.filter(slot=own.slot).exclude(pk=own.pk).first()
    full.capacity = 0
    full.save()
    services.join_queue(registration=registration, workshop=full)
    page = client.get(
        reverse("registrations:private", args=[registration.token]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "place 1 on the waiting list for" in page
    assert swedish_words(page)[1] == []
