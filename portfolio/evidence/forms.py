"""The form for adding and changing an item in the evidence library, and its choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.evidence.models import EvidenceKind
from portfolio.evidence.queries import IndicatorRef
from portfolio.evidence.services import EvidenceData, Upload
from portfolio.evidence.uploads import messages
from portfolio.evidence.uploads.checks import Quota, UploadRejected, check_upload
from portfolio.evidence.uploads.filetypes import ACCEPTED, IMAGES, FileType
from portfolio.evidence.uploads.names import display_name
from portfolio.framework.model import Tool
from portfolio.inputs import Form as FlaskForm
from portfolio.inputs import SelectChoice

KIND_LABELS = {
    EvidenceKind.TEXT: _l("Text only"),
    EvidenceKind.DOCUMENT: _l("Document (a file)"),
    EvidenceKind.IMAGE: _l("Image (a photo or drawing)"),
    EvidenceKind.LINK: _l("Link (a web address)"),
}
KIND_SHORT_LABELS = {
    EvidenceKind.TEXT: _l("Text"),
    EvidenceKind.DOCUMENT: _l("Document"),
    EvidenceKind.IMAGE: _l("Image"),
    EvidenceKind.LINK: _l("Link"),
}
NEEDS_FILE = (EvidenceKind.DOCUMENT, EvidenceKind.IMAGE)
#: Kinds that have no file: a file chosen with them is refused, never silently kept.
NO_FILE = (EvidenceKind.TEXT, EvidenceKind.LINK)
TITLE_MAX = 200
URL_MAX = 2000
DESCRIPTION_MAX = 20_000


class FriendlyDateField(DateField):
    """A date field whose error says what to type."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError as error:
            raise ValueError(
                str(_l("Enter the date as year-month-day, for example 2025-03-14."))
            ) from error


def _read_bounded(chosen: Any, max_size: int | None) -> tuple[bytes, int]:
    """The chosen file's bytes, at most ``max_size + 1`` of them, and its real size."""
    stream = chosen.stream
    try:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
    except (AttributeError, OSError):
        data = chosen.read()
        return data, len(data)
    data = chosen.read(max_size + 1 if max_size is not None else -1)
    return data, size


def is_web_address(value: str) -> bool:
    """An absolute http or https address with a host and no spaces."""
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class EvidenceForm(FlaskForm):
    """An evidence item. The view fills the choices of ``tool`` and ``indicators``.

    Before validating, the view sets :attr:`has_file` and :attr:`attached_type` (the
    item's current file, if any), :attr:`attached_name`, :attr:`max_size` (the largest
    file) and :attr:`quota` (the owner's room for files); after a successful validation
    :attr:`upload` holds the new file, if one was chosen.

    Kind and file must agree: a document or an image has a file, text only and a link have
    none. A file chosen with those kinds is refused; an item that has a file keeps its kind
    until the person also ticks "Remove the attached file", so the file is never dropped
    or kept without their saying so.
    """

    title = StringField(
        _l("Title"),
        description=_l(
            "A short name you will recognise later, "
            "for example “Network meeting about a family's housing”."
        ),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=TITLE_MAX, message=_l("Keep the title to 200 characters or fewer.")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    occurred_on = FriendlyDateField(
        _l("Date (optional)"),
        description=_l("When it happened. Leave it empty when there is no single date."),
        validators=[Optional()],
    )
    kind = SelectField(
        _l("Kind of evidence"),
        description=_l(
            "A document or an image needs a file, and a link needs a web address; "
            "for “Text only”, the description is enough."
        ),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=EvidenceKind.TEXT.value,
    )
    url = URLField(
        _l("Web address (for a link)"),
        description=_l(
            "Needed when the kind is “Link”; optional otherwise. "
            "It starts with https:// or http://."
        ),
        validators=[Length(max=URL_MAX, message=_l("This web address is too long."))],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        render_kw={"maxlength": URL_MAX, "inputmode": "url", "autocomplete": "url"},
    )
    file = FileField(_l("File"))
    remove_file = BooleanField(_l("Remove the attached file"))
    description = TextAreaField(
        _l("Description"),
        description=_l(
            "What happened, what you did, and what it shows. You can use Markdown: "
            "**bold**, *italic*, a line starting with - for a list, "
            "and [text](https://…) for a link. “Preview the description” shows the result."
        ),
        validators=[
            Length(
                max=DESCRIPTION_MAX,
                message=_l("Keep the description to 20,000 characters or fewer."),
            )
        ],
        render_kw={"rows": 8},
    )
    tool = SelectField(_l("Tool from the dialogical toolbox (optional)"), choices=[], default="")
    indicators = SelectMultipleField(_l("Indicators this evidence shows"), choices=[])

    has_file: bool = False
    attached_type: FileType | None = None
    attached_name: str = ""
    max_size: int | None = None
    quota: Quota | None = None
    upload: Upload | None = None

    @property
    def kind_value(self) -> EvidenceKind:
        """The chosen kind (text when the value is unknown)."""
        try:
            return EvidenceKind(self.kind.data)
        except ValueError:
            return EvidenceKind.TEXT

    def chosen_file(self) -> Any:
        """The FileStorage the person chose, or None."""
        data = self.file.data
        has_name = bool(getattr(data, "filename", None))
        return data if has_name else None

    def validate_occurred_on(self, field: Any) -> None:
        """Evidence is from practice: it has already happened (a day's slack for time zones)."""
        if field.data and field.data > date.today() + timedelta(days=1):
            raise ValidationError(_l("The date cannot be in the future."))

    def validate_url(self, field: Any) -> None:
        """A link needs an http(s) address; any address given must be one."""
        if not field.data:
            if self.kind_value is EvidenceKind.LINK:
                raise ValidationError(_l("Enter the web address this link points to."))
            return
        if not is_web_address(field.data):
            raise ValidationError(
                _l(
                    "Enter a web address that starts with https:// or http://, "
                    "for example https://example.org/report."
                )
            )

    def validate_file(self, field: Any) -> None:
        """Check a chosen file on its content; documents and images need a file."""
        allowed = IMAGES if self.kind_value is EvidenceKind.IMAGE else ACCEPTED
        chosen = self.chosen_file()
        if chosen is not None:
            name = display_name(chosen.filename)
            if self.kind_value in NO_FILE:
                raise ValidationError(
                    _l(
                        "“%(name)s” was not added: evidence of the kind “%(kind)s” has no "
                        "file. To add the file, choose the kind “Document” or “Image”; "
                        "otherwise leave the file empty.",
                        name=name,
                        kind=KIND_SHORT_LABELS[self.kind_value],
                    )
                )
            data, size = _read_bounded(chosen, self.max_size)
            try:
                file_type = check_upload(
                    chosen.filename,
                    data,
                    max_size=self.max_size,
                    size=size,
                    quota=self.quota,
                    allowed=allowed,
                )
            except UploadRejected as rejected:
                raise ValidationError(messages.refusal(rejected)) from rejected
            self.upload = Upload(name, file_type, data)
            return
        keeps_file = self.has_file and not self.remove_file.data
        if self.kind_value in NEEDS_FILE and not keeps_file:
            raise ValidationError(
                _l(
                    "Choose a file: evidence of the kind “%(kind)s” needs one.",
                    kind=KIND_SHORT_LABELS[self.kind_value],
                )
            )
        if (
            self.kind_value is EvidenceKind.IMAGE
            and keeps_file
            and self.attached_type is not None
            and not self.attached_type.is_image
        ):
            raise ValidationError(
                _l(
                    "The attached file is not an image. Choose an image (%(types)s), "
                    "or pick another kind of evidence.",
                    types=messages.accepted_list(IMAGES),
                )
            )

    def evidence_data(self) -> EvidenceData:
        """What the validated form asks to store."""
        return EvidenceData(
            title=(self.title.data or "").strip(),
            kind=self.kind_value,
            occurred_on=self.occurred_on.data,
            url=self.url.data or "",
            description=self.description.data or "",
            tool_key=self.tool.data or None,
            indicator_keys=tuple(self.indicators.data or []),
            upload=self.upload,
            remove_file=bool(self.remove_file.data),
        )

    def validate_kind(self, field: Any) -> None:
        """An item that keeps its file cannot become text only or a link."""
        keeps_file = self.has_file and not self.remove_file.data
        if keeps_file and self.kind_value in NO_FILE and self.chosen_file() is None:
            raise ValidationError(
                _l(
                    "“%(name)s” is attached, and evidence of the kind “%(kind)s” has no file. "
                    "To change the kind, also tick “Remove the attached file” (the file is "
                    "then deleted); to keep the file, keep the kind “Document” or “Image”.",
                    name=self.attached_name or _l("A file"),
                    kind=KIND_SHORT_LABELS[self.kind_value],
                )
            )

    def validate_indicators(self, field: Any) -> None:
        """Evidence shows at least one indicator."""
        if not field.data:
            raise ValidationError(_l("Choose at least one indicator that this evidence shows."))

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate; when something else fails, say that a chosen file must be chosen again."""
        valid = super().validate(extra_validators)
        if not valid and self.chosen_file() is not None and not self.file.errors:
            self.upload = None
            self.file.errors = [
                str(
                    _l(
                        "Choose the file again before you save: for your safety, a file is "
                        "not kept while something else on the form needs fixing."
                    )
                )
            ]
        return valid


# --- choices ---------------------------------------------------------------------------------


def tool_choices(language: str, current_key: str | None = None) -> list[SelectChoice]:
    """'No tool', then the toolbox in ``language``; a tool with parts is a group."""
    choices = [SelectChoice("", _("No tool"))]

    def parts(tools: list[Tool], group: str, prefix: str) -> None:
        for tool in tools:
            label = prefix + localized(tool.name, language)
            choices.append(SelectChoice(tool.key, label, optgroup=group))
            parts(tool.parts, group, label + " › ")

    for tool in current_framework().toolbox:
        name = localized(tool.name, language)
        if not tool.parts:
            choices.append(SelectChoice(tool.key, name))
            continue
        choices.append(SelectChoice(tool.key, _("%(tool)s as a whole", tool=name), optgroup=name))
        parts(list(tool.parts), name, "")
    if current_key and current_key not in {choice.value for choice in choices}:
        choices.append(
            SelectChoice(current_key, _("%(key)s (no longer in the framework)", key=current_key))
        )
    return choices


@dataclass(frozen=True)
class Option:
    """One indicator checkbox."""

    key: str
    text: str
    retired: bool = False

    @property
    def dom_id(self) -> str:
        """An id for the checkbox (keys contain dots)."""
        return "indicator-" + self.key.replace(".", "-")


@dataclass
class ElementGroup:
    """The indicators of one behavioural element."""

    key: str
    title: str
    options: list[Option] = field(default_factory=list)
    rated_as_whole: bool = False


@dataclass
class CompetencyGroup:
    """The elements of one competency, for one collapsible section of the form."""

    key: str
    number: int | None
    name: str
    elements: list[ElementGroup] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Every indicator key in the group."""
        return [o.key for e in self.elements for o in e.options]


#: The key of the group that keeps retired indicators still linked to an item.
RETIRED_GROUP = "retired"


def indicator_groups(
    live_keys: frozenset[str], linked: tuple[IndicatorRef, ...], language: str
) -> list[CompetencyGroup]:
    """The indicators one can link, grouped by competency → element, in ``language``.

    Only indicators in ``live_keys`` (in the database and not retired, see
    :func:`portfolio.evidence.queries.live_indicator_keys`) are offered. Retired indicators
    already ``linked`` to the item stay offered, in a group of their own, so that saving the
    form does not silently drop them.
    """
    groups: list[CompetencyGroup] = []
    offered: set[str] = set()
    for competency in current_framework().competencies:
        group = CompetencyGroup(
            competency.key, competency.number, localized(competency.name, language)
        )
        for element in competency.elements:
            element_group = ElementGroup(
                element.key,
                localized(element.title, language),
                rated_as_whole=element.rated_as_whole,
            )
            for indicator in element.ratable():
                if indicator.key in live_keys:
                    element_group.options.append(
                        Option(indicator.key, localized(indicator.text, language))
                    )
                    offered.add(indicator.key)
            if element_group.options:
                group.elements.append(element_group)
        if group.elements:
            groups.append(group)
    leftovers = [ref for ref in linked if ref.key not in offered]
    if leftovers:
        groups.append(
            CompetencyGroup(
                RETIRED_GROUP,
                None,
                _("No longer in the framework"),
                [
                    ElementGroup(
                        RETIRED_GROUP,
                        _("Still linked to this evidence; clear the box to unlink it."),
                        [Option(ref.key, ref.text, retired=True) for ref in leftovers],
                    )
                ],
            )
        )
    return groups
