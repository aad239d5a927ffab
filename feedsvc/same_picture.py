"""Whether two image URLs show the same picture, the way sites serve one picture under many URLs.

Pure, and the one answer the service gives: the cleaner drops a later copy of a
picture the article already shows (:mod:`feedsvc.clean.normalise`), the
metadata gives a declared lead image the alt text and caption the body shows it
with (:mod:`feedsvc.metadata.images`), and the article page does not put the
lead above a body that shows it (:mod:`feedsvc.web.figures`). One picture is
served as:

- the very same URL, absolute or not;
- a size variant of the file: ``photo-1024x683.jpg``, ``photo_300x200.jpg``,
  ``photo-scaled.jpg``, ``photo@2x.jpg``, ``photo_large.jpg``,
  ``photo.jpg?w=800``, ``photo.jpg.webp``;
- a resizer's folder in front of the name, on the same site: Drupal's
  ``styles/927x524/public/…``, ImageKit's ``tr:w-1800/…``, Gatsby's ``a2510/…``;
  or another size in the same place: Blogger's ``w1200-h630-p-k-nu`` and
  ``s640``, Cloudinary's ``c_limit,w_1200`` and ``c_limit,w_1080``, a width
  and a height as two folders before the name (``/750/422/photo.jpg``);
- a copy on a CDN host keeping the dated folders: WP-Stateless's
  ``storage.googleapis.com/<bucket>/2024/09/photo.png`` for
  ``example.com/wp-content/uploads/2024/09/photo.png``;
- a resizer URL carrying the original: ``i0.wp.com/example.com/…``,
  ``/_next/image?url=https%3A…``, ``…/fetch/w_800/https://example.com/…``.

Two different pictures must never be taken for one (the page would hide the
only copy of the lead, the cleaner would drop a picture): the names must be
equal but for those variant endings (``photo-1.jpg`` is not ``photo-11.jpg``),
the folders must agree (same site: one's folders within the other's, the
inserted ones a resizer's; other hosts: the last two folders equal, a date or
an id among them), so a common name on an unrelated host is another picture;
and a query parameter both URLs carry that is not a size must have one value
(``image.php?id=1`` is not ``image.php?id=2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from feedsvc.text import absolute_url

__all__ = ["IMAGE_SIZE_PARAMS", "PictureSet", "forget_places", "same_picture"]

# File endings a CDN adds or swaps ("photo.jpg.webp"): not part of the picture's name.
_EXTENSION = re.compile(r"\.(?:jpe?g|png|webp|gif|avif|jfif|bmp|tiff?)$")
# Endings a CMS gives a resized, cropped ("_16x9"), rotated or retina copy of one upload.
# Also before a last dotted part: Mashable's "hero.fill.size_1200x675.v1765453968.jpg".
_VARIANT = re.compile(
    r"(?:[-_]\d{1,5}x\d{1,5}|-scaled|-rotated|@[1-4](?:\.\d+)?x|[-_](?:large|medium|small|thumb|thumbnail|full|original))"
    r"(?=\.\w+$|$)"
)
# Query parameters that only ask for another size or format of one picture (``?w=700``,
# ``?width=800&height=600``, ``?scale-down-to=1024``), or sign one derivative of it (Drupal's
# ``itok``, imgix's ``ixlib``): two URLs differing only in these show the same picture.
IMAGE_SIZE_PARAMS = frozenset(
    """
    w h width height size sz s resize fit crop q quality dpr auto fm format scale-down-to
    ssl strip zoom imwidth im mode itok ixlib
    """.split()
)
# A folder of plain digits: with another after it, before the name, a width and a height ("/750/422/x.jpg").
_NUMBER = re.compile(r"^\d{2,5}$")
# The smallest width or height two number folders are read as (smaller ones are ids or dates).
_SIZE_MIN = 32
# Years: "/2024/09/x.jpg" is a month's folder, not a size.
_YEARS = range(1900, 2101)
# Photon, WordPress.com's resizer: i0.wp.com/<original host>/<original path>.
_PHOTON = re.compile(r"^i\d\.wp\.com$")
# An original URL written inside a resizer's path (Cloudinary "fetch", imgproxy, …).
_URL_IN_PATH = re.compile(r"/(https?:/{1,2}[^/].*)$", re.IGNORECASE)
# A folder that names a size or a crop (an image service's transform): "670x503", "w1200-h630-p-k-nu",
# "s640", "t_fit-1500w,f_auto", "c_limit,w_1080". Plain numbers ("2024", "800") are dates or ids: never one.
_SIZE_FOLDER = re.compile(r"(?:^|[^a-z0-9])(?:\d{2,5}x\d{1,5}|[whs]_?\d{2,5}|\d{2,5}w)(?=$|[^a-z0-9])")
# Characters no image URL holds: a src the page filled with its script's data.
_NOT_IN_A_URL = re.compile(r'[{}"<>\\^`|]')
# Resizers inside resizers (AOL's "dims?image_uri=…dims?image_uri=…"): followed this deep.
_MAX_NESTING = 3
# Folders two hosts must share before the name for their two files to be one picture.
_SHARED_FOLDERS = 2
_DIGIT = re.compile(r"\d")


class _Place(NamedTuple):
    site: str
    folders: tuple[str, ...]
    name: str
    params: frozenset[tuple[str, str]]  # the query's parameters that are not a size


def same_picture(a: str, b: str) -> bool:
    """Whether image URLs ``a`` and ``b`` show the same picture (see the module's docstring)."""
    if a.strip() == b.strip():
        return True
    places_b = _places(b)
    return any(_same_place(one, other) for one in _places(a) for other in places_b)


class PictureSet:
    """The pictures a page has shown so far, asked whether a URL is one of them (in one pass over its images)."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        self._urls: set[str] = set()
        self._by_name: dict[str, list[_Place]] = {}
        for url in urls:
            self.add(url)

    def add(self, url: str) -> None:
        """Count the picture ``url`` shows as shown."""
        self._urls.add(url.strip())
        for place in _places(url):
            self._by_name.setdefault(place.name, []).append(place)

    def __contains__(self, url: object) -> bool:
        """Whether ``url`` shows a picture already shown (:func:`same_picture` with one of them)."""
        if not isinstance(url, str):
            return False
        if url.strip() in self._urls:
            return True
        return any(_same_place(one, other) for one in _places(url) for other in self._by_name.get(one.name, ()))


def forget_places() -> None:
    """Empty the cache of where image URLs place their pictures; ``feedsvc.clean`` does after each page.

    A pure cache: emptied, it answers the same. A page asks about its own
    images; what it held from earlier pages (a tuple, a ``_Place`` and a
    frozenset an entry) the cycle collector walked at every full collection.
    """
    _places.cache_clear()


@lru_cache(maxsize=4096)  # a page asks about each of its images once per other image
def _places(url: str, depth: int = 0) -> tuple[_Place, ...]:
    """Return where ``url`` says its picture is: the original URLs a resizer URL carries, else itself.

    A resizer's own path names the service ("/images/dims", "/_next/image"), not the picture: two
    of its URLs for two pictures must not be taken for one.
    """
    absolute = absolute_url(url)
    if absolute is None or _NOT_IN_A_URL.search(absolute) or depth > _MAX_NESTING:
        return ()  # a src the page mangled ('{"default": …}') shows nothing: it is no copy of anything
    parts = urlsplit(absolute)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    inner = []
    if _PHOTON.match(host) and path.count("/") >= 2:
        inner.append("https://" + path.lstrip("/"))
    if in_path := _URL_IN_PATH.search(path):
        inner.append(re.sub(r"^(https?:)/+", r"\1//", in_path.group(1), flags=re.IGNORECASE))
    for _, value in parse_qsl(parts.query.replace("&amp;", "&")):
        if value.startswith("/") and not value.startswith("//"):
            value = f"{parts.scheme}://{parts.netloc}{value}"  # Next.js: /_next/image?url=%2Fuploads%2F…
        if absolute_url(value) == value:
            inner.append(value)
    places = [place for carried in inner for place in _places(carried, depth + 1)]
    if places:
        return tuple(places)
    place = _place(absolute)
    return () if place is None else (place,)


def _place(url: str) -> _Place | None:
    parts = urlsplit(url.strip())
    segments = [segment for segment in unquote(parts.path).lower().split("/") if segment]
    if not segments or not parts.hostname:
        return None
    name = segments[-1]
    while _EXTENSION.search(name):
        name = _EXTENSION.sub("", name)
    while _VARIANT.search(name):
        name = _VARIANT.sub("", name)
    folders = segments[:-1]
    if len(folders) >= 2 and _size_pair(folders[-2], folders[-1]):
        del folders[-2:]  # ".../750/422/photo.jpg": a width and a height, not the picture's place
    params = frozenset(
        (key.lower(), value)
        for key, value in parse_qsl(parts.query.replace("&amp;", "&"))
        if key.lower() not in IMAGE_SIZE_PARAMS
    )
    return _Place(_site(parts.hostname.lower()), tuple(folders), name, params) if name else None


def _size_pair(first: str, second: str) -> bool:
    """Whether two folders in a row read as a width and a height (not a year and a month or day)."""
    if not (_NUMBER.match(first) and _NUMBER.match(second)):
        return False
    width, height = int(first), int(second)
    return width >= _SIZE_MIN and height >= _SIZE_MIN and width not in _YEARS


def _site(host: str) -> str:
    """Return the site a host belongs to: "cdn.example.com" and "www.example.com" are one (example.com)."""
    labels = host.removeprefix("www.").split(".")
    # "news.example.co.uk": a short second-level label under a country code is part of the suffix
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def _same_place(a: _Place, b: _Place) -> bool:
    if a.name != b.name or _disagree(a.params, b.params):
        return False
    if a.site == b.site:
        return _within(a.folders, b.folders) or _within(b.folders, a.folders) or _other_size(a.folders, b.folders)
    shared = []
    for one, other in zip(reversed(a.folders), reversed(b.folders), strict=False):  # unequal depths
        if one != other:
            break
        shared.append(one)
    # the shared folders place the file (a date, an id: "2024/09"), not only name a kind ("foo/bar", "images/photos")
    return len(shared) >= _SHARED_FOLDERS and any(_DIGIT.search(folder) for folder in shared)


def _other_size(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two paths differ only in folders that name a size ("max/w_1200/x" and "max/w_1080/x")."""
    return len(a) == len(b) and all(
        one == other or (_SIZE_FOLDER.search(one) and _SIZE_FOLDER.search(other))
        for one, other in zip(a, b, strict=True)
    )


def _within(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether ``long`` is ``short`` with a resizer's folders inserted ("styles/927x524/public", "a2510").

    One inserted folder must say so: a size, a hash or a transform holds a digit. "/articles/foo/bar.png"
    and "/foo/bar.png" are two addresses a page's relative links make of two files; "/images/logo.png" and
    "/images/partners/logo.png" two logos.
    """
    inserted = list(long)
    at = 0
    for folder in short:
        try:
            at = inserted.index(folder, at)
        except ValueError:
            return False
        del inserted[at]
    return not inserted or any(_DIGIT.search(folder) for folder in inserted)


def _disagree(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Whether a parameter both queries carry has two values (one alone is a version or a cache's mark)."""
    if not a or not b:
        return False
    values = dict(a)
    return any(key in values and values[key] != value for key, value in b)
