# The part of WeasyPrint this application uses (WeasyPrint ships no type information).
from typing import Any

class HTML:
    def __init__(
        self,
        guess: Any = ...,
        *,
        string: str | None = ...,
        base_url: str | None = ...,
        **kwargs: Any,
    ) -> None: ...
    def write_pdf(self, target: Any = ..., **options: Any) -> bytes | None: ...
