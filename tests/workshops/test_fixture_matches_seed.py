"""The programme fixture says exactly what the printed programme says.

The seed is the text extracted from the printed programme. Its layout hyphenated words across
line breaks ("Ut-\\nvecklingsstrategi"); those are joined, while a hyphen followed by a space
("utbildnings- och") is a real one and stays.
"""

import re
from pathlib import Path

import pytest

from workshops.models import Event, Presenter, Workshop, WorkshopPresenter

# A copy of ../shared/seeds/000_6a8b3892c536772d.txt, kept in the repo so this test always runs.
SEED = Path(__file__).resolve().parent.parent / "data" / "000_6a8b3892c536772d.txt"

# What may stand between the people and organisations in a credit line.
CONNECTIVES = {"och", "samt", "från", "Samtalsledare:"}


def normalise(text: str) -> str:
    text = re.sub(r"(?<=\w)-\n\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_blocks() -> tuple[str, dict[int, str]]:
    text = SEED.read_text(encoding="utf-8").split("WORKSHOPAR OCH INNEHÅLL")[0]
    head, *parts = re.split(r"^(?=W\d+\. )", text, flags=re.MULTILINE)
    return normalise(head), {
        int(re.match(r"W(\d+)\.", part).group(1)): normalise(part) for part in parts
    }


def test_seed_has_fifteen_workshops_and_fixture_has_them_all(programme):
    _, blocks = seed_blocks()
    assert sorted(blocks) == list(range(1, 16))
    assert list(Workshop.objects.values_list("number", flat=True)) == list(range(1, 16))


def test_event_name_tagline_and_introduction_are_verbatim(programme):
    head, _ = seed_blocks()
    event = Event.objects.get()
    # The printed cover sets the name in capitals.
    assert head.startswith(f"{event.name.upper()} {event.tagline} ")
    assert event.introduction.startswith("Hur gör de andra regionerna?")
    assert f" {event.introduction} " in f" {head} "


@pytest.mark.parametrize("number", range(1, 16))
def test_title_description_and_people_match_the_seed(programme, number):
    _, blocks = seed_blocks()
    block = blocks[number]
    workshop = Workshop.objects.for_programme().get(number=number)

    opening = f"W{number}. {workshop.title} {workshop.description} "
    assert block.startswith(opening), f"W{number}: title or description differs from the seed"
    credits = block[len(opening) :]

    # Everyone appears in printed order, with their organisation and role.
    position = -1
    for wp in workshop.ordered_presenters():
        name = wp.presenter.name
        assert name in credits, f"W{number}: {name} is not in the seed's credit line"
        assert credits.index(name) > position, f"W{number}: {name} is out of printed order"
        position = credits.index(name)
        assert wp.presenter.organisation in credits
        if wp.role == WorkshopPresenter.Role.MODERATOR:
            assert f"Samtalsledare: {name}" in credits

    # Nothing in the credit line is left over: no lost person, no misspelt name.
    pieces = [workshop.contributors_note] if workshop.contributors_note else []
    for wp in workshop.ordered_presenters():
        p = wp.presenter
        pieces += [p.name, p.organisation] + ([p.job_title] if p.job_title else [])
    residue = credits
    for piece in sorted(pieces, key=len, reverse=True):
        residue = residue.replace(piece, " ")
    leftover = [w for w in re.split(r"[\s,.]+", residue) if w and w not in CONNECTIVES]
    assert leftover == [], f"W{number}: the fixture misses {leftover!r} from the seed"


def test_w11_has_its_moderator(programme):
    moderator = WorkshopPresenter.objects.get(
        workshop__number=11, role=WorkshopPresenter.Role.MODERATOR
    )
    assert moderator.presenter.name == "Klas Danerlöv"
    assert moderator.presenter.organisation == "SKL"


def test_goran_andersson_is_one_person_in_w2_and_w15(programme):
    goran = Presenter.objects.get(name="Göran Andersson")
    assert goran.organisation == "Vinnova"
    assert sorted(w.number for w in goran.workshops.all()) == [2, 15]


def test_w2_notes_its_unnamed_contributors(programme):
    assert Workshop.objects.get(number=2).contributors_note == "personer från Region Skåne"


def test_real_hyphens_kept_and_layout_hyphens_joined(programme):
    assert Workshop.objects.get(number=6).title == "Regional utbildnings- och arbetsmarknadsprognos"
    assert "Utvecklingsstrategi för Örebroregionen" in Workshop.objects.get(number=1).description
