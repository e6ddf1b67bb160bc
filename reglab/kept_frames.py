"""A template rendered once per process for each shape, with this request's pieces put in.

Showing a form again is mostly the template engine walking the same nodes to produce the same
text around a few parts that differ per request (the CSRF token, the ticked options, what the
person typed). Here a template is rendered once with a marker in place of each such piece and
kept by its content (reglab.caches, 3.): the shape is everything else the output depends on,
which the caller names (the language, the errors, the texts). Each later request with the same
shape joins the kept text and its own pieces, which costs a few microseconds instead of the
render. A piece may appear any number of times, in any order.

The output is the template's own, byte for byte, as long as the shape names everything the
template reads apart from the pieces; the callers' tests render both ways and compare.
"""

import re
import secrets
from collections.abc import Callable, Hashable, Sequence

from django.utils.safestring import SafeString, mark_safe

from . import caches

# Random per process, so no text of the programme or a visitor can contain it.
_MARKER = f"piece-{secrets.token_hex(16)}-"
_SPLIT = re.compile(rf"{_MARKER}(\d+)-")


def markers(count: int) -> list[SafeString]:
    """What a build puts in the template instead of the pieces: markers[i] for pieces[i]."""
    return [mark_safe(f"{_MARKER}{i}-") for i in range(count)]


def filled(shape: Hashable, build: Callable[[list[SafeString]], str], pieces: Sequence[str]):
    """`build(pieces)` for these `pieces`, from the text kept for `shape`.

    `build` renders the template with what it is given in place of the pieces; it is called
    with markers the first time a shape is seen in this process.
    """
    return fill(_kept_frame(shape, len(pieces), caches.Unkeyed(build)), pieces)


def frame(build: Callable[[list[SafeString]], str], count: int) -> tuple:
    """`build` rendered with markers for `count` pieces, ready to be `fill`ed: for a caller
    that keeps it its own way (a page kept per programme version, caches.kept_page)."""
    # Text, piece index, text, ... : re.split puts the captured index between the texts.
    split = _SPLIT.split(str(build(markers(count))))
    return tuple(int(part) if i % 2 else part for i, part in enumerate(split))


def fill(parts: tuple, pieces: Sequence[str]) -> SafeString:
    """The text a `frame` was made from, with `pieces` where its markers were."""
    out = [parts[0]]
    for index in range(1, len(parts), 2):
        out.append(pieces[parts[index]])
        out.append(parts[index + 1])
    return mark_safe("".join(out))


@caches.kept_by_content
def _kept_frame(shape: Hashable, count: int, build: caches.Unkeyed) -> tuple:
    return frame(build.value, count)
