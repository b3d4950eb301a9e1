"""Provenance, repairs and the reflection template: fields of the framework file, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.framework import check_framework, load_framework
from tests.framework.test_loader import FILE, REAL_FILE, at, edited, problems_in

PROGRAMME_NOTE = (
    "  provenance: {source: programme, note: {nl: Door de opleiding., en: By the programme.}}\n"
)


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --- The minimal file: every rule reported at its place ---------------------------------------


def test_a_bad_provenance_source_names_the_choices() -> None:
    text = edited(
        (
            '  provenance: {source: profile, citation: "Tester (2024), annex."}\n',
            '  provenance: {source: profiel, citation: "Tester (2024), annex."}\n',
        )
    )
    assert problems_in(text) == [
        f"{FILE}:{at(text, 'profiel')}: framework › provenance › source: expected one of"
        " 'profile', 'handbook' or 'programme', found the text \"profiel\""
    ]


def test_the_rating_scale_must_say_where_it_comes_from() -> None:
    descriptor = "    descriptor: {nl: Nog geen gelegenheid., en: No occasion yet.}\n"
    text = edited((descriptor + PROGRAMME_NOTE, descriptor))
    assert problems_in(text) == [f'{FILE}:21:1: rating_scale: the field "provenance" is missing']


def test_a_part_set_by_the_programme_needs_a_note() -> None:
    text = edited(
        (
            "  provenance:\n    source: programme\n"
            "    note: {nl: Gekozen door de opleiding., en: Chosen by the programme.}\n",
            "  provenance:\n    source: programme\n",
        )
    )
    assert problems_in(text) == [
        f"{FILE}:157:3: reflection_template › provenance: a part set by the training programme"
        ' needs a "note" that says so and what it rests on'
    ]


def test_a_part_from_the_source_needs_a_citation() -> None:
    text = edited(
        (
            '  provenance: {source: profile, citation: "Tester (2024), annex."}\n',
            "  provenance: {source: profile}\n",
        )
    )
    assert problems_in(text) == [
        f'{FILE}:19:15: framework › provenance: a part taken from the profile needs a "citation"'
        " that says where in the source it is"
    ]


def test_every_tool_says_where_it_comes_from() -> None:
    text = edited(
        (
            '    provenance: {source: handbook, citation: "Tester (2024), chapter 2."}\n'
            "  - key: spaces\n",
            "  - key: spaces\n",
        )
    )
    assert problems_in(text) == [
        f'{FILE}:{at(text, "key: worries")}: tool "worries": the field "provenance" is missing;'
        " say where the tool comes from (source: handbook, with a citation)"
    ]


def test_the_original_language_must_be_one_of_the_framework() -> None:
    text = edited(
        (
            '  provenance: {source: profile, citation: "Tester (2024), annex."}\n',
            '  provenance: {source: profile, citation: "Tester (2024), annex.",'
            " original_language: fi}\n",
        )
    )
    assert problems_in(text) == [
        f'{FILE}:{at(text, "fi}")}: framework › provenance › original_language: "fi" is not'
        " one of the framework's languages (nl, en); give the language the source uses for"
        " this text"
    ]


REPAIRS = """
repairs:
  - key: innovation.enterprising.proactive
    before: Neemt initiatief
    after: Neemt initiatief.
"""


def test_a_valid_repair_is_kept() -> None:
    Path(FILE).write_text(edited() + REPAIRS, encoding="utf-8")
    framework = load_framework(FILE)
    assert [(r.key, r.before, r.after) for r in framework.repairs] == [
        ("innovation.enterprising.proactive", "Neemt initiatief", "Neemt initiatief.")
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "  - key: innovation.enterprising.proactive\n",
            "  - key: innovation.enterprising.pro-active\n",
            "innovation.enterprising.pro-active\n    before",
            'repair 1 › key: no item in the file has the key "innovation.enterprising.pro-active";'
            " name the item that was repaired",
        ),
        (
            "    after: Neemt initiatief.\n",
            "    after: Neemt het initiatief.\n",
            "Neemt het initiatief.",
            'repair 1 › after: the text of "innovation.enterprising.proactive" does not contain'
            " this wording; copy it from the item",
        ),
        (
            "    before: Neemt initiatief\n",
            "    before: Takes the initiative\n",
            "Takes the initiative\n    after",
            'repair 1 › before: the text of "innovation.enterprising.proactive" still contains'
            " the wording before the repair",
        ),
        (
            "    before: Neemt initiatief\n",
            "",
            "- key: innovation.enterprising.proactive\n    after",
            'repair 1: the field "before" is missing',
        ),
    ],
    ids=["unknown-key", "not-applied", "still-there", "missing-field"],
)
def test_a_bad_repair_is_explained(old: str, new: str, needle: str, message: str) -> None:
    text = edited() + REPAIRS.replace(old, new)
    where = at(text, needle)
    if needle.startswith("- key"):
        line, column = where.split(":")
        where = f"{line}:{int(column) + 2}"
    assert problems_in(text) == [f"{FILE}:{where}: {message}"]


# --- The real file ------------------------------------------------------------------------------


@pytest.fixture
def real():  # type: ignore[no-untyped-def]
    return load_framework(REAL_FILE)


def test_parts_written_for_the_portfolio_are_marked_as_set_by_the_programme(real) -> None:
    for part in (real.rating_scale, real.rubric, real.reflection_template):
        assert part.provenance.source == "programme"
        assert part.provenance.note and {"nl", "en"} <= set(part.provenance.note)
    assert "Weerheijm" in real.rubric.provenance.note["en"]
    assert "no levels" in real.rubric.provenance.note["en"]


def test_the_profile_and_the_tools_cite_their_source(real) -> None:
    assert real.meta.provenance.source == "profile"
    assert "Kerncompetenties voor Dialogische begeleiders" in real.meta.provenance.citation
    assert "Weerheijm (2023)" in real.meta.provenance.citation
    for tool in real.toolbox:
        assert tool.provenance is not None and tool.provenance.source == "handbook"
        assert tool.provenance.citation
    assert "Eriksson & Arnkil" in real.toolbox[0].provenance.citation


def test_the_back_translated_heading_is_marked(real) -> None:
    element = next(
        e for c in real.competencies for e in c.elements if e.key == "collaboration.communication"
    )
    assert element.title_provenance is not None
    assert element.title_provenance.original_language == "en"
    assert element.title["en"] in element.title_provenance.note["nl"]
    assert "back-translation" in element.title_provenance.note["en"]


def test_competency_1_says_it_has_no_toolbox_element(real) -> None:
    innovation = real.competencies[0]
    assert innovation.number == 1
    assert not any(element.key.endswith(".toolbox") for element in innovation.elements)
    assert innovation.provenance is not None
    assert (
        "no behavioural element on using the dialogical work toolbox"
        in (innovation.provenance.note["en"])
    )
    for competency in real.competencies[1:]:
        assert competency.elements[-1].key == f"{competency.key}.toolbox"


def test_the_starr_template_lives_in_the_file(real) -> None:
    template = real.reflection_template
    assert template.key == "template.starr"
    assert template.text["en"].startswith("**Situation** —")
    assert "**Reflectie** —" in template.text["nl"]


def test_dutch_repairs_are_applied_and_listed(real) -> None:
    listed = {(r.key, r.before, r.after) for r in real.repairs}
    assert ("innovation.enterprising.proactive", "pro actief", "proactief") in listed
    assert ("learning.reflection.analysis", "ten aan zien", "ten aanzien") in listed
    text = REAL_FILE.read_text(encoding="utf-8")
    body = text[: text.index("\nrepairs:")]
    for slip in ("pro actief", "h/zij", "er op ", "er naar ", "er toe "):
        assert slip not in body, slip
    assert check_framework(REAL_FILE) == []


def english(real, key: str) -> str:  # type: ignore[no-untyped-def]
    return next(ind.text["en"] for _c, _e, ind in real.ratable() if ind.key == key)


def test_english_translations_carry_the_meaning(real) -> None:
    assert "socially committed" in english(real, "demand.awareness.social-engagement")
    assert "societal forces and interests at play" in english(real, "demand.questions.force-field")
    assert english(real, "demand.questions.problem-definition").count("?") == 3
    assert "recognising what the other fields bring" in english(
        real, "collaboration.common-goals.interdisciplinary"
    )
    assert english(real, "learning.willingness.accountable") == (
        "You are open to being held to account for your actions"
    )
    assert "end of your nose" not in english(real, "demand.awareness.anticipation")
    assert "with one another" not in english(real, "demand.awareness.practice-situations")
    assert "enrich your knowledge" in english(real, "knowledge.development.combining")
    assert "fall short" in english(real, "innovation.exploring.other-insights")


# Ratings are stored against these keys: a text edit must never change one.
STABLE_KEYS = [
    "innovation.enterprising.proactive", "innovation.enterprising.decisive",
    "innovation.enterprising.opportunities", "innovation.exploring.other-insights",
    "innovation.exploring.new-perspectives", "innovation.exploring.future-scenarios",
    "innovation.exploring.research-methods", "innovation.courage.experiments",
    "innovation.courage.uncertain-outcome", "innovation.courage.risks",
    "innovation.creative.letting-go", "innovation.creative.other-disciplines",
    "innovation.creative.out-of-the-box", "innovation.creative.originality",
    "innovation.creative.new-scenarios", "innovation.creative.multiple-solutions",
    "demand.awareness.trends", "demand.awareness.anticipation",
    "demand.awareness.practice-situations", "demand.awareness.opportunities",
    "demand.awareness.environmental-factors", "demand.awareness.social-engagement",
    "demand.questions.dialogue", "demand.questions.problem-definition",
    "demand.questions.existing-knowledge", "demand.questions.reformulate",
    "demand.questions.force-field", "demand.application.feasible-solutions",
    "demand.application.practice-solutions", "demand.toolbox",
    "collaboration.common-goals.commitment", "collaboration.common-goals.co-creation",
    "collaboration.common-goals.joint-work", "collaboration.common-goals.interdisciplinary",
    "collaboration.common-goals.alignment", "collaboration.common-goals.team-interest",
    "collaboration.common-goals.concessions", "collaboration.network.build",
    "collaboration.network.use", "collaboration.communication.enthuse",
    "collaboration.communication.consult", "collaboration.communication.share-work",
    "collaboration.communication.constructive", "collaboration.toolbox",
    "learning.self-directed.goals", "learning.willingness.feedback",
    "learning.willingness.values", "learning.willingness.accountable",
    "learning.willingness.unlearning", "learning.willingness.outdated-knowledge",
    "learning.willingness.boundaries", "learning.reflection.analysis",
    "learning.reflection.strengths", "learning.toolbox", "knowledge.development.combining",
    "knowledge.development.expertise-of-others", "knowledge.development.building-on",
    "knowledge.application.patterns", "knowledge.application.new-answers",
    "knowledge.application.factors", "knowledge.sharing.practice-knowledge",
    "knowledge.sharing.new-knowledge", "knowledge.sharing.connections", "knowledge.toolbox",
]  # fmt: skip


def test_every_ratable_key_is_unchanged(real) -> None:
    assert [indicator.key for _c, _e, indicator in real.ratable()] == STABLE_KEYS
