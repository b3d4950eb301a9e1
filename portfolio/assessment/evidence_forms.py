"""The form for adding and changing an item in the evidence library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

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
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portfolio.assessment import uploads
from portfolio.assessment.models import EvidenceKind
from portfolio.inputs import Form as FlaskForm

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


@dataclass
class Upload:
    """A chosen file that passed the checks, waiting to be stored."""

    file_name: str
    file_type: uploads.FileType
    data: bytes


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
    attached_type: uploads.FileType | None = None
    attached_name: str = ""
    max_size: int | None = None
    quota: uploads.Quota | None = None
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
        allowed = uploads.IMAGES if self.kind_value is EvidenceKind.IMAGE else uploads.ACCEPTED
        chosen = self.chosen_file()
        if chosen is not None:
            name = uploads.display_name(chosen.filename)
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
                file_type = uploads.check_upload(
                    chosen.filename,
                    data,
                    max_size=self.max_size,
                    size=size,
                    quota=self.quota,
                    allowed=allowed,
                )
            except uploads.UploadRejected as rejected:
                raise ValidationError(rejected.message) from rejected
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
                    types=uploads.accepted_list(uploads.IMAGES),
                )
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
