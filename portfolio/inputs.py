"""Every piece of text a request brings is made storable here, in one place.

PostgreSQL cannot store a NUL character in a text column, and no other C0 control
character (other than tab, line feed and carriage return) or lone surrogate half has a
place in a name, a reflection or a search term. They arrive by pasting from another
program, or from a scanner. The application's :class:`Request` removes them from every
form value, query-string value, uploaded file name and JSON string before any view sees
them, and remembers which fields it changed (:func:`refused_fields`).

The application then *refuses* those fields rather than storing the cleaned text
silently: every form built on :class:`Form` gets an error at the field, the fill-in page
reports it per field (also to autosave), and a filter says so next to its box. The form
comes back with the cleaned text, so nothing visible is lost: sending it again stores it.

Page numbers of paginated lists are input too: :func:`paginate` bounds them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask import Request as FlaskRequest
from flask import request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import Select
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.utils import cached_property

if TYPE_CHECKING:
    # The type stubs for WTForms describe 3.2, which has no SelectChoice yet and reads a
    # choice as a (value, label) pair; to the type checker SelectChoice is such a pair.

    class SelectChoice(tuple[str, str]):
        """One option of a select field (WTForms' own class when the code runs)."""

        value: str
        label: str
        optgroup: str | None

        def __new__(
            cls,
            value: str,
            label: object = None,
            render_kw: dict[str, object] | None = None,
            optgroup: str | None = None,
        ) -> SelectChoice: ...

else:
    from wtforms.fields.choices import SelectChoice as SelectChoice

#: C0 controls except tab, LF and CR; lone UTF-16 surrogate halves.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

REFUSED_MESSAGE = _l(
    "This text contained an invisible control character (often carried along when copying "
    "from another program), which cannot be stored. It has been removed here: check the "
    "text and send it again."
)


def clean_text(value: str) -> str:
    """``value`` without the characters that cannot be stored."""
    return UNSTORABLE.sub("", value)


class Request(FlaskRequest):
    """A request whose text values are storable (see the module docstring)."""

    @cached_property
    def refused(self) -> dict[str, str]:
        """Field name → where it came from (``form``, ``args``, ``files``, ``json``)."""
        return {}

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string, cleaned."""
        raw = super().args
        return self._clean_multidict(raw, "args")

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        self.__dict__["form"] = self._clean_multidict(self.__dict__["form"], "form")
        for name, storage in self.__dict__["files"].items(multi=True):
            if isinstance(storage, FileStorage) and storage.filename:
                cleaned = clean_text(storage.filename)
                if cleaned != storage.filename:
                    storage.filename = cleaned
                    self.refused.setdefault(name, "files")

    def _clean_multidict(self, raw: MultiDict[str, str], source: str) -> MultiDict[str, str]:
        if not any(UNSTORABLE.search(k) or UNSTORABLE.search(v) for k, v in raw.items(multi=True)):
            return raw
        items = []
        for key, value in raw.items(multi=True):
            clean_key, clean_value = clean_text(key), clean_text(value)
            if clean_value != value or clean_key != key:
                self.refused.setdefault(clean_key, source)
            items.append((clean_key, clean_value))
        return ImmutableMultiDict(items)

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """A JSON body, its strings cleaned."""
        return self._clean_json(super().get_json(force=force, silent=silent, cache=cache), None)

    def _clean_json(self, value: Any, top: str | None) -> Any:
        if isinstance(value, str):
            cleaned = clean_text(value)
            if cleaned != value:
                self.refused.setdefault(top or "", "json")
            return cleaned
        if isinstance(value, list):
            return [self._clean_json(v, top) for v in value]
        if isinstance(value, dict):
            return {
                clean_text(k): self._clean_json(v, top if top is not None else clean_text(k))
                for k, v in value.items()
            }
        return value


def refused_fields() -> dict[str, str]:
    """The fields of the current request whose text had to be cleaned."""
    return getattr(request, "refused", {})


class Form(FlaskForm):
    """The base of every form: a field whose text had to be cleaned fails with a message."""

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate as usual, then refuse each field that arrived with control characters."""
        valid = super().validate(extra_validators=extra_validators)
        refused = refused_fields()
        if not refused:
            return valid
        for field in self:
            if field.name in refused and field.type != "CSRFTokenField":
                errors = field.errors if isinstance(field.errors, list) else []
                field.errors = [*errors, str(REFUSED_MESSAGE)]
                valid = False
        return valid


# --- page numbers --------------------------------------------------------------------------

#: No list is anywhere near this long; a larger number is a typo or a probe.
MAX_PAGE = 100_000


def page_number(name: str = "page") -> int:
    """The requested page (1 when missing or not a positive number), at most MAX_PAGE."""
    value = request.args.get(name, "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    # Compare as text first: int() of a very long digit string is slow, and pointless.
    return MAX_PAGE if len(value) > len(str(MAX_PAGE)) else max(1, min(int(value), MAX_PAGE))


def paginate(query: Select[Any], per_page: int, name: str = "page") -> Pagination:
    """One page of ``query``; a page past the end shows the last page (every list alike)."""
    from portfolio.extensions import db

    page = db.paginate(query, page=page_number(name), per_page=per_page, error_out=False)
    if page.page > 1 and page.page > (page.pages or 1):
        page = db.paginate(query, page=max(page.pages, 1), per_page=per_page, error_out=False)
    return page


def init_app(app: Any) -> None:
    """Make every request of ``app`` a cleaning :class:`Request`."""
    app.request_class = Request
