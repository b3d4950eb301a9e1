"""Tests for loading and checking the competence framework file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from portfolio.framework import (
    Framework,
    FrameworkError,
    Indicator,
    Problem,
    check_framework,
    framework_hash,
    load_framework,
)

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
REAL_FILE = Path(__file__).parents[2] / "competencies.yaml"
FILE = "competencies.yaml"


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test inside its own folder, so FILE is a short relative path."""
    monkeypatch.chdir(tmp_path)


def edited(*edits: tuple[str, str]) -> str:
    """The minimal framework text with each (old, new) replacement applied once."""
    text = MINIMAL
    for old, new in edits:
        assert text.count(old) == 1, f"edit target must occur exactly once: {old!r}"
        text = text.replace(old, new)
    return text


def problems_in(text: str) -> list[str]:
    """Write ``text`` to FILE and return its problems as strings."""
    Path(FILE).write_text(text, encoding="utf-8")
    return [str(problem) for problem in check_framework(FILE)]


def at(text: str, needle: str) -> str:
    """'LINE:COLUMN' (1-based) of the only occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"needle must occur exactly once: {needle!r}"
    before = text[: text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


# --- The valid file ---------------------------------------------------------------------------


def test_minimal_file_loads_with_no_problems() -> None:
    assert check_framework(DATA / "minimal.yaml") == []
    framework = load_framework(DATA / "minimal.yaml")
    assert isinstance(framework, Framework)
    assert framework.meta.languages == ["nl", "en"]
    assert framework.rating_scale.values == [1, 2, 3, 4]
    assert [level.rank for level in framework.rubric.levels] == [1, 2, 3, 4]
    assert [tool.key for tool in framework.tools()] == [
        "worries",
        "spaces",
        "spaces.physical",
        "spaces.time",
    ]
    assert [competency.number for competency in framework.competencies] == [1, 2]


def test_loaded_framework_is_immutable() -> None:
    framework = load_framework(DATA / "minimal.yaml")
    with pytest.raises(ValidationError):
        framework.schema_version = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        framework.competencies[0].key = "other"  # type: ignore[misc]


def test_element_without_indicators_is_rated_as_a_whole() -> None:
    framework = load_framework(DATA / "minimal.yaml")
    element = framework.competencies[0].elements[1]
    assert element.key == "dialogue.toolbox"
    assert element.rated_as_whole
    assert element.ratable() == [Indicator(key="dialogue.toolbox", text=element.title)]
    assert [indicator.key for indicator in framework.competencies[0].ratable()] == [
        "dialogue.listening.attentive",
        "dialogue.listening.silence",
        "dialogue.toolbox",
    ]


def test_an_empty_indicator_list_is_allowed() -> None:
    title = "          en: Uses the dialogical toolbox\n"
    assert problems_in(edited((title, title + "        indicators: []\n"))) == []


def test_anchors_and_aliases_may_repeat_a_text() -> None:
    text = edited(
        (
            "    label: {nl: Kan ik niet beoordelen, en: Cannot judge}\n",
            "    label: &unsure {nl: Weet ik niet, en: Not sure}\n",
        ),
        (
            "    descriptor: {nl: Nog geen gelegenheid., en: No occasion yet.}\n",
            "    descriptor: *unsure\n",
        ),
    )
    assert problems_in(text) == []


# --- Reporting: place, path and message -------------------------------------------------------


def test_missing_translation_names_the_key_path_and_the_language() -> None:
    text = edited(("              en: Takes the initiative.\n", ""))
    assert problems_in(text) == [
        'competencies.yaml:147:13: competency "innovation" › element "innovation.enterprising"'
        ' › indicator "innovation.enterprising.proactive" › text:'
        ' the English ("en") text is missing'
    ]


def test_file_is_named_as_the_caller_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "framework.yaml"
    path.parent.mkdir()
    path.write_text(edited(("schema_version: 1\n", "schema_version: 2\n")), encoding="utf-8")
    assert [str(problem) for problem in check_framework(path)] == [
        f"{path}:2:17: schema_version: must be 1 or less, not 2"
    ]
    assert check_framework(path)[0] == Problem(
        str(path), 2, 17, "schema_version: must be 1 or less, not 2"
    )


def test_items_without_a_usable_key_are_named_by_position() -> None:
    text = edited(("      - key: spaces.time\n", "      - key: 7\n"))
    assert problems_in(text) == [
        f'{FILE}:{at(text, "7")}: tool "spaces" › part 2 › key: expected text,'
        " found the number 7; put the value in quotes"
    ]


def test_duplicate_mapping_key_is_caught() -> None:
    text = edited(("          nl: Luisteren\n", "          nl: Luisteren\n          nl: Horen\n"))
    assert problems_in(text) == [
        f'{FILE}:{at(text, "nl: Horen")}: competency "dialogue" › element "dialogue.listening"'
        ' › title: the key "nl" appears twice in this mapping (first at line 109)'
    ]


def test_unknown_field_lists_the_allowed_ones() -> None:
    silence = "          - key: dialogue.listening.silence\n"
    text = edited((silence, silence + "            colour: red\n"))
    assert problems_in(text) == [
        f'{FILE}:122:13: competency "dialogue" › element "dialogue.listening"'
        ' › indicator "dialogue.listening.silence": unknown field "colour";'
        " allowed here: key, text, points"
    ]


def test_unknown_field_at_the_top_and_the_missing_one_it_replaces() -> None:
    text = edited(("rubric:\n", "rubrik:\n"))
    assert problems_in(text) == [
        f'{FILE}:2:1: the field "rubric" is missing',
        f'{FILE}:{at(text, "rubrik")}: unknown field "rubrik"; allowed here: schema_version,'
        " framework, rating_scale, rubric, reflection_template, feedback, toolbox,"
        " competencies, repairs",
    ]


def test_missing_field_is_reported_at_its_parent() -> None:
    text = edited(("    citation: Tester, T. (2024). A test framework.\n", ""))
    assert problems_in(text) == [
        f'{FILE}:13:3: framework › source: the field "citation" is missing'
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "          en: Uses the dialogical toolbox\n",
            "          en: Uses the dialogical toolbox\n        indicators: none\n",
            "129:21",
            'competency "dialogue" › element "dialogue.toolbox" › indicators:'
            ' expected a list, found the text "none"; start each entry on a new line'
            ' with "- "',
        ),
        (
            '  version: "1.0"\n',
            "  version: 1.0\n",
            "1.0",
            "framework › version: expected text, found the number 1.0; put the value in quotes",
        ),
        (
            "      nl: Vernieuwen\n",
            "      nl: 2025\n",
            "2025",
            'competency "innovation" › name › nl: expected text, found the number 2025;'
            " put the value in quotes",
        ),
        (
            "    - value: 3\n",
            "    - value: '3'\n",
            "'3'",
            'rating_scale › level "competent" › value: expected a whole number,'
            ' found the text "3"; remove the quotes',
        ),
        (
            "    - value: 3\n",
            "    - value: 2.5\n",
            "2.5",
            'rating_scale › level "competent" › value: expected a whole number,'
            " found the number 2.5",
        ),
        (
            "      passing: false\n",
            "      passing: 'false'\n",
            "'false'",
            'rubric › level "insufficient" › passing: expected true or false,'
            ' found the text "false"; remove the quotes',
        ),
        (
            "      - key: spaces.time\n",
            "      - spaces.time\n      - key: spaces.later\n",
            "spaces.time",
            'tool "spaces" › part 2: expected a mapping of "name: value" lines,'
            ' found the text "spaces.time"',
        ),
        (
            "  title:\n    nl: Testkader\n    en: Test framework\n",
            "  title: Test framework\n",
            "Test framework",
            'framework › title: expected a text per language, as lines such as "en: ...",'
            ' found the text "Test framework"',
        ),
    ],
    ids=[
        "list",
        "text",
        "text-in-a-language",
        "whole-number",
        "decimal",
        "true-false",
        "mapping",
        "per-language",
    ],
)
def test_wrong_type_is_explained(old: str, new: str, needle: str, message: str) -> None:
    text = edited((old, new))
    where = needle if re.fullmatch(r"\d+:\d+", needle) else at(text, needle)
    assert problems_in(text) == [f"{FILE}:{where}: {message}"]


def test_empty_text_names_the_language() -> None:
    text = edited(
        ("      nl: Dialogisch werken\n", "      nl: ''\n"),
        ("      en: Innovating\n", "      en:\n"),
    )
    assert problems_in(text) == [
        f'{FILE}:98:7: competency "dialogue" › name: the Dutch ("nl") text is empty',
        f'{FILE}:133:7: competency "innovation" › name: the English ("en") text is empty',
    ]


def test_blank_text_counts_as_empty() -> None:
    text = edited(("      nl: Ondernemend\n", "      nl: '   '\n"))
    assert problems_in(text) == [
        f'{FILE}:143:11: competency "innovation"'
        ' › element "innovation.enterprising" › title: the Dutch ("nl") text is empty'
    ]


def test_bad_key_form_is_explained() -> None:
    text = edited(("  - key: innovation\n", "  - key: Innovation X\n"))
    assert problems_in(text) == [
        f'{FILE}:{at(text, "Innovation X")}: competency "Innovation X" › key:'
        ' "Innovation X" is not a valid key: use lowercase letters, digits and hyphens,'
        " with dots between parts"
    ]


def test_bad_language_code_is_explained() -> None:
    text = edited(("      en: Innovating\n", "      EN: Innovating\n"))
    assert problems_in(text) == [
        f'{FILE}:131:5: competency "innovation" › name: the English ("en") text is missing',
        f'{FILE}:{at(text, "EN")}: competency "innovation" › name: "EN" is not a valid'
        ' language code: use 2 or 3 lowercase letters, such as "en"',
    ]


def test_too_few_entries() -> None:
    text = edited(
        ("competencies:\n  - key: dialogue\n", "competencies: []\nold:\n  - key: dialogue\n")
    )
    assert f"{FILE}:{at(text, '[]')}: competencies: needs at least 1 entry" in problems_in(text)


# --- The framework's own rules ----------------------------------------------------------------


def test_keys_are_unique_across_the_whole_file() -> None:
    text = edited(
        ("      - key: spaces.time\n", "      - key: dialogue\n"),
        ("      key: good\n", "      key: competent\n"),
    )
    assert problems_in(text) == [
        f'{FILE}:58:12: rubric › level "competent": the key "competent" is used twice'
        " (first at line 32)",
        f'{FILE}:95:10: competency "dialogue": the key "dialogue" is used twice (first at line 90)',
    ]


def test_text_in_a_language_the_framework_does_not_list() -> None:
    text = edited(("      en: Innovating\n", "      en: Innovating\n      de: Erneuern\n"))
    assert problems_in(text) == [
        f'{FILE}:{at(text, "de:")}: competency "innovation" › name: the "de" text is in a'
        ' language the framework does not list (nl, en); add "de" to framework › languages'
        " or remove it"
    ]


def test_declared_languages_must_agree() -> None:
    text = edited(
        ("  source_language: nl\n", "  source_language: fi\n"),
        ("  required_languages: [nl, en]\n", "  required_languages: [nl, en, pt, nl]\n"),
    )
    assert problems_in(text) == [
        f'{FILE}:7:20: framework › source_language: "fi" is not one of the framework\'s'
        " languages (nl, en); add it there",
        f'{FILE}:8:32: framework › required language 3: "pt" is not one of the'
        " framework's languages (nl, en); add it there",
        f'{FILE}:8:36: framework › required language 4: "nl" is listed twice (first at line 8)',
    ]


def test_required_language_must_be_present_everywhere() -> None:
    text = edited(
        ("  required_languages: [nl, en]\n", "  required_languages: [nl, en, pt]\n"),
        ("  languages: [nl, en]\n", "  languages: [nl, en, pt]\n"),
        ("    en: Test framework\n", "    en: Test framework\n    pt: Quadro de teste\n"),
    )
    found = problems_in(text)
    assert f"{FILE}:13:3: framework › source: unknown field" not in found
    assert f'{FILE}:16:5: framework › source › project: the "pt" text is missing' in found
    assert not any("framework › title" in problem for problem in found)
    assert len(found) == 52  # every text but the title lacks Portuguese


def test_rating_scale_gap() -> None:
    text = edited(("    - value: 3\n", "    - value: 5\n"))
    assert problems_in(text) == [
        f"{FILE}:22:3: rating_scale › levels: the rating scale has a gap: no level with value 3"
    ]


def test_rating_scale_repeat() -> None:
    text = edited(("    - value: 3\n", "    - value: 2\n"))
    assert problems_in(text) == [
        f"{FILE}:22:3: rating_scale › levels: the rating scale has a gap: no level with value 3",
        f'{FILE}:31:14: rating_scale › level "competent" › value: the rating scale has the'
        " value 2 twice (first at line 27)",
    ]


def test_rating_scale_order() -> None:
    text = edited(
        ("    - value: 3\n", "    - value: 4\n"),
        ("    - value: 4\n      key: ex", "    - value: 3\n      key: ex"),
    )
    assert problems_in(text) == [
        f"{FILE}:22:3: rating_scale › levels: list the levels of the rating scale in order,"
        " from value 1 upwards"
    ]


def test_rubric_rank_gap_and_repeat() -> None:
    text = edited(("    - rank: 2\n", "    - rank: 4\n"))
    assert problems_in(text) == [
        f"{FILE}:46:3: rubric › levels: the rubric has a gap: no level with rank 2",
        f'{FILE}:62:13: rubric › level "excellent" › rank: the rubric has the rank 4 twice'
        " (first at line 52)",
    ]


def test_competencies_are_numbered_in_order() -> None:
    text = edited(("    number: 2\n", "    number: 3\n"))
    assert problems_in(text) == [
        f'{FILE}:130:13: competency "innovation" › number: expected 2, not 3: number the'
        " competencies 1, 2, 3, … in the order they appear"
    ]


def test_numbers_below_one_are_reported_once() -> None:
    text = edited(("    number: 2\n", "    number: 0\n"))
    assert problems_in(text) == [
        f'{FILE}:130:13: competency "innovation" › number: must be 1 or more, not 0'
    ]


# --- Files that are not a framework at all ----------------------------------------------------


def test_missing_file() -> None:
    assert [str(p) for p in check_framework("nowhere.yaml")] == [
        "nowhere.yaml:1:1: the file does not exist; check the path"
    ]


def test_folder_instead_of_file() -> None:
    assert [str(p) for p in check_framework(".")] == [
        ".:1:1: this is a folder, not a file; give the path of the YAML file"
    ]


def test_file_that_is_not_utf8() -> None:
    Path(FILE).write_bytes(b"schema_version: 1\nframework: caf\xe9\n")
    assert [str(p) for p in check_framework(FILE)] == [
        f"{FILE}:2:15: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            "1:1: the file is empty; it must hold the fields schema_version, framework,"
            " rating_scale, rubric, reflection_template, feedback, toolbox, competencies",
        ),
        (
            "# nothing yet\n",
            "1:1: the file is empty; it must hold the fields schema_version, framework,"
            " rating_scale, rubric, reflection_template, feedback, toolbox, competencies",
        ),
        (
            "- schema_version: 1\n",
            '1:1: the top level must be a mapping of "name: value" lines (schema_version,'
            " framework, rating_scale, rubric, reflection_template, feedback, toolbox,"
            " competencies),"
            " not a list",
        ),
        (
            "competencies\n",
            '1:1: the top level must be a mapping of "name: value" lines (schema_version,'
            " framework, rating_scale, rubric, reflection_template, feedback, toolbox,"
            " competencies),"
            " not a single value",
        ),
    ],
    ids=["empty", "only-comments", "list", "single-value"],
)
def test_file_without_a_top_level_mapping(text: str, expected: str) -> None:
    assert problems_in(text) == [f"{FILE}:{expected}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "framework: key: x\n",
            "1:15: YAML syntax error: mapping values are not allowed here; put a text that"
            ' contains ": " in quotes, or check the indentation',
        ),
        (
            "framework:\n  key: x\n version: 1\n",
            "3:2: YAML syntax error: expected the end of the indented block, but found a more"
            " indented field (while parsing a block mapping at line 1, column 1); fields of"
            " one mapping must start in the same column",
        ),
        (
            "framework:\n\tkey: x\n",
            "2:1: YAML syntax error: found character '\\t' that cannot start any token;"
            " indent with spaces, not tabs",
        ),
        (
            "title: 'Test\n",
            "2:1: YAML syntax error: found unexpected end of stream (while scanning a quoted"
            " scalar at line 1, column 8); a quote or bracket is not closed",
        ),
        (
            "languages: [nl, en\n",
            "2:1: YAML syntax error: expected ',' or ']', but got the end of the file (while"
            ' parsing a flow sequence at line 1, column 12); close the list with "]"',
        ),
        (
            "schema_version: 1\n---\nschema_version: 1\n",
            '2:1: the file holds more than one YAML document; remove the "---" line and what'
            " follows",
        ),
        (
            "title: *missing\n",
            "1:8: YAML syntax error: found undefined alias 'missing'; define the anchor"
            ' ("&name") before using it',
        ),
        (
            "title: a\x07b\n",
            "1:9: the file contains a control character (#x0007) that YAML does not allow;"
            " remove it",
        ),
    ],
    ids=["colon", "indent", "tab", "quote", "bracket", "documents", "alias", "control"],
)
def test_yaml_syntax_error(text: str, expected: str) -> None:
    assert problems_in(text) == [f"{FILE}:{expected}"]


def test_unsupported_yaml_features() -> None:
    text = edited(
        ("    nl: Testkader\n", "    <<: {nl: Testkader}\n"),
        ("      nl: Testproject\n", "      nl: !local Testproject\n"),
    )
    assert problems_in(text) == [
        f'{FILE}:10:3: framework › title: the Dutch ("nl") text is missing',
        f'{FILE}:11:5: framework › title: merge keys ("<<") are not supported; write the'
        " fields out in full",
        f'{FILE}:16:11: framework › source › project › nl: the tag "!local" is not supported'
        " here; remove it",
    ]


# --- Many problems at once, and load_framework ------------------------------------------------


MANY_EDITS = (
    ('  version: "1.0"\n', "  version: 1.0\n"),
    ("    - value: 3\n", "    - value: 5\n"),
    ("          nl: Luisteren\n", "          nl: Luisteren\n          nl: Horen\n"),
    ("              en: Takes the initiative.\n", ""),
)
MANY_PROBLEMS = [
    f"{FILE}:6:12: framework › version: expected text, found the number 1.0; put the value"
    " in quotes",
    f"{FILE}:22:3: rating_scale › levels: the rating scale has a gap: no level with value 3",
    f'{FILE}:110:11: competency "dialogue" › element "dialogue.listening" › title: the key'
    ' "nl" appears twice in this mapping (first at line 109)',
    f'{FILE}:148:13: competency "innovation" › element "innovation.enterprising"'
    ' › indicator "innovation.enterprising.proactive" › text: the English ("en") text is'
    " missing",
]


def test_all_problems_are_reported_at_once_sorted_by_line() -> None:
    assert problems_in(edited(*MANY_EDITS)) == MANY_PROBLEMS


def test_load_framework_raises_with_every_problem() -> None:
    Path(FILE).write_text(edited(*MANY_EDITS), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(FILE)
    assert [str(problem) for problem in caught.value.problems] == MANY_PROBLEMS
    assert str(caught.value) == "\n".join(MANY_PROBLEMS)


def test_a_file_with_only_a_duplicate_key_loads_nothing() -> None:
    Path(FILE).write_text(edited(MANY_EDITS[2]), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(FILE)
    assert len(caught.value.problems) == 1


# --- The content hash -------------------------------------------------------------------------


def test_hash_ignores_layout_and_comments() -> None:
    original = framework_hash(load_framework(DATA / "minimal.yaml"))
    assert len(original) == 64
    assert int(original, 16) >= 0
    relaid = "# Same content, other layout.\n" + yaml.safe_dump(
        yaml.safe_load(MINIMAL), default_flow_style=True, width=60, allow_unicode=True
    )
    Path(FILE).write_text(relaid, encoding="utf-8")
    assert framework_hash(load_framework(FILE)) == original
    commented = edited(("    number: 2\n", "    number:   2   # the second one\n"))
    Path(FILE).write_text(commented, encoding="utf-8")
    assert framework_hash(load_framework(FILE)) == original


def test_hash_changes_when_a_text_changes() -> None:
    original = framework_hash(load_framework(DATA / "minimal.yaml"))
    Path(FILE).write_text(edited(("Neemt initiatief.", "Neemt het initiatief.")), encoding="utf-8")
    assert framework_hash(load_framework(FILE)) != original


# --- The real file ----------------------------------------------------------------------------


def test_real_competencies_file_loads_without_problems() -> None:
    assert [str(problem) for problem in check_framework(REAL_FILE)] == []
    framework = load_framework(REAL_FILE)
    assert len(framework.competencies) == 5
