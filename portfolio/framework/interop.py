"""The framework in the formats of two learning platforms, and back from one of them.

- **Mahara SmartEvidence** (``.matrix``): a JSON file with the framework, its *standards*
  and their *standard elements*, in the "new style" Mahara's own example matrices use
  (``standards`` with a ``standardid``, a flat ``standardelements`` list whose entries point
  at their standard, and at a parent element through ``parentelementid``). A competency is a
  standard; a behavioural element is an element of it; an indicator is an element under its
  behavioural element. Mahara keeps a short name of at most 100 characters and a name of at
  most 255: longer texts are shortened at a word there and kept whole in the description.
- **Moodle competency framework CSV** (the importer ``admin/tool/lpimportcsv``): its fourteen
  columns, one row for the framework (with the rating scale as the scale and the taxonomy
  of the three levels: competency, behaviour, indicator), then one row per competency,
  behavioural element and indicator, each pointing at its parent's ID number. The stable
  keys of ``competencies.yaml`` are the ID numbers, so an export read back finds the same
  items.
- **From Moodle**: :func:`draft_from_moodle_csv` turns such a CSV into a draft
  ``competencies.yaml`` for a programme that starts from Moodle: the tree becomes
  competencies, elements and indicators (deeper levels become an indicator's points), the
  scale becomes the rating scale, and what Moodle has no place for (the rubric, the
  reflection template, the feedback settings and the toolbox) is taken from the framework
  in use, in the draft's language, for the programme to rewrite.

Everything here is pure: a :class:`~portfolio.framework.model.Framework` and a language in,
text out (no Flask, no database), so the CLI and the pages share it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from portfolio.framework.model import (
    LANG_PATTERN,
    Framework,
    Indicator,
    LocalizedText,
    is_valid_key,
    pick,
)

#: Mahara's column sizes (``framework_standard``, ``framework_standard_element``).
MAHARA_SHORTNAME = 100
MAHARA_NAME = 255
#: Moodle keeps a competency's short name to 100 characters (``shorten_text``).
MOODLE_SHORTNAME = 100
#: The importer's columns, in its order and with its English names
#: (``framework_importer::list_required_headers``).
MOODLE_HEADERS = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
#: What the levels of the tree are, in Moodle's taxonomy terms.
MOODLE_TAXONOMY = "competency,behaviour,indicator"
#: Moodle's description format for HTML.
FORMAT_HTML = 1

#: Mahara's four evidence states, named for a self-assessed competence framework.
_EVIDENCE_STATUSES: dict[str, tuple[str, str, str, str]] = {
    "en": ("Begun", "Not yet shown", "Partly shown", "Shown"),
    "nl": ("Begonnen", "Nog niet aangetoond", "Deels aangetoond", "Aangetoond"),
}


class InteropError(ValueError):
    """A file in another platform's format that cannot be read; ``problems`` says what is
    wrong and where, one sentence each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# --- shared ------------------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at a word, with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines between paragraphs), escaped."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in parts)


def _bullets(items: Sequence[str]) -> str:
    if not items:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items) + "</ul>"


def _text(texts: LocalizedText | None, language: str, framework: Framework) -> str:
    if not texts:
        return ""
    return pick(texts, language, framework.meta.source_language)


def _check_language(framework: Framework, language: str) -> None:
    if language not in framework.meta.languages:
        held = ", ".join(framework.meta.languages)
        raise ValueError(f'the framework has no texts in "{language}"; it holds {held}')


def _indicator_description(indicator: Indicator, language: str, framework: Framework) -> str:
    text = _text(indicator.text, language, framework)
    points = [_text(p, language, framework) for p in indicator.points]
    return _paragraphs(text) + _bullets(points)


# --- Mahara ------------------------------------------------------------------------------------


def mahara_matrix(framework: Framework, language: str) -> dict[str, Any]:
    """The framework as a Mahara SmartEvidence matrix (the JSON a ``.matrix`` file holds)."""
    _check_language(framework, language)
    meta = framework.meta
    title = _text(meta.title, language, framework)
    description = _paragraphs(_text(meta.introduction, language, framework))
    statuses = _EVIDENCE_STATUSES.get(language, _EVIDENCE_STATUSES["en"])
    standards: list[dict[str, Any]] = []
    elements: list[dict[str, Any]] = []
    for competency in framework.competencies:
        name = _text(competency.name, language, framework)
        standards.append(
            {
                "shortname": shorten(f"{competency.number}. {name}", MAHARA_SHORTNAME),
                "name": shorten(name, MAHARA_NAME),
                "description": _paragraphs(_text(competency.statement, language, framework)),
                "standardid": competency.number,
            }
        )
        for e_number, element in enumerate(competency.elements, start=1):
            element_id = f"{competency.number}.{e_number}"
            element_title = _text(element.title, language, framework)
            elements.append(
                {
                    "shortname": element_id,
                    "name": shorten(element_title, MAHARA_NAME),
                    "description": _paragraphs(element_title),
                    "standardid": competency.number,
                    "elementid": element_id,
                }
            )
            for i_number, indicator in enumerate(element.indicators, start=1):
                indicator_id = f"{element_id}.{i_number}"
                elements.append(
                    {
                        "shortname": indicator_id,
                        "name": shorten(_text(indicator.text, language, framework), MAHARA_NAME),
                        "description": _indicator_description(indicator, language, framework),
                        "standardid": competency.number,
                        "elementid": indicator_id,
                        "parentelementid": element_id,
                    }
                )
    return {
        "framework": {
            "institution": "all",
            "name": shorten(f"{title} ({meta.version})", MAHARA_NAME),
            "description": description,
            "selfassess": True,
            "evidencestatuses": [
                {"begun": statuses[0]},
                {"incomplete": statuses[1]},
                {"partialcomplete": statuses[2]},
                {"completed": statuses[3]},
            ],
            "standards": standards,
            "standardelements": elements,
        }
    }


def mahara_matrix_text(framework: Framework, language: str) -> str:
    """The ``.matrix`` file's text (UTF-8 JSON, indented as Mahara's examples are)."""
    return json.dumps(mahara_matrix(framework, language), ensure_ascii=False, indent=2) + "\n"


# --- Moodle export -----------------------------------------------------------------------------


def _scale_values(framework: Framework, language: str) -> list[str]:
    # Moodle separates a scale's items with commas: a comma inside a label would split it.
    return [
        _text(level.label, language, framework).replace(",", ";")
        for level in framework.rating_scale.levels
    ]


def _scale_configuration(framework: Framework) -> str:
    """Moodle's scale configuration: the scale, then each item that counts as proficient
    (here the levels from the middle of the scale up), the first of them the default."""
    levels = framework.rating_scale.levels
    first_proficient = len(levels) // 2 + 1
    items: list[dict[str, Any]] = [{"scaleid": "1"}]
    for position in range(first_proficient, len(levels) + 1):
        items.append(
            {
                "id": position,
                "scaledefault": 1 if position == first_proficient else 0,
                "proficient": 1,
            }
        )
    return json.dumps(items, separators=(",", ":"))


def moodle_rows(framework: Framework, language: str) -> list[list[str]]:
    """The CSV's rows: the header, the framework, then every competency, element and
    indicator (parents before their children)."""
    _check_language(framework, language)
    meta = framework.meta
    rows: list[list[str]] = [list(MOODLE_HEADERS)]
    title = _text(meta.title, language, framework)
    rows.append(
        [
            "",
            meta.key,
            shorten(f"{title} ({meta.version})", MOODLE_SHORTNAME),
            _paragraphs(_text(meta.introduction, language, framework)),
            str(FORMAT_HTML),
            ",".join(_scale_values(framework, language)),
            _scale_configuration(framework),
            "",
            "",
            "",
            "",
            "",
            "1",
            MOODLE_TAXONOMY,
        ]
    )
    exported = 0

    def row(parent: str, key: str, short: str, description: str) -> list[str]:
        nonlocal exported
        exported += 1
        return [
            parent,
            key,
            shorten(short, MOODLE_SHORTNAME),
            description,
            str(FORMAT_HTML),
            "",
            "",
            "",
            "0",
            "null",
            "",
            str(exported),
            "0",
            "",
        ]

    for competency in framework.competencies:
        name = _text(competency.name, language, framework)
        rows.append(
            row(
                "",
                competency.key,
                name,
                _paragraphs(_text(competency.statement, language, framework)),
            )
        )
        for element in competency.elements:
            title = _text(element.title, language, framework)
            rows.append(row(competency.key, element.key, title, _paragraphs(title)))
            for indicator in element.indicators:
                rows.append(
                    row(
                        element.key,
                        indicator.key,
                        _text(indicator.text, language, framework),
                        _indicator_description(indicator, language, framework),
                    )
                )
    return rows


def moodle_csv_text(framework: Framework, language: str) -> str:
    """The CSV file's text: comma-separated, every field quoted, lines ended with CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(moodle_rows(framework, language))
    return out.getvalue()


# --- Moodle import -----------------------------------------------------------------------------


@dataclass
class _Node:
    line: int
    parent: str
    idnumber: str
    shortname: str
    description: str
    children: list[_Node]

    @property
    def text(self) -> str:
        """The full text: the description without its markup (and without its bulleted
        list, see :attr:`bullets`), else the short name."""
        without_lists = re.sub(r"(?is)<(ul|ol)\b.*?</\1\s*>", "\n", self.description)
        return _plain(without_lists) or " ".join(self.shortname.split())

    @property
    def bullets(self) -> list[str]:
        """The items of the description's bulleted lists (an indicator's points)."""
        lists = re.findall(r"(?is)<(?:ul|ol)\b.*?</(?:ul|ol)\s*>", self.description)
        items = [i for block in lists for i in re.findall(r"(?is)<li\b[^>]*>(.*?)</li\s*>", block)]
        return [" ".join(_plain(i).split()) for i in items if _plain(i)]

    @property
    def title(self) -> str:
        """The short name, unless it was shortened (then the full text)."""
        short = " ".join(self.shortname.split())
        return self.text if not short or short.endswith(("…", "...")) else short


def _plain(markup: str) -> str:
    """HTML as plain text: paragraphs and list items on their own lines, entities read."""
    text = re.sub(r"(?i)<\s*(br|/p|/li|/div|/h\d)\s*/?>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [" ".join(html.unescape(line).split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


#: Header names as Moodle's importer accepts them, in any case and spacing ("Id number",
#: "ID number", "Shortname", "Short name" are the same column).
_COLUMNS = {
    "parentidnumber": "parent",
    "idnumber": "idnumber",
    "shortname": "shortname",
    "description": "description",
    "scalevalues": "scalevalues",
    "isframework": "isframework",
}


def _read_csv(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InteropError(["the file is empty: export the framework from Moodle again"])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InteropError([f"line {reader.line_num}: the file is not valid CSV ({exc})"]) from None
    header = rows[0]
    found = {_header_key(name): index for index, name in enumerate(header)}
    columns = {field: found[key] for key, field in _COLUMNS.items() if key in found}
    missing = [
        MOODLE_HEADERS[i]
        for i, key in ((0, "parent"), (1, "idnumber"), (2, "shortname"), (12, "isframework"))
        if key not in columns
    ]
    if missing:
        raise InteropError(
            [
                "the first line does not have the columns of a Moodle competency framework "
                f"export; missing: {', '.join(missing)}"
            ]
        )
    numbered: list[tuple[int, list[str]]] = []
    line = 1
    for row in rows[1:]:
        line += 1
        if any(cell.strip() for cell in row):
            numbered.append((line, row))
    return columns, numbered


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


def _tree(text: str) -> tuple[_Node, list[str]]:
    """The framework row and its competencies as a tree, and the scale's items."""
    columns, rows = _read_csv(text)

    def cell(row: list[str], field: str) -> str:
        index = columns.get(field)
        return row[index] if index is not None and index < len(row) else ""

    framework: _Node | None = None
    scale: list[str] = []
    nodes: dict[str, _Node] = {}
    order: list[_Node] = []
    problems: list[str] = []
    for line, row in rows:
        node = _Node(
            line,
            cell(row, "parent").strip(),
            cell(row, "idnumber").strip(),
            cell(row, "shortname"),
            cell(row, "description"),
            [],
        )
        if _truthy(cell(row, "isframework")):
            if framework is not None:
                problems.append(
                    f"line {line}: a second framework row (the first is on line "
                    f"{framework.line}); export one framework per file"
                )
                continue
            framework = node
            scale = [v.strip() for v in cell(row, "scalevalues").split(",") if v.strip()]
            continue
        if not node.idnumber:
            problems.append(f"line {line}: the ID number is empty; every competency needs one")
            continue
        if not node.text:
            problems.append(f'line {line}: "{node.idnumber}" has no short name and no description')
            continue
        if node.idnumber in nodes:
            first = nodes[node.idnumber].line
            problems.append(
                f'line {line}: the ID number "{node.idnumber}" is used twice (first on line '
                f"{first})"
            )
            continue
        nodes[node.idnumber] = node
        order.append(node)
    if framework is None:
        problems.append(
            'no row has "Is framework" set: the file needs the framework\'s own row first'
        )
    roots: list[_Node] = []
    for node in order:
        if not node.parent:
            roots.append(node)
        elif node.parent in nodes and node.parent != node.idnumber:
            nodes[node.parent].children.append(node)
        else:
            problems.append(
                f'line {node.line}: the parent "{node.parent}" of "{node.idnumber}" is not in '
                "the file"
            )
    if framework is not None and not roots and not problems:
        problems.append("the file has a framework row but no competencies under it")
    _no_cycles(order, nodes, problems)
    if problems:
        raise InteropError(problems)
    assert framework is not None
    framework.children = roots
    return framework, scale


def _no_cycles(order: list[_Node], nodes: dict[str, _Node], problems: list[str]) -> None:
    for node in order:
        seen = {node.idnumber}
        parent = node.parent
        while parent and parent in nodes:
            if parent in seen:
                problems.append(
                    f'line {node.line}: "{node.idnumber}" is its own ancestor (its parents '
                    "form a circle)"
                )
                break
            seen.add(parent)
            parent = nodes[parent].parent


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "item"


class _Keys:
    """Framework keys made from Moodle ID numbers: valid, and unique in the file."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, idnumber: str) -> str:
        # An ID number that is already a key under its parent (as in our own export) stays.
        if (
            is_valid_key(idnumber)
            and idnumber not in self.used
            and (idnumber.startswith(prefix + ".") if prefix else "." not in idnumber)
        ):
            self.used.add(idnumber)
            return idnumber
        base = f"{prefix}.{_slug(idnumber)}" if prefix else _slug(idnumber)
        key, n = base, 2
        while key in self.used:
            key, n = f"{base}-{n}", n + 1
        self.used.add(key)
        return key


def _descendants(node: _Node) -> Iterator[_Node]:
    for child in node.children:
        yield child
        yield from _descendants(child)


def _in_language(value: Any, language: str, source: str) -> Any:
    """A dumped part of a framework with each text kept in ``language`` only."""
    if isinstance(value, dict):
        if value and all(
            isinstance(k, str) and re.fullmatch(LANG_PATTERN, k) and isinstance(v, str)
            for k, v in value.items()
        ):
            return {language: value.get(language) or value[source]}
        return {k: _in_language(v, language, source) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_in_language(v, language, source) for v in value]
    return value


def draft_from_moodle_csv(
    text: str, language: str, base: Framework, *, today: date, file_name: str = ""
) -> dict[str, Any]:
    """A draft ``competencies.yaml`` (as data) from a Moodle competency framework CSV.

    Raises :class:`InteropError` with every problem found when the file cannot be read."""
    if not re.fullmatch(LANG_PATTERN, language):
        raise InteropError([f'"{language}" is not a language code (two or three letters)'])
    framework_row, scale = _tree(text)
    keys = _Keys()
    source = base.meta.source_language

    def localized(value: str) -> dict[str, str]:
        return {language: value}

    competencies: list[dict[str, Any]] = []
    for number, node in enumerate(framework_row.children, start=1):
        key = keys.make("", node.idnumber)
        elements: list[dict[str, Any]] = []
        children = node.children or [node]  # a competency without children: one element
        for child in children:
            element_key = (
                keys.make(key, child.idnumber) if child is not node else keys.make(key, "whole")
            )
            indicators = []
            for grandchild in child.children:
                points = [localized(b) for b in grandchild.bullets]
                points += [localized(d.text) for d in _descendants(grandchild)]
                indicator: dict[str, Any] = {
                    "key": keys.make(element_key, grandchild.idnumber),
                    "text": localized(grandchild.text),
                }
                if points:
                    indicator["points"] = points
                indicators.append(indicator)
            element: dict[str, Any] = {
                "key": element_key,
                "title": localized(child.title),
            }
            if indicators:
                element["indicators"] = indicators
            elements.append(element)
        competencies.append(
            {
                "key": key,
                "number": number,
                "name": localized(node.title),
                "statement": localized(node.text),
                "context": localized(
                    "Not in the Moodle file: describe where and why this competency matters."
                ),
                "elements": elements,
            }
        )
    note = localized(
        "Imported from a Moodle competency framework"
        + (f" ({file_name})" if file_name else "")
        + f" on {today.isoformat()}: review every text before loading it."
    )
    title = " ".join(framework_row.shortname.split()) or framework_row.idnumber
    meta: dict[str, Any] = {
        "key": _slug(framework_row.idnumber or title),
        "version": f"draft-{today.isoformat()}",
        "source_language": language,
        "required_languages": [language],
        "languages": [language],
        "title": localized(title),
        "source": {
            "citation": f"Moodle competency framework {title} ({framework_row.idnumber})",
            "project": localized(title),
        },
        "provenance": {"source": "programme", "note": note},
    }
    introduction = _plain(framework_row.description)
    if introduction:
        meta["introduction"] = localized(introduction)
    dumped = base.model_dump(mode="json", exclude_none=True)
    rating_scale = _in_language(dumped["rating_scale"], language, source)
    if scale:
        rating_scale["levels"] = [
            {
                "value": value,
                "key": keys.make("scale", label),
                "label": localized(label),
                "descriptor": localized(label),
            }
            for value, label in enumerate(scale, start=1)
        ]
        rating_scale["provenance"] = {
            "source": "programme",
            "note": localized("The scale of the Moodle framework: describe each level."),
        }
    return {
        "schema_version": 1,
        "framework": meta,
        "rating_scale": rating_scale,
        "rubric": _in_language(dumped["rubric"], language, source),
        "reflection_template": _in_language(dumped["reflection_template"], language, source),
        "feedback": _in_language(dumped["feedback"], language, source),
        "toolbox": _in_language(dumped["toolbox"], language, source),
        "competencies": competencies,
    }


def draft_yaml(draft: dict[str, Any]) -> str:
    """The draft as YAML, with a note on top that it is a draft."""
    import yaml

    head = (
        "# A draft competencies.yaml made from a Moodle competency framework CSV.\n"
        "# The competencies, elements and indicators come from the file; the rubric, the\n"
        "# reflection template, the feedback settings and the toolbox are those of the\n"
        "# framework in use, for the programme to rewrite. Check it with\n"
        "# `flask framework check FILE` before loading it.\n"
    )
    body = yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100)
    return head + body


__all__ = [
    "MOODLE_HEADERS",
    "InteropError",
    "draft_from_moodle_csv",
    "draft_yaml",
    "mahara_matrix",
    "mahara_matrix_text",
    "moodle_csv_text",
    "moodle_rows",
    "shorten",
]
