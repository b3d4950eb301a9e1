"""Password rules: long enough, not one of the most common passwords, not your own name."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # generous: pass phrases and password managers are welcome


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's frequency lists) and a few local ones."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON_WORDS


# "Welcome", "password" and the like in the partners' languages; zxcvbn's are English.
_DUTCH = ("welkom", "wachtwoord", "geheim")
_ITALIAN = ("benvenuto", "benvenuti", "parola", "parolachiave", "ciao")
_FINNISH = ("tervetuloa", "salasana")
_PORTUGUESE = ("bemvindo", "senha", "palavrapasse")
LOCAL_COMMON_WORDS = frozenset((*_DUTCH, *_ITALIAN, *_FINNISH, *_PORTUGUESE))

# Digits and punctuation around a word ("welkom1234", "!password2024") add little.
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _is_common(lowered: str) -> bool:
    common = _common_passwords()
    return lowered in common or _DECORATION.sub("", lowered) in common


def _personal_parts(email: str, name: str) -> set[str]:
    """The e-mail's local part and the name, whole and in pieces of four letters or more."""
    local = email.lower().split("@")[0]
    name = name.lower()
    parts = {local, name, re.sub(r"\W", "", name)}
    parts |= set(re.split(r"[\W_]+", local)) | set(re.split(r"[\W_]+", name))
    return {part for part in parts if len(part) >= 4}


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)s characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if _is_common(lowered) or len(set(lowered)) < 4:
        return str(_l("This password is too common or too easy to guess. Try a short sentence."))
    if any(part in lowered for part in _personal_parts(email, name)):
        return str(_l("Do not use your name or e-mail address in your password."))
    return None


class StrongPassword:
    """WTForms validator; reads the e-mail and name fields of the same form when present."""

    def __call__(self, form: Form, field: Field) -> None:
        email = getattr(getattr(form, "email", None), "data", None) or getattr(
            form, "person_email", ""
        )
        name = getattr(getattr(form, "name", None), "data", None) or getattr(
            form, "person_name", ""
        )
        problem = password_problem(field.data or "", email=email or "", name=name or "")
        if problem:
            raise ValidationError(problem)


def _field_data(form: Form, name: str) -> str:
    """What the form's field ``name`` holds ('' when the form has no such field)."""
    return str(getattr(getattr(form, name, None), "data", None) or "")
