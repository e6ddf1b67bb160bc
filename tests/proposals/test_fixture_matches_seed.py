"""The 2018 proposals fixture says exactly what the idea workshop's slides say.

How the slides were split into proposals (15 in all):
- One proposal per titled item. A slide heading that groups items ("Förslag Reglab aktiviteter
  2018", "Fortsatt kunskapsutveckling", "Förslag från Region Uppsala") is layout, not a proposal;
  under it, the item's line is the title ("Matcha rätt") and the text below the description.
- Bullets ("•", "–", "-" at the start of a line) and the "Förslag:" prefix are layout and dropped;
  bullet points become lines of the description. Real dashes inside a line stay.
- A line naming only the region ("Region Kronoberg", "- Västernorrland" after a title) is the
  region, by its name in the list of regions ("Västernorrland" is "Region Västernorrland"), and
  a line naming only the format ("Workshop") is the format; neither is repeated in the
  description. Sentences such as "Reglab: ERFA-träffar med andra regioner." stay in it.
- The bioekonomi slide's footer (its title again and the "mailto:" link) is layout; the address
  is the contact e-mail. The cover slide ("Reglab", "Idéworkshop 19 sept") is no proposal.
- The format is set only where the slide names one; "Lärprojekt eller nätverk" gives the first.
- Layout hyphens at line ends are joined as in the programme; a hyphen after a space is kept.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from proposals.models import Proposal

# A copy of ../shared/seeds/001_cbc1b2dc12c1557d.txt, kept in the repo so this test always runs.
SEED = Path(__file__).resolve().parent.parent / "data" / "001_cbc1b2dc12c1557d.txt"
FIXTURE = "fixtures/proposals_2018.json"
PROPOSALS_ON_THE_SLIDES = 15

# Text on the slides that belongs to no proposal's fields (see the docstring).
LAYOUT = [
    "Reglab Idéworkshop 19 sept",
    "Förslag Reglab aktiviteter 2018",
    "Fortsatt kunskapsutveckling",
    "Förslag från",
    "mailto:lena.friborg@regionvasterbotten.se",
    "Seminarium om bioekonomi",
]
# Regions the slides name without "Region".
SLIDE_NAMES = {"Region Västernorrland": "Västernorrland"}
# How each format is named on the slides.
FORMAT_WORDS = {
    Proposal.Format.LEARNING_PROJECT: "lärprojekt",
    Proposal.Format.WORKSHOP: "workshop",
    Proposal.Format.SEMINAR: "seminarium",
    Proposal.Format.EXPERIENCE_EXCHANGE: "erfa-träffar",
    Proposal.Format.NETWORK: "nätverk",
}


def on_the_slide(region: str) -> str:
    return SLIDE_NAMES.get(region, region)


def normalise(text: str) -> str:
    text = re.sub(r"(?<=\w)-\n\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_text() -> str:
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"^[ \t]*[•–-][ \t]*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^Förslag: ", "", text, flags=re.MULTILINE)
    return normalise(text)


def without_layout(text: str) -> str:
    for piece in LAYOUT:
        text = text.replace(piece, " ")
    return text


@pytest.fixture
def proposals(db):
    call_command("loaddata", FIXTURE, verbosity=0)
    return list(Proposal.objects.order_by("pk"))


@pytest.fixture
def spans(proposals):
    """Walk the seed in order: for each proposal the text around its title and description.

    Returns (before_title, between_title_and_description) per proposal and the text at the end.
    Fails when a title or description is not found, in order, word for word.
    """
    seed = seed_text()
    position, result = 0, []
    for proposal in proposals:
        title_at = seed.find(proposal.title, position)
        assert title_at >= 0, f"title not in the seed (in order): {proposal.title!r}"
        description = normalise(proposal.description)
        after_title = title_at + len(proposal.title)
        description_at = seed.find(description, after_title)
        assert description_at >= 0, f"description of {proposal.title!r} differs from the seed"
        result.append((seed[position:title_at], seed[after_title:description_at]))
        position = description_at + len(description)
    return result, seed[position:]


def test_every_proposal_on_the_slides_is_in_the_fixture(proposals):
    assert len(proposals) == PROPOSALS_ON_THE_SLIDES
    assert {p.year for p in proposals} == {2018}
    assert all(p.event is None and p.status == Proposal.Status.SUBMITTED for p in proposals)
    # Read on the day, so they are public: on the list and in the rounds.
    assert all(p.is_published for p in proposals)


def test_nothing_on_the_slides_is_left_out(proposals, spans):
    """Between the titles and descriptions only layout, regions and format labels remain."""
    gaps, tail = spans
    residue = without_layout(" ".join([text for pair in gaps for text in pair] + [tail]))
    # Each region and the one format label is removed as often as the fixture names it.
    for piece in [*(on_the_slide(p.region) for p in proposals if p.region), "Workshop"]:
        residue = residue.replace(piece, " ", 1)
    leftover = [word for word in re.split(r"[\s\-]+", residue) if word]
    assert leftover == [], f"the fixture misses {leftover!r} from the seed"


def test_region_and_format_are_set_where_the_slide_states_them(proposals, spans):
    gaps, tail = spans
    for index, proposal in enumerate(proposals):
        following = gaps[index + 1][0] if index + 1 < len(gaps) else tail
        slide = without_layout(
            " ".join([*gaps[index], proposal.title, proposal.description, following])
        )
        if proposal.region:
            assert on_the_slide(proposal.region) in slide, proposal.title
        else:
            assert "Region " not in slide.replace(proposal.description, ""), proposal.title
        named = [f for f, word in FORMAT_WORDS.items() if word in slide.lower()]
        if proposal.format:
            assert proposal.format in named, proposal.title
        else:
            assert named == [], f"{proposal.title}: the slide names {named}"


def test_bullets_and_prefixes_are_layout_not_text(proposals):
    for proposal in proposals:
        for line in proposal.description.splitlines():
            assert not re.match(r"\s*[•–-]", line), (proposal.title, line)
            assert not line.startswith("Förslag:"), proposal.title


def test_known_proposals_verbatim(proposals):
    by_title = {p.title: p for p in proposals}
    bio = by_title["Seminarium om Bioekonomi"]
    assert bio.region == "Region Västerbotten"
    assert bio.format == Proposal.Format.SEMINAR
    assert bio.contact_email == "lena.friborg@regionvasterbotten.se"
    assert "Värmland tog inititiativ" in bio.description  # the slide's spelling is kept
    assert by_title["Nätverket för näringslivsutveckling"].region == "Region Västernorrland"
    assert by_title["Land & Stad"].region == "Region Västernorrland"
    assert (
        "miljö- och tillväxtaspekter" in by_title["Miljödriven näringslivsutveckling"].description
    )
    assert [p.title for p in proposals if p.region == "Region Kronoberg"] == [
        "Socialt företagande",
        "Cirkulär ekonomi",
        "Internationalisering – små och medelstora företag",
    ]


def test_loading_twice_gives_the_same_proposals(proposals):
    call_command("loaddata", FIXTURE, verbosity=0)
    assert Proposal.objects.count() == PROPOSALS_ON_THE_SLIDES
