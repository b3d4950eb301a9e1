"""A colour-blind-safe palette (Okabe & Ito), markers and dash patterns: never colour alone.

:func:`simulate` gives how a colour looks with protanopia, deuteranopia or tritanopia
(Machado, Oliveira & Fernandes 2009, severity 1), and :func:`delta_e` the CIE76 distance,
so a test can prove the series stay apart.
"""

from __future__ import annotations

#: Okabe–Ito colours without yellow (too light on white) and black (the axes).
COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
MARKERS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star")
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: Heat-map levels: one hue (blue) from light to dark; "cannot judge" is grey.
LEVEL_SCALE: tuple[str, str] = ("#DCEAF5", "#08306B")
CANNOT_JUDGE_COLOUR = "#BDBDBD"

_MACHADO = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _gamma(channel: float) -> float:
    channel = min(1.0, max(0.0, channel))
    return 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def rgb(colour: str) -> tuple[float, float, float]:
    """``#RRGGBB`` as sRGB in 0..1."""
    value = colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def simulate(colour: str, kind: str) -> tuple[float, float, float]:
    """``colour`` as seen with ``kind`` of colour blindness (sRGB in 0..1)."""
    linear = [_linear(c) for c in rgb(colour)]
    matrix = _MACHADO[kind]
    out = [sum(matrix[i][j] * linear[j] for j in range(3)) for i in range(3)]
    return (_gamma(out[0]), _gamma(out[1]), _gamma(out[2]))


def _lab(colour: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def delta_e(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """CIE76 colour difference between two sRGB colours (0..1)."""
    la, lb = _lab(a), _lab(b)
    return float(sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5)
