"""Load the competence framework from YAML and report every problem with its place in the file.

The file is read into PyYAML's node tree, so that every mapping key and value
keeps its line and column. The tree becomes plain Python data, which is checked
against the pydantic model and then for the rules the model cannot express
(unique keys, languages, numbering). All problems are collected and reported
together, sorted by line; a file with any problem loads nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from portfolio.framework.model import LANG_PATTERN, Framework, Meta, Provenance, Repair

Loc = tuple[str | int, ...]

PATH_SEPARATOR = " › "
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# How a list's entries are named in a key path ("competencies" -> 'competency "x"').
_ITEM_NOUNS = {
    "competencies": "competency",
    "elements": "element",
    "indicators": "indicator",
    "toolbox": "tool",
    "parts": "part",
    "levels": "level",
    "points": "point",
    "languages": "language",
    "required_languages": "required language",
    "repairs": "repair",
    "rater_groups": "rater group",
    "sectors": "sector",
}
# Lists whose entries are named by position, not by their "key" (which need not be unique).
_NUMBERED = {"repairs"}


@dataclass(frozen=True)
class Problem:
    """One problem in a framework file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class FrameworkError(Exception):
    """A framework file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def load_framework(path: str | os.PathLike[str]) -> Framework:
    """Load the framework file at ``path``; raise FrameworkError listing all its problems."""
    framework, problems = _inspect(os.fspath(path))
    if problems or framework is None:
        raise FrameworkError(problems)
    return framework


def check_framework(path: str | os.PathLike[str]) -> list[Problem]:
    """Return every problem in the framework file at ``path``; [] when it is valid."""
    return _inspect(os.fspath(path))[1]


def framework_hash(framework: Framework) -> str:
    """Return the SHA-256 (hex) of the framework's content, independent of YAML layout."""
    dump = json.dumps(
        framework.model_dump(mode="json"),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()


# --- Places in the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """A 1-based line and column."""

    line: int
    column: int


def _place(mark: yaml.Mark) -> _Place:
    """The 1-based place of a PyYAML mark."""
    return _Place(mark.line + 1, mark.column + 1)


@dataclass(frozen=True)
class _Spot:
    """Where an entry sits: its key (for mapping entries) and the start of its value."""

    key: _Place | None
    value: _Place

    @property
    def anchor(self) -> _Place:
        """The key of a mapping entry, or the start of a list entry."""
        return self.key or self.value

    @property
    def at_value(self) -> _Place:
        """The value when it starts on the key's line, else the key."""
        if self.key is None or self.value.line == self.key.line:
            return self.value
        return self.key


Spots = dict[Loc, _Spot]
# A problem before rendering: where, the key path to name, and the message.
_Finding = tuple[_Place, Loc, str]


def _spot(spots: Spots, loc: Loc) -> _Spot:
    """The spot of ``loc``, or of its nearest ancestor that exists in the file."""
    for size in range(len(loc), -1, -1):
        if loc[:size] in spots:
            return spots[loc[:size]]
    return _Spot(None, _Place(1, 1))


# --- Reading and parsing --------------------------------------------------------------------


def _inspect(file: str) -> tuple[Framework | None, list[Problem]]:
    """Load and check ``file``: the framework (when valid) and all problems found."""
    text = _read_text(file)
    if isinstance(text, Problem):
        return None, [text]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(file, text, exc)]
    if not isinstance(root, yaml.MappingNode):
        return None, [_top_level_problem(file, root)]
    converter = _Converter()
    data = converter.convert(root, ())
    framework, findings = _validate(data, converter.spots)
    problems = _render(file, data, converter.findings + findings)
    return (None if problems else framework), problems


def _read_text(file: str) -> str | Problem:
    """The file's text, or a Problem saying why it cannot be read."""
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        return Problem(file, 1, 1, "the file does not exist; check the path")
    except IsADirectoryError:
        return Problem(file, 1, 1, "this is a folder, not a file; give the path of the YAML file")
    except PermissionError:
        return Problem(file, 1, 1, "the file cannot be read: permission denied")
    except OSError as exc:
        return Problem(file, 1, 1, f"the file cannot be read: {exc.strerror or exc}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return Problem(file, line, column, message)


def _top_level_problem(file: str, root: yaml.Node | None) -> Problem:
    """The problem for a file that is empty or whose top level is not a mapping."""
    fields = ", ".join(name for name, info in Framework.model_fields.items() if info.is_required())
    if root is None:
        return Problem(file, 1, 1, f"the file is empty; it must hold the fields {fields}")
    place = _place(root.start_mark)
    found = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
    message = f'the top level must be a mapping of "name: value" lines ({fields}), not {found}'
    return Problem(file, place.line, place.column, message)


# Plain words for the tokens PyYAML names in its messages (quoted forms first).
_TOKEN_WORDS = {
    "'<block mapping start>'": "a more indented field",
    "'<block sequence start>'": "a more indented list",
    "'<block end>'": "the end of the indented block",
    "'<stream end>'": "the end of the file",
    "'?'": "a new field",
    "'-'": "a list entry",
    "<block end>": "the end of the indented block",
}

# Advice for frequent YAML mistakes, found by a fragment of PyYAML's problem text.
_SYNTAX_ADVICE = {
    "mapping values are not allowed here": (
        'put a text that contains ": " in quotes, or check the indentation'
    ),
    "'\\t'": "indent with spaces, not tabs",
    "could not find expected ':'": 'every field needs a ":" after its name; check this line',
    "found unexpected end of stream": "a quote or bracket is not closed",
    "expected <block end>": "fields of one mapping must start in the same column",
    "expected ',' or ']'": 'close the list with "]"',
    "expected ',' or '}'": 'close the mapping with "}"',
    "found undefined alias": 'define the anchor ("&name") before using it',
}


def _syntax_problem(file: str, text: str, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error in plain words, at its place."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"the file contains a control character (#x{code:04x}) that YAML does not allow"
        return Problem(file, line, column, message + "; remove it")
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem(file, 1, 1, f"YAML syntax error: {exc}")
    mark = exc.problem_mark or exc.context_mark
    place = _place(mark) if mark else _Place(1, 1)
    return Problem(file, place.line, place.column, _syntax_message(exc))


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    """The message for a PyYAML parse error."""
    problem = exc.problem or "the text is not valid YAML"
    if problem == "but found another document":
        return 'the file holds more than one YAML document; remove the "---" line and what follows'
    plain = problem
    for token, words in _TOKEN_WORDS.items():
        plain = plain.replace(token, words)
    message = f"YAML syntax error: {plain}"
    if exc.context and exc.context_mark:
        where = _place(exc.context_mark)
        message += f" ({exc.context} at line {where.line}, column {where.column})"
    advice = [tip for fragment, tip in _SYNTAX_ADVICE.items() if fragment in problem]
    return "; ".join([message, *advice[:1]])


# --- From nodes to data ---------------------------------------------------------------------


class _Converter:
    """Turns a YAML node tree into plain data, noting where every entry sits."""

    def __init__(self) -> None:
        self.constructor = yaml.SafeLoader("")
        self.spots: Spots = {}
        self.findings: list[_Finding] = []
        self._open: set[int] = set()

    def convert(self, node: yaml.Node, loc: Loc) -> Any:
        """The data of ``node``, found at ``loc``."""
        if not loc:
            self.spots[()] = _Spot(None, _place(node.start_mark))
        if id(node) in self._open:
            message = "this alias points at a mapping or list that contains it; remove the loop"
            self.findings.append((_place(node.start_mark), loc, message))
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, loc)
            return self._scalar(node, loc)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        self._check_tag(node, _MAP_TAG, loc)
        result: dict[str, Any] = {}
        first: dict[str, _Place] = {}
        for key_node, value_node in node.value:
            name = self._key_name(key_node, loc)
            if name is None:
                continue
            place = _place(key_node.start_mark)
            if name in first:
                line = first[name].line
                message = f'the key "{name}" appears twice in this mapping (first at line {line})'
                self.findings.append((place, loc, message))
                continue
            first[name] = place
            self.spots[(*loc, name)] = _Spot(place, _place(value_node.start_mark))
            result[name] = self.convert(value_node, (*loc, name))
        return result

    def _sequence(self, node: yaml.SequenceNode, loc: Loc) -> list[Any]:
        self._check_tag(node, _SEQ_TAG, loc)
        result: list[Any] = []
        for index, item in enumerate(node.value):
            self.spots[(*loc, index)] = _Spot(None, _place(item.start_mark))
            result.append(self.convert(item, (*loc, index)))
        return result

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self._tag_finding(node, loc)
        except (ValueError, TypeError):
            pass  # a value that only looks typed, such as the date 2024-02-30: keep it as text
        self.constructor = yaml.SafeLoader("")  # a fresh one: the old one remembers the failure
        return node.value

    def _key_name(self, node: yaml.Node, loc: Loc) -> str | None:
        """The name of a mapping key, or None (with a finding) when it cannot be one."""
        if node.tag == _MERGE_TAG:
            message = 'merge keys ("<<") are not supported; write the fields out in full'
        elif not isinstance(node, yaml.ScalarNode):
            message = "a field name must be plain text, not a list or mapping"
        else:
            return str(node.value)
        self.findings.append((_place(node.start_mark), loc, message))
        return None

    def _check_tag(self, node: yaml.Node, expected: str, loc: Loc) -> None:
        if node.tag != expected:
            self._tag_finding(node, loc)

    def _tag_finding(self, node: yaml.Node, loc: Loc) -> None:
        message = f'the tag "{node.tag}" is not supported here; remove it'
        self.findings.append((_place(node.start_mark), loc, message))


# --- The model's types, followed along a key path -------------------------------------------


def _bare(annotation: object) -> object:
    """``annotation`` without Annotated metadata and without ``| None``."""
    if get_origin(annotation) is Annotated:
        return _bare(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) == 1:
            return _bare(options[0])
    return annotation


def _model(annotation: object) -> type[BaseModel] | None:
    """The pydantic model class ``annotation`` stands for, if any."""
    bare = _bare(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return bare
    return None


def _is_localized(annotation: object) -> bool:
    """True for LocalizedText, the only mapping type in the model."""
    return get_origin(_bare(annotation)) is dict


def _step(annotation: object, part: str | int) -> object | None:
    """The type one step down from ``annotation``, or None when there is no such step."""
    model = _model(annotation)
    if model is not None:
        info = model.model_fields.get(part) if isinstance(part, str) else None
        return None if info is None else info.annotation
    bare = _bare(annotation)
    args: tuple[object, ...] = get_args(bare)
    if get_origin(bare) is list and isinstance(part, int):
        return args[0]
    if get_origin(bare) is dict and isinstance(part, str):
        return args[1]
    return None


def _type_at(loc: Loc) -> object | None:
    """The model type expected at ``loc``, or None when ``loc`` is outside the model."""
    annotation: object | None = Framework
    for part in loc:
        annotation = None if annotation is None else _step(annotation, part)
    return annotation


def _walk(value: Any, annotation: object, loc: Loc) -> Iterator[tuple[Loc, object, Any]]:
    """Every value in the data with the model type expected for it, depth first."""
    yield loc, annotation, value
    if isinstance(value, dict) and _model(annotation) is not None:
        for name, child in value.items():
            child_type = _step(annotation, name)
            if child_type is not None:
                yield from _walk(child, child_type, (*loc, name))
    elif isinstance(value, list) and get_origin(_bare(annotation)) is list:
        item_type = get_args(_bare(annotation))[0]
        for index, child in enumerate(value):
            yield from _walk(child, item_type, (*loc, index))


# --- Validation -----------------------------------------------------------------------------


def _validate(data: Any, spots: Spots) -> tuple[Framework | None, list[_Finding]]:
    """Check ``data`` against the model and the framework's own rules."""
    findings: list[_Finding] = []
    framework = None
    try:
        framework = Framework.model_validate(data, strict=True)
    except ValidationError as exc:
        findings = [_schema_finding(error, spots) for error in exc.errors(include_url=False)]
    items = list(_walk(data, Framework, ()))
    findings += _key_findings(items, spots)
    findings += _language_findings(data, items, spots)
    findings += _numbering_findings(data, spots)
    findings += _provenance_findings(data, spots)
    findings += _repair_findings(data, items, spots)
    return framework, findings


def _schema_finding(error: ErrorDetails, spots: Spots) -> _Finding:
    """One pydantic error as a finding at its place in the file."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return _spot(spots, loc[:-1]).anchor, loc[:-1], f'the field "{loc[-1]}" is missing'
    if kind == "extra_forbidden":
        return _spot(spots, loc).anchor, loc[:-1], _unknown_field_message(loc)
    if loc and loc[-1] == "[key]":  # a language code used as a key of LocalizedText
        return _spot(spots, loc[:-1]).anchor, loc[:-2], _value_message(error)
    spot = _spot(spots, loc)
    if _is_empty_text(error) and len(loc) > 1 and _is_localized(_type_at(loc[:-1])):
        return spot.anchor, loc[:-1], f"{_text_name(str(loc[-1]))} is empty"
    place = spot.anchor if error["input"] is None else spot.at_value
    return place, loc, _value_message(error)


def _is_empty_text(error: ErrorDetails) -> bool:
    """True when the error is about text that is empty, blank or not given at all."""
    kind = error["type"]
    return kind == "string_too_short" or (kind == "string_type" and error["input"] is None)


def _unknown_field_message(loc: Loc) -> str:
    """The message for a field the model does not know."""
    model = _model(_type_at(loc[:-1]))
    allowed = ", ".join(model.model_fields) if model else "nothing"
    return f'unknown field "{loc[-1]}"; allowed here: {allowed}'


def _value_message(error: ErrorDetails) -> str:
    """The message for a value of the wrong type or form."""
    kind, value = error["type"], error["input"]
    ctx = error.get("ctx", {})
    if kind in _EXPECTED:
        return _expected_message(kind, value)
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, found {_describe_value(value)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return _pattern_message(str(value), str(ctx.get("pattern")))
    if kind == "string_too_short":
        return "the text is empty"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']} or more, not {value}"
    if kind == "less_than_equal":
        return f"must be {ctx['le']} or less, not {value}"
    if kind == "too_short":
        count = ctx["min_length"]
        return f"needs at least {count} {'entry' if count == 1 else 'entries'}"
    return f"this value is not allowed here ({kind})"


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": 'a mapping of "name: value" lines',
    "dict_type": 'a text per language, as lines such as "en: ..."',
}


def _expected_message(kind: str, value: Any) -> str:
    """'expected X, found Y', with advice when the fix is not obvious."""
    message = f"expected {_EXPECTED[kind]}, found {_describe_value(value)}"
    if kind == "string_type" and isinstance(value, int | float | date):
        return message + "; put the value in quotes"
    if kind == "int_type" and isinstance(value, str) and value.strip().isdigit():
        return message + "; remove the quotes"
    if kind == "bool_type" and isinstance(value, str) and value.lower() in ("true", "false"):
        return message + "; remove the quotes"
    if kind == "list_type" and value is not None:
        return message + '; start each entry on a new line with "- "'
    return message


def _describe_value(value: Any) -> str:
    """A short description of a YAML value, for messages."""
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f'the text "{value}"' if len(value) <= 40 else "a text"
    return "a list" if isinstance(value, list) else "a mapping"


def _pattern_message(value: str, pattern: str) -> str:
    """The message for a key or language code of the wrong form."""
    if pattern == LANG_PATTERN:
        return f'"{value}" is not a valid language code: use 2 or 3 lowercase letters, such as "en"'
    return (
        f'"{value}" is not a valid key: use lowercase letters, digits and hyphens, '
        "with dots between parts"
    )


def _text_name(language: str) -> str:
    """'the English ("en") text', or 'the "fi" text' for languages without a name here."""
    name = LANGUAGE_NAMES.get(language)
    return f'the {name} ("{language}") text' if name else f'the "{language}" text'


# --- The framework's own rules --------------------------------------------------------------


def _key_findings(items: Iterable[tuple[Loc, object, Any]], spots: Spots) -> list[_Finding]:
    """Every item key must be unique across the whole file."""
    findings: list[_Finding] = []
    first: dict[str, _Place] = {}
    for loc, annotation, value in items:
        model = _model(annotation)
        if model is None or model in (Meta, Repair) or "key" not in model.model_fields:
            continue
        key = value.get("key") if isinstance(value, dict) else None
        if not isinstance(key, str):
            continue
        place = _spot(spots, (*loc, "key")).at_value
        if key in first:
            message = f'the key "{key}" is used twice (first at line {first[key].line})'
            findings.append((place, loc, message))
        else:
            first[key] = place
    return findings


def _language_findings(
    data: dict[str, Any], items: Iterable[tuple[Loc, object, Any]], spots: Spots
) -> list[_Finding]:
    """Declared languages must agree, and every text must fit them."""
    meta = data.get("framework")
    languages = _codes(meta, "languages")
    if languages is None:
        return []  # the schema check reports a missing or malformed list
    findings = _meta_language_findings(meta, languages, spots)
    required = [code for code in _codes(meta, "required_languages") or [] if code in languages]
    for loc, annotation, value in items:
        if _is_localized(annotation) and isinstance(value, dict):
            findings += _text_findings(loc, value, languages, required, spots)
        code = _field(value, "original_language") if _model(annotation) is Provenance else None
        if isinstance(code, str) and re.fullmatch(LANG_PATTERN, code) and code not in languages:
            where: Loc = (*loc, "original_language")
            message = (
                f'"{code}" is not one of the framework\'s languages ({", ".join(languages)}); '
                "give the language the source uses for this text"
            )
            findings.append((_spot(spots, where).at_value, where, message))
    return findings


def _codes(meta: Any, name: str) -> list[str] | None:
    """The language codes listed under ``framework.<name>``, or None when there is no list."""
    codes = meta.get(name) if isinstance(meta, dict) else None
    if not isinstance(codes, list):
        return None
    return [code for code in codes if isinstance(code, str)]


def _meta_language_findings(meta: Any, languages: list[str], spots: Spots) -> list[_Finding]:
    """source_language and required_languages must be among the languages, listed once."""
    listed = ", ".join(languages)
    findings = _listed_once_findings(meta, "languages", spots)
    findings += _listed_once_findings(meta, "required_languages", spots)
    choices: list[tuple[Loc, Any]] = [
        (("framework", "source_language"), meta.get("source_language"))
    ]
    for index, code in enumerate(_list_at(meta, ("required_languages",))):
        choices.append((("framework", "required_languages", index), code))
    for loc, code in choices:
        if isinstance(code, str) and code not in languages:
            message = f'"{code}" is not one of the framework\'s languages ({listed}); add it there'
            findings.append((_spot(spots, loc).at_value, loc, message))
    return findings


def _listed_once_findings(meta: Any, name: str, spots: Spots) -> list[_Finding]:
    """No language code may appear twice in ``framework.<name>``."""
    findings: list[_Finding] = []
    first: dict[str, _Place] = {}
    for index, code in enumerate(_list_at(meta, (name,))):
        loc: Loc = ("framework", name, index)
        place = _spot(spots, loc).value
        if isinstance(code, str) and code in first:
            message = f'"{code}" is listed twice (first at line {first[code].line})'
            findings.append((place, loc, message))
        elif isinstance(code, str):
            first[code] = place
    return findings


def _text_findings(
    loc: Loc, texts: dict[str, Any], languages: list[str], required: list[str], spots: Spots
) -> list[_Finding]:
    """A text must exist in every required language and in no undeclared one."""
    findings: list[_Finding] = []
    for code in required:
        if code not in texts:
            findings.append((_spot(spots, loc).anchor, loc, f"{_text_name(code)} is missing"))
    for code in texts:
        if code not in languages and re.fullmatch(LANG_PATTERN, code):
            message = (
                f"{_text_name(code)} is in a language the framework does not list "
                f'({", ".join(languages)}); add "{code}" to framework › languages or remove it'
            )
            findings.append((_spot(spots, (*loc, code)).anchor, loc, message))
    return findings


def _numbering_findings(data: dict[str, Any], spots: Spots) -> list[_Finding]:
    """Scale values and rubric ranks run 1..n; competencies are numbered 1..n in order."""
    findings = _run_findings(data, ("rating_scale", "levels"), "value", "the rating scale", spots)
    findings += _run_findings(data, ("rubric", "levels"), "rank", "the rubric", spots)
    competencies = _list_at(data, ("competencies",))
    numbers = [_field(item, "number") for item in competencies]
    if competencies and all(_is_count(number) for number in numbers):
        for index, number in enumerate(numbers):
            if number != index + 1:
                loc: Loc = ("competencies", index, "number")
                message = (
                    f"expected {index + 1}, not {number}: number the competencies "
                    "1, 2, 3, … in the order they appear"
                )
                findings.append((_spot(spots, loc).at_value, loc, message))
    return findings


def _run_findings(
    data: dict[str, Any], loc: Loc, name: str, what: str, spots: Spots
) -> list[_Finding]:
    """The levels at ``loc`` must carry ``name`` 1..n, each once, lowest first."""
    values = [_field(level, name) for level in _list_at(data, loc)]
    if not values or not all(_is_count(value) for value in values):
        return []  # the schema check reports values that are missing or not whole numbers
    findings: list[_Finding] = []
    first: dict[int, _Place] = {}
    for index, value in enumerate(values):
        place = _spot(spots, (*loc, index, name)).at_value
        if value in first:
            message = f"{what} has the {name} {value} twice (first at line {first[value].line})"
            findings.append((place, (*loc, index, name), message))
        first.setdefault(value, place)
    for missing in range(1, max(values) + 1):
        if missing not in first:
            message = f"{what} has a gap: no level with {name} {missing}"
            findings.append((_spot(spots, loc).anchor, loc, message))
    if not findings and values != sorted(values):
        message = f"list the levels of {what} in order, from {name} 1 upwards"
        findings.append((_spot(spots, loc).anchor, loc, message))
    return findings


def _provenance_findings(data: dict[str, Any], spots: Spots) -> list[_Finding]:
    """Every tool of the toolbox says where it comes from (its parts share it)."""
    findings: list[_Finding] = []
    for index, tool in enumerate(_list_at(data, ("toolbox",))):
        if isinstance(tool, dict) and "provenance" not in tool:
            loc: Loc = ("toolbox", index)
            message = (
                'the field "provenance" is missing; say where the tool comes from '
                "(source: handbook, with a citation)"
            )
            findings.append((_spot(spots, loc).anchor, loc, message))
    return findings


def _repair_findings(
    data: dict[str, Any], items: Iterable[tuple[Loc, object, Any]], spots: Spots
) -> list[_Finding]:
    """A repair names an item of the file whose text holds the repaired wording."""
    texts: dict[str, list[str]] = {}
    for _loc, annotation, value in items:
        model = _model(annotation)
        key = _field(value, "key")
        if model is None or model in (Meta, Repair) or not isinstance(key, str):
            continue
        texts[key] = list(_own_texts(value, model))
    findings: list[_Finding] = []
    for index, repair in enumerate(_list_at(data, ("repairs",))):
        key, before, after = (_field(repair, name) for name in ("key", "before", "after"))
        loc: Loc = ("repairs", index)
        if not isinstance(key, str) or not isinstance(after, str) or not isinstance(before, str):
            continue  # the schema check reports missing or malformed fields
        if key not in texts:
            message = f'no item in the file has the key "{key}"; name the item that was repaired'
            findings.append((_spot(spots, (*loc, "key")).at_value, (*loc, "key"), message))
        elif not any(after.strip() in text for text in texts[key]):
            message = f'the text of "{key}" does not contain this wording; copy it from the item'
            findings.append((_spot(spots, (*loc, "after")).at_value, (*loc, "after"), message))
        elif before.strip() not in after and any(before.strip() in text for text in texts[key]):
            message = f'the text of "{key}" still contains the wording before the repair'
            findings.append((_spot(spots, (*loc, "before")).at_value, (*loc, "before"), message))
    return findings


def _own_texts(value: dict[str, Any], model: type[BaseModel]) -> Iterator[str]:
    """The texts of an item itself, in every language, without those of the items inside it."""
    for name, info in model.model_fields.items():
        child = value.get(name)
        if _is_localized(info.annotation) and isinstance(child, dict):
            yield from (text for text in child.values() if isinstance(text, str))
        elif name == "points" and isinstance(child, list):
            for point in child:
                if isinstance(point, dict):
                    yield from (text for text in point.values() if isinstance(text, str))


def _list_at(data: Any, loc: Loc) -> list[Any]:
    """The list at ``loc`` in the data, or [] when there is none."""
    for part in loc:
        data = _child(data, part)
    return data if isinstance(data, list) else []


def _field(item: Any, name: str) -> Any:
    """``item[name]`` when ``item`` is a mapping, else None."""
    return item.get(name) if isinstance(item, dict) else None


def _is_count(value: Any) -> bool:
    """True for a whole number of 1 or more (booleans are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


# --- Rendering ------------------------------------------------------------------------------


def _render(file: str, data: Any, findings: list[_Finding]) -> list[Problem]:
    """Findings as problems with their key paths, without repeats, sorted by place."""
    problems = set()
    for place, loc, message in findings:
        path = _describe_path(data, loc)
        text = f"{path}: {message}" if path else message
        problems.add(Problem(file, place.line, place.column, text))
    return sorted(problems, key=lambda p: (p.line, p.column, p.message))


def _describe_path(data: Any, loc: Loc) -> str:
    """The key path in plain words: 'competency "x" › element "x.y" › title'."""
    words: list[str] = []
    node = data
    for part in loc:
        node = _child(node, part)
        if isinstance(part, str):
            words.append(part)
            continue
        listed = words[-1] if words else None
        noun = _ITEM_NOUNS.get(listed) if listed else None
        if listed in _NUMBERED:  # several entries may share a key: name them by position
            words[-1] = f"{noun} {part + 1}"
            continue
        if noun is None:
            noun = "entry"  # a list the model does not know: keep its name in the path
        else:
            words.pop()  # "competencies" › 2 reads better as 'competency "x"'
        key = _field(node, "key")
        words.append(f'{noun} "{key}"' if isinstance(key, str) and key else f"{noun} {part + 1}")
    return PATH_SEPARATOR.join(words)


def _child(node: Any, part: str | int) -> Any:
    """The entry ``part`` of a mapping or list, or None."""
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None
