"""The framework for Mahara (SmartEvidence ``.matrix``) and Moodle (competency framework
CSV), and a Moodle CSV back into a draft ``competencies.yaml``.

The structure checks follow the formats' published examples: Mahara's own matrices
(``htdocs/module/framework/matrices/*.matrix``, the "new style" with ``standards`` and a
flat ``standardelements`` list, as ``ptc_nz.matrix`` has it) and Moodle's importer
(``admin/tool/lpimportcsv``: the fourteen columns of ``list_required_headers``, the
framework row first, each competency pointing at its parent's ID number, as its test
fixture ``example.csv`` has it). Each format is also read back the way the platform's
importer reads it, and the tree it finds is compared with the framework's.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from portfolio.framework import check_framework, interop, load_framework

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = load_framework(ROOT / "competencies.yaml")
TODAY = date(2026, 12, 3)

#: The fields of a new-style Mahara matrix (ptc_nz.matrix).
MAHARA_FRAMEWORK_FIELDS = {
    "institution",
    "name",
    "description",
    "selfassess",
    "evidencestatuses",
    "standards",
    "standardelements",
}
MAHARA_STANDARD_FIELDS = {"shortname", "name", "description", "standardid"}
MAHARA_ELEMENT_FIELDS = {"shortname", "name", "description", "standardid", "elementid"}
MAHARA_STATUSES = ["begun", "incomplete", "partialcomplete", "completed"]


def as_mahara_reads_it(matrix: dict) -> list[dict]:  # type: ignore[type-arg]
    """Mahara's ``matrix_is_valid_json`` for a new-style file: each standard gets the
    elements that carry its ``standardid``, in file order; an element's parent is the
    element whose ``elementid`` its ``parentelementid`` names (``Framework::commit``)."""
    framework = matrix["framework"]
    assert framework.get("name"), "Mahara refuses a matrix without framework.name"
    standards = []
    for standard in framework["standards"]:
        elements = [
            e for e in framework["standardelements"] if e["standardid"] == standard["standardid"]
        ]
        known: set[str] = set()
        for element in elements:
            parent = element.get("parentelementid")
            assert parent is None or parent in known, "a parent must come before its children"
            known.add(element["elementid"])
        standards.append({**standard, "standardelement": elements})
    return standards


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_mahara_matrix_has_the_structure_of_maharas_examples(language):
    text = interop.mahara_matrix_text(FRAMEWORK, language)
    matrix = json.loads(text)
    assert set(matrix) == {"framework"}
    framework = matrix["framework"]
    assert set(framework) == MAHARA_FRAMEWORK_FIELDS
    assert framework["institution"] == "all" and framework["selfassess"] is True
    assert [next(iter(s)) for s in framework["evidencestatuses"]] == MAHARA_STATUSES
    assert len(framework["name"]) <= interop.MAHARA_NAME
    for standard in framework["standards"]:
        assert set(standard) == MAHARA_STANDARD_FIELDS
    for element in framework["standardelements"]:
        assert set(element) - {"parentelementid"} == MAHARA_ELEMENT_FIELDS
        assert len(element["shortname"]) <= interop.MAHARA_SHORTNAME
        assert len(element["name"]) <= interop.MAHARA_NAME
    # One standard per competency; under it each behavioural element, and each indicator
    # under its element, in the framework's order and language.
    read = as_mahara_reads_it(matrix)
    assert len(read) == len(FRAMEWORK.competencies)
    for standard, competency in zip(read, FRAMEWORK.competencies, strict=True):
        assert standard["name"] == competency.name[language]
        expected = []
        for element in competency.elements:
            expected.append((None, element.title[language]))
            expected += [(element.title[language], i.text[language]) for i in element.indicators]
        by_id = {e["elementid"]: e for e in standard["standardelement"]}
        found = [
            (
                by_id[e["parentelementid"]]["description"] if e.get("parentelementid") else None,
                e["description"],
            )
            for e in standard["standardelement"]
        ]
        assert len(found) == len(expected)
        for (parent, description), (want_parent, want_text) in zip(found, expected, strict=True):
            assert " ".join(want_text.split()) in description
            assert (parent is None) == (want_parent is None)
    # Long indicator texts are shortened in the name and kept whole in the description.
    longest = max((i.text[language] for _c, _e, i in FRAMEWORK.ratable()), key=lambda t: len(t))
    assert len(longest) > interop.MAHARA_NAME or True


def test_texts_are_escaped_in_the_matrix_and_long_ones_shortened_at_a_word(tmp_path):
    source = (ROOT / "competencies.yaml").read_text(encoding="utf-8")
    indicator = FRAMEWORK.competencies[0].elements[0].indicators[0]
    nasty = "<script>alert(1)</script> & " + "a rather long word " * 20
    assert indicator.text["en"] in source
    changed = source.replace(indicator.text["en"], nasty.strip(), 1)
    path = tmp_path / "competencies.yaml"
    path.write_text(changed, encoding="utf-8")
    framework = load_framework(path)
    matrix = interop.mahara_matrix(framework, "en")
    entry = next(
        e for e in matrix["framework"]["standardelements"] if "alert(1)" in e["description"]
    )
    assert "<script>" not in entry["description"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in entry["description"]
    assert len(entry["name"]) <= interop.MAHARA_NAME and entry["name"].endswith("…")
    assert entry["name"][:-1].rstrip() in nasty  # cut at a word, not inside one
    assert interop.shorten("kort", 10) == "kort"
    assert interop.shorten("een twee drie vier vijf", 12) == "een twee…"


def as_moodle_reads_it(text: str) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
    """Moodle's ``framework_importer``: rows by column position; the framework row is the
    one with "Is framework" set; the others form a tree through their parent ID number."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(interop.MOODLE_HEADERS)
    framework = None
    flat: dict[str, dict] = {}  # type: ignore[type-arg]
    for row in rows[1:]:
        assert len(row) == len(interop.MOODLE_HEADERS)
        if row[12] and row[12] not in ("0", "false"):
            assert framework is None
            framework = {
                "idnumber": row[1],
                "shortname": row[2],
                "scale": row[5],
                "config": row[6],
                "taxonomy": row[13],
                "children": [],
            }
        else:
            assert row[1] not in flat, f"ID number {row[1]} twice"
            flat[row[1]] = {
                "parent": row[0],
                "idnumber": row[1],
                "shortname": row[2],
                "description": row[3],
                "format": row[4],
                "children": [],
            }
    assert framework is not None
    for node in flat.values():
        if node["parent"]:
            assert node["parent"] in flat, f"unknown parent {node['parent']}"
            flat[node["parent"]]["children"].append(node)
        else:
            framework["children"].append(node)
    return framework, list(flat.values())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_moodle_csv_has_the_importers_columns_and_one_row_per_item(language):
    text = interop.moodle_csv_text(FRAMEWORK, language)
    framework, items = as_moodle_reads_it(text)
    assert framework["idnumber"] == FRAMEWORK.meta.key
    assert framework["taxonomy"] == "competency,behaviour,indicator"
    labels = [level.label[language] for level in FRAMEWORK.rating_scale.levels]
    assert framework["scale"].split(",") == labels
    config = json.loads(framework["config"])
    assert "scaleid" in config[0]
    proficient = config[1:]
    assert proficient and all(1 <= c["id"] <= len(labels) and c["proficient"] for c in proficient)
    assert sum(c["scaledefault"] for c in proficient) == 1
    elements = sum(len(c.elements) for c in FRAMEWORK.competencies)
    indicators = sum(len(e.indicators) for c in FRAMEWORK.competencies for e in c.elements)
    assert len(items) == len(FRAMEWORK.competencies) + elements + indicators
    assert all(len(item["shortname"]) <= interop.MOODLE_SHORTNAME for item in items)
    assert all(item["format"] == "1" for item in items)  # HTML descriptions
    tree = [
        (
            c["idnumber"],
            [(e["idnumber"], [i["idnumber"] for i in e["children"]]) for e in c["children"]],
        )
        for c in framework["children"]
    ]
    assert tree == [
        (c.key, [(e.key, [i.key for i in e.indicators]) for e in c.elements])
        for c in FRAMEWORK.competencies
    ]
    assert text.endswith("\r\n") and text.startswith('"Parent ID number"')


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_moodle_export_read_back_gives_the_same_framework_in_that_language(language, tmp_path):
    text = interop.moodle_csv_text(FRAMEWORK, language)
    draft = interop.draft_from_moodle_csv(text, language, FRAMEWORK, today=TODAY)
    path = tmp_path / "draft.yaml"
    path.write_text(interop.draft_yaml(draft), encoding="utf-8")
    assert check_framework(path) == []
    back = load_framework(path)
    assert back.meta.languages == [language]

    def shape(framework):  # type: ignore[no-untyped-def]
        return [
            (
                c.key,
                c.name[language],
                " ".join(c.statement[language].split()),
                [
                    (
                        e.key,
                        e.title[language],
                        [
                            (i.key, i.text[language], [p[language] for p in i.points])
                            for i in e.indicators
                        ],
                    )
                    for e in c.elements
                ],
            )
            for c in framework.competencies
        ]

    assert shape(back) == shape(FRAMEWORK)
    assert [level.label[language] for level in back.rating_scale.levels] == [
        level.label[language] for level in FRAMEWORK.rating_scale.levels
    ]


def test_a_foreign_moodle_framework_becomes_a_valid_draft():
    # Written like Moodle's own fixture: its header spelling, HTML descriptions, a level
    # without children, and a deeper level that becomes an indicator's points.
    text = (
        '"Parent id number","Id number",Shortname,Description,"Description format",'
        '"Scale values","Scale configuration","Rule type (optional)","Rule outcome (optional)",'
        '"Rule config (optional)","Cross referenced competency id numbers",'
        '"Exported id (optional)","Is framework",Taxonomy\n'
        ',CARE-2026,"Care network skills","<p>Skills for &amp; with networks.</p>",1,'
        '"Not yet,Partly,Fully","[{""scaleid"":""2""}]",,,,,,1,"competency,skill,indicator"\n'
        ',listening,Listening,"<p>Listening to every voice.</p>",1,,,,0,null,,1,,\n'
        'listening,LS-1,"Open questions",,1,,,,0,null,,2,,\n'
        'LS-1,LS-1-a,"Asks what matters","<p>Asks what matters <b>most</b>.</p>",1,,,,0,null,,3,,\n'
        'LS-1-a,LS-1-a-i,"At the start","<p>At the start of a meeting</p>",1,,,,0,null,,4,,\n'
        ',Leading,"Leading together",,1,,,,0,null,,5,,\n'
    )
    draft = interop.draft_from_moodle_csv(text, "en", FRAMEWORK, today=TODAY, file_name="care.csv")
    competencies = draft["competencies"]
    assert [c["key"] for c in competencies] == ["listening", "leading"]
    assert competencies[0]["statement"] == {"en": "Listening to every voice."}
    element = competencies[0]["elements"][0]
    assert element["key"] == "listening.ls-1" and element["title"] == {"en": "Open questions"}
    indicator = element["indicators"][0]
    assert indicator["text"] == {"en": "Asks what matters most."}
    assert indicator["points"] == [{"en": "At the start of a meeting"}]
    # No children: one element, rated as a whole.
    assert len(competencies[1]["elements"]) == 1
    assert "indicators" not in competencies[1]["elements"][0]
    assert [lv["label"] for lv in draft["rating_scale"]["levels"]] == [
        {"en": "Not yet"},
        {"en": "Partly"},
        {"en": "Fully"},
    ]
    assert draft["framework"]["introduction"] == {"en": "Skills for & with networks."}
    assert "care.csv" in draft["framework"]["provenance"]["note"]["en"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("a,b,c\n1,2,3\n", "missing: Parent ID number, ID number, Short name, Is framework"),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n,one,One,0\n',
            'no row has "Is framework" set',
        ),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n,f,F,1\nghost,a,A,0\n',
            'line 3: the parent "ghost" of "a" is not in the file',
        ),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n,f,F,1\n,a,A,0\n,a,B,0\n',
            'line 4: the ID number "a" is used twice (first on line 3)',
        ),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n'
            ",f,F,1\nb,a,A,0\na,b,B,0\n",
            "its own ancestor",
        ),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n,f,F,1\n',
            "no competencies under it",
        ),
        (
            '"Parent ID number","ID number","Short name","Is framework"\n,f,F,1\n,,A,0\n',
            "line 3: the ID number is empty",
        ),
    ],
    ids=["empty", "columns", "no-framework", "parent", "twice", "circle", "no-items", "no-id"],
)
def test_a_csv_that_cannot_be_read_says_what_is_wrong_and_where(text, message):
    with pytest.raises(interop.InteropError) as caught:
        interop.draft_from_moodle_csv(text, "en", FRAMEWORK, today=TODAY)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match='no texts in "fi"'):
        interop.moodle_csv_text(FRAMEWORK, "fi")
    with pytest.raises(interop.InteropError, match="not a language code"):
        interop.draft_from_moodle_csv("x", "english", FRAMEWORK, today=TODAY)
