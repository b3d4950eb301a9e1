from collections.abc import Callable
from typing import Any, TypeVar, overload

from flask import Blueprint, Flask
from werkzeug.exceptions import BadRequest

_F = TypeVar("_F", bound=Callable[..., Any])

def generate_csrf(secret_key: str | None = None, token_key: str | None = None) -> str: ...
def validate_csrf(
    data: str | None,
    secret_key: str | None = None,
    time_limit: int | None = None,
    token_key: str | None = None,
) -> None: ...

class CSRFProtect:
    def __init__(self, app: Flask | None = None) -> None: ...
    def init_app(self, app: Flask) -> None: ...
    def protect(self) -> None: ...
    @overload
    def exempt(self, view: Blueprint) -> Blueprint: ...
    @overload
    def exempt(self, view: _F) -> _F: ...

class CSRFError(BadRequest):
    description: str
