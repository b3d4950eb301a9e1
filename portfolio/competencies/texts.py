"""Framework texts in one language: the same call for pages, builders, jobs and the CLI."""

from __future__ import annotations

from portfolio.competencies import current_framework


def localized(texts: dict[str, str] | None, language: str, *, source: str | None = None) -> str:
    """``texts`` in ``language``, falling back to the framework's source language.

    The language is an argument because PDF builders, jobs and the CLI have no request;
    pages pass ``current_language()``. ``source`` defaults to the running framework's.
    """
    if not texts:
        return ""
    if texts.get(language):
        return texts[language]
    fallback = source if source is not None else current_framework().meta.source_language
    return texts.get(fallback) or next(iter(texts.values()))
