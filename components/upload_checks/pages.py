"""The page headers of a Parquet column chunk, read from the file itself.

The footer's sizes and statistics can say anything; the page headers are what pyarrow acts on
when it decodes a chunk: it allocates each page's ``uncompressed_page_size`` to decompress it.
Reading them gives the real cost of decoding a column before a single page is decompressed.

A page header is a Thrift struct in the compact protocol. This reader knows the few fields it
needs (PageHeader: type, sizes; the data, dictionary and v2 page headers: num_values and
encoding) and skips every other field generically, statistics included. pyarrow offers no
access to page headers; fastparquet reads them only through internal API.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = 0, 1, 2, 3
#: Encodings whose values are indices into the chunk's dictionary page.
DICTIONARY_ENCODINGS = frozenset({2, 8})  # PLAIN_DICTIONARY, RLE_DICTIONARY
#: Values stored one after another, so the decoded values of a page are no larger than the page.
CONTIGUOUS_ENCODINGS = frozenset({0, 6})  # PLAIN, DELTA_LENGTH_BYTE_ARRAY
#: pyarrow refuses page headers larger than this (its default max page header size).
MAX_HEADER_BYTES = 16 * 1024 * 1024
_FIRST_READ = 256
_MAX_DEPTH = 32

#: The integer fields kept: of the header, and of its data (5), dictionary (7) and v2 (8)
#: page headers.
_KEPT = ("type", "uncompressed_size", "compressed_size", "num_values", "encoding")
_HEADER_FIELDS = {1: "type", 2: "uncompressed_size", 3: "compressed_size"}
_PAGE_FIELDS = {
    5: {1: "num_values", 2: "encoding"},
    7: {1: "num_values", 2: "encoding"},
    8: {1: "num_values", 4: "encoding"},
}
#: Spans of a header's variable parts: (start, end, what), what being a kept field's name,
#: _OTHER for another integer, or _CONTENT for the bytes of a binary field.
_Spans = list[tuple[int, int, str]]
_OTHER, _CONTENT = "", "\0"
_VARINT = rb"[\x80-\xff]{0,9}[\x00-\x7f]"

# Compact-protocol type codes.
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)


class PageHeaderError(ValueError):
    """A header that is not a valid PageHeader, or pages that do not fit their chunk."""


class TooManyPages(PageHeaderError):
    """More pages than the caller will read headers of."""


class _Truncated(PageHeaderError):
    """The header runs past the bytes read so far."""


class PageHeader(NamedTuple):
    """One page as its header describes it; ``num_values`` and ``encoding`` of data and
    dictionary pages (0 and None for other pages). A tuple: thousands are made per file."""

    type: int
    uncompressed_size: int
    compressed_size: int
    header_size: int
    num_values: int = 0
    encoding: int | None = None


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """An unsigned varint at ``i``, and the position after it."""
    b = data[i]
    if b < 0x80:  # most of them: one byte
        return b, i + 1
    result, shift, i = b & 0x7F, 7, i + 1
    while shift < 70:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7
    raise PageHeaderError("varint too long")


def _integer(data: bytes, i: int) -> tuple[int, int]:
    """A zigzag-encoded signed integer at ``i``, and the position after it."""
    n, i = _varint(data, i)
    return (n >> 1) ^ -(n & 1), i


def _field(data: bytes, i: int, last: int) -> tuple[int, int, int]:
    """(field id, type, position after the field header); type 0 is the struct's stop byte."""
    head = data[i]
    kind, delta = head & 0x0F, head >> 4
    if delta:
        return last + delta, kind, i + 1
    if kind == 0:
        return 0, 0, i + 1
    field_id, i = _integer(data, i + 1)
    return field_id, kind, i


def _skip(data: bytes, i: int, kind: int, depth: int = 0, spans: _Spans | None = None) -> int:
    """The position after a value of type ``kind`` at ``i``; integers and binary contents
    outside containers are added to ``spans`` (see _Layouts)."""
    if depth > _MAX_DEPTH:
        raise PageHeaderError("page header nested too deeply")
    if kind == _BINARY:
        n, i = _varint(data, i)
        if spans is not None:
            spans.append((i, i + n, _CONTENT))
        return i + n
    if kind in (_I16, _I32, _I64):
        start = i
        while data[i] >= 0x80:
            i += 1
        if spans is not None:
            spans.append((start, i + 1, _OTHER))
        return i + 1
    if kind in (_TRUE, _FALSE):
        return i
    if kind == _BYTE:
        return i + 1
    if kind == _DOUBLE:
        return i + 8
    if kind == _STRUCT:
        last = 0
        while True:
            last, field_kind, i = _field(data, i, last)
            if field_kind == 0:
                return i
            i = _skip(data, i, field_kind, depth + 1, spans)
    if kind in (_LIST, _SET):
        head = data[i]
        size, i = _varint(data, i + 1) if head >> 4 == 15 else (head >> 4, i + 1)
        return _skip_many(data, i, size, (head & 0x0F,), depth)
    if kind == _MAP:
        size, i = _varint(data, i)
        if not size:
            return i
        return _skip_many(data, i + 1, size, (data[i] >> 4, data[i] & 0x0F), depth)
    raise PageHeaderError(f"unknown Thrift type {kind}")


def _skip_many(data: bytes, i: int, size: int, kinds: tuple[int, ...], depth: int) -> int:
    if size > len(data) - i:  # every element takes a byte at least
        raise IndexError
    for _ in range(size):
        for kind in kinds:
            # Inside containers a boolean is a byte.
            i = i + 1 if kind in (_TRUE, _FALSE) else _skip(data, i, kind, depth + 1)
    return i


def parse_page_header(data: bytes, spans: _Spans | None = None) -> PageHeader:
    """The PageHeader at the start of ``data``; raises PageHeaderError (its subclass
    _Truncated when ``data`` ends inside the header). Records the header's variable parts
    in ``spans`` when given."""
    try:
        return _parse(data, spans)
    except IndexError:
        raise _Truncated("page header truncated") from None


def _parse(data: bytes, spans: _Spans | None) -> PageHeader:
    kept: dict[str, int] = {}
    i = field_id = 0
    while True:
        field_id, kind, i = _field(data, i, field_id)
        if kind == 0:
            break
        if field_id in _HEADER_FIELDS and kind == _I32:
            i = _keep(data, i, _HEADER_FIELDS[field_id], kept, spans)
        elif field_id in _PAGE_FIELDS and kind == _STRUCT:
            fields = _PAGE_FIELDS[field_id]
            inner_id = 0
            while True:
                inner_id, inner_kind, i = _field(data, i, inner_id)
                if inner_kind == 0:
                    break
                if inner_id in fields and inner_kind == _I32:
                    i = _keep(data, i, fields[inner_id], kept, spans)
                else:
                    i = _skip(data, i, inner_kind, 1, spans)
        else:
            i = _skip(data, i, kind, 0, spans)
    if i > len(data):
        raise IndexError  # a binary field ran past the data
    return _checked([kept.get(name) for name in _KEPT], i)


def _keep(data: bytes, i: int, name: str, kept: dict[str, int], spans: _Spans | None) -> int:
    """Read the integer field ``name`` into ``kept``."""
    kept[name], end = _integer(data, i)
    if spans is not None:
        spans.append((i, end, name))
    return end


def _checked(values: list[int | None], size: int) -> PageHeader:
    """The PageHeader of the _KEPT fields' values (None: absent), once they make sense."""
    page_type, uncompressed, compressed, num_values, encoding = values
    if page_type is None or uncompressed is None or compressed is None or min(uncompressed, compressed) < 0:
        raise PageHeaderError("page header without valid type and sizes")
    if num_values is not None and num_values < 0:
        raise PageHeaderError("page header with a negative number of values")
    return PageHeader(page_type, uncompressed, compressed, size, num_values or 0, encoding)


@functools.lru_cache(maxsize=4096)
def _zigzag(raw: bytes) -> int:
    """The integer a varint's bytes encode (the same few come back page after page)."""
    return _integer(raw, 0)[0]


class Layouts:
    """The byte layouts of headers already read, each as a pattern matching any header that
    differs from it only in its integers (of any length) and in the bytes, not the length, of
    its binary fields. A file's pages repeat a few layouts, and matching one in C is several
    times faster than parsing a header in Python; a header no layout matches is parsed and its
    layout learnt. A match is a parse: everything else in the header is equal byte for byte to
    a header that parsed, and the pattern reads each integer exactly as the parser does.
    """

    #: Layouts tried before parsing, most recent first.
    TRIED = 4
    #: Layouts learnt per file, at most: past that (headers whose statistics change length from
    #: page to page), headers are parsed, rather than each costing a pattern compiled.
    LEARNT = 64

    def __init__(self) -> None:
        #: (pattern, for each of _KEPT the index of its group or -1), most recent first.
        self._known: list[tuple[re.Pattern[bytes], tuple[int, ...]]] = []
        self._learnt = 0

    def read(self, data: bytes) -> PageHeader:
        """The header at the start of ``data`` (see parse_page_header)."""
        for pattern, groups in self._known:
            match = pattern.match(data)
            if match:
                found = match.groups()
                return _checked([_zigzag(found[g]) if g >= 0 else None for g in groups], match.end())
        if self._learnt == self.LEARNT:
            return parse_page_header(data)
        spans: _Spans = []
        header = parse_page_header(data, spans)
        self._learn(data[: header.header_size], spans)
        return header

    def _learn(self, data: bytes, spans: _Spans) -> None:
        self._learnt += 1
        parts, names, pos = [], [], 0
        for start, end, name in spans:
            parts.append(re.escape(data[pos:start]))
            if name == _CONTENT:
                parts.append(b".{%d}" % (end - start))
            elif name == _OTHER:
                parts.append(b"(?:" + _VARINT + b")")
            else:
                parts.append(b"(" + _VARINT + b")")
                names.append(name)
            pos = end
        parts.append(re.escape(data[pos:]))
        groups = tuple(names.index(name) if name in names else -1 for name in _KEPT)
        self._known = [(re.compile(b"".join(parts), re.DOTALL), groups), *self._known[: self.TRIED - 1]]


def chunk_pages(
    read: Callable[[int, int], bytes],
    start: int,
    length: int,
    num_values: int,
    max_pages: int,
    layouts: Layouts | None = None,
) -> Iterator[PageHeader]:
    """The pages of the column chunk at ``[start, start + length)`` holding ``num_values``
    values, walked as pyarrow walks them: page after page until the values are all seen.

    ``read(offset, n)`` returns up to ``n`` bytes of the file. Raises PageHeaderError for a
    header that cannot be parsed, a page that runs past the chunk, pages holding another
    number of values than the footer says; TooManyPages past ``max_pages`` pages. ``layouts``
    may be shared by the chunks of a file: they repeat the same layouts.
    """
    end, pos, seen, pages = start + length, start, 0, 0
    layouts = layouts or Layouts()
    while seen < num_values:
        if pages == max_pages:
            raise TooManyPages(f"more than {max_pages:,} pages")
        header = _header_at(read, pos, end, layouts)
        pos += header.header_size + header.compressed_size
        if pos > end:
            raise PageHeaderError("a page runs past the end of its column chunk")
        if header.type in (DATA_PAGE, DATA_PAGE_V2):
            seen += header.num_values
        pages += 1
        yield header
    if seen != num_values:
        raise PageHeaderError(f"the pages hold {seen:,} values where the footer says {num_values:,}")


def _header_at(read: Callable[[int, int], bytes], pos: int, end: int, layouts: Layouts) -> PageHeader:
    """Read a little, and more while the header runs on (statistics can make it long)."""
    window = _FIRST_READ
    while True:
        available = min(window, end - pos)
        try:
            return layouts.read(read(pos, available))
        except _Truncated:
            if available >= min(MAX_HEADER_BYTES, end - pos):
                raise PageHeaderError("a page header runs past the end of its column chunk") from None
            window *= 16
