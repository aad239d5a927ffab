"""What a picture file is, from its bytes: its media type and, when the format says it, its size in pixels.

Pure. Used for the site's icon and logo (``site.toml``): feeds and pages
name their type and, where a format lets readers use them, their width and
height. Only the header of each format is read; nothing is decoded.
"""

from __future__ import annotations

import re
import struct

__all__ = ["PICTURE_TYPES", "picture_size", "picture_type"]

# The formats a site's icon or logo may have, by file suffix; what browsers and feed readers all show.
PICTURE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)
# JPEG start-of-frame markers (baseline, progressive, …): the frame header holds the size
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def picture_type(data: bytes) -> str | None:
    """Return the media type ``data`` really is (one of :data:`PICTURE_TYPES`), or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\x00\x00\x01\x00") and len(data) >= 6 and struct.unpack("<H", data[4:6])[0] > 0:
        return "image/x-icon"
    if _SVG.search(data[:4096]) and b"\x00" not in data[:4096]:
        return "image/svg+xml"
    return None


def picture_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) in pixels as the file's header says it, or None (SVG, or a header cut short).

    An ICO file gives its first, usually largest, image.
    """
    try:
        kind = picture_type(data)
        if kind == "image/png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if kind == "image/gif":
            return struct.unpack("<HH", data[6:10])
        if kind == "image/x-icon":
            width, height = data[6], data[7]
            return (width or 256, height or 256)  # 0 says 256
        if kind == "image/jpeg":
            return _jpeg_size(data)
        if kind == "image/webp":
            return _webp_size(data)
    except (struct.error, IndexError):
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return (width, height)
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return (width, height)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return (width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    return None
