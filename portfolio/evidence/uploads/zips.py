"""Zip containers (every Office and OpenDocument file is one): refusing "zip bombs".

Pure Python (no Flask, no database). A zip bomb is a small file that unpacks to gigabytes.
:func:`zip_trouble` checks the number of parts, their declared sizes, how tightly each is
packed and the way it is packed before any part is read; then it unpacks every part in
pieces of 64 KB, counting, so that a part whose header understates its size is caught too.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from enum import StrEnum

ZIP_MAX_MEMBERS = 10_000
#: All parts together, unpacked. A 10 MB spreadsheet full of numbers unpacks to about 100 MB.
ZIP_MAX_UNPACKED = 256 * 1024 * 1024
#: How many times larger than its packed size a part may unpack to ...
ZIP_MAX_RATIO = 200
#: ... once it is larger than this (tiny parts can pack very well without harm).
ZIP_RATIO_GRACE = 1024 * 1024
# Office and OpenDocument files use only these two methods. Others (bzip2, LZMA) cannot be
# unpacked in bounded pieces by the zipfile module, so they are refused unread.
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP_CHUNK = 64 * 1024
#: What reading a damaged, encrypted or unsupported zip may raise.
DAMAGED_ZIP: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    OSError,
    EOFError,
    RuntimeError,  # also NotImplementedError: encrypted or unsupported parts
    zlib.error,
)


class ZipTrouble(StrEnum):
    """Why a zip container is refused before its content is looked at."""

    TOO_MANY_PARTS = "too-many-parts"
    TOO_LARGE_UNPACKED = "too-large-unpacked"
    PACKED_TOO_TIGHTLY = "packed-too-tightly"
    UNUSUAL_PACKING = "unusual-packing"
    WRONG_SIZES = "wrong-sizes"


def too_many_parts(data: bytes) -> bool:
    """A cheap upper bound on the parts, before zipfile builds an object for each.

    Each part has one central directory record: counting their signatures refuses
    millions of parts without parsing them.
    """
    return data.count(b"PK\x01\x02") > ZIP_MAX_MEMBERS


def zip_trouble(archive: zipfile.ZipFile, packed_size: int) -> ZipTrouble | None:
    """What makes this archive unsafe to unpack, or None.

    The declared sizes are checked first (no part is read), then every part is unpacked in
    pieces of 64 KB, counting, to make sure that it does not unpack to more than it declares.
    """
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        return ZipTrouble.TOO_MANY_PARTS
    if any(info.compress_type not in _ZIP_METHODS for info in infos):
        return ZipTrouble.UNUSUAL_PACKING
    if sum(info.file_size for info in infos) > ZIP_MAX_UNPACKED:
        return ZipTrouble.TOO_LARGE_UNPACKED
    for info in infos:
        if info.file_size > ZIP_RATIO_GRACE and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            return ZipTrouble.PACKED_TOO_TIGHTLY
    if sum(info.compress_size for info in infos) > packed_size:
        return ZipTrouble.WRONG_SIZES
    for info in infos:
        if not info.is_dir() and _unpacked_size(archive, info) != info.file_size:
            return ZipTrouble.WRONG_SIZES
    return None


def _unpacked_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """What a part really unpacks to, counting no further than one piece past its declared size.

    The zipfile module stops reading at the declared size, so a part that claims to be small
    but unpacks to much more would pass unnoticed; reading with a larger bound shows it. The
    checksum is then compared here (zipfile would compare it at the wrong length).
    """
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC  # zipfile skips its own check for a part without one
    total = 0
    crc = 0
    with archive.open(probe) as member:
        while chunk := member.read(_ZIP_CHUNK):
            total += len(chunk)
            if total > info.file_size:
                return total
            crc = zlib.crc32(chunk, crc)
    if total == info.file_size and crc != info.CRC:
        raise zipfile.BadZipFile(f"bad CRC-32 for {info.filename!r}")
    return total


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a part (check its sizes with :func:`zip_trouble` first)."""
    with archive.open(name) as member:
        return member.read(limit)
