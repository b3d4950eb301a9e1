"""The competence framework: an immutable model and its YAML loader (pure Python, no Flask)."""

from portfolio.framework.loader import (
    FrameworkError,
    Problem,
    check_framework,
    framework_hash,
    load_framework,
)
from portfolio.framework.model import (
    Competency,
    Element,
    Framework,
    Indicator,
    LocalizedText,
    Meta,
    NotJudgeable,
    RatingScale,
    Rubric,
    RubricLevel,
    ScaleLevel,
    Source,
    Tool,
    is_valid_key,
    pick,
)

__all__ = [
    "Competency",
    "Element",
    "Framework",
    "FrameworkError",
    "Indicator",
    "LocalizedText",
    "Meta",
    "NotJudgeable",
    "Problem",
    "RatingScale",
    "Rubric",
    "RubricLevel",
    "ScaleLevel",
    "Source",
    "Tool",
    "check_framework",
    "framework_hash",
    "is_valid_key",
    "load_framework",
    "pick",
]
