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


def _skip(data: bytes, i: int, kind: int, depth: int = 0) -> int:
    """The position after a value of type ``kind`` at ``i``."""
    if depth > _MAX_DEPTH:
        raise PageHeaderError("page header nested too deeply")
    if kind == _BINARY:
        n, i = _varint(data, i)
        return i + n
    if kind in (_I16, _I32, _I64):
        while data[i] >= 0x80:
            i += 1
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
            i = _skip(data, i, field_kind, depth + 1)
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


def parse_page_header(data: bytes) -> PageHeader:
    """The PageHeader at the start of ``data``; raises PageHeaderError (its subclass
    _Truncated when ``data`` ends inside the header)."""
    try:
        return _parse(data)
    except IndexError:
        raise _Truncated("page header truncated") from None


def _parse(data: bytes) -> PageHeader:
    sizes: dict[int, int] = {}
    num_values, encoding = 0, None
    i = field_id = 0
    while True:
        field_id, kind, i = _field(data, i, field_id)
        if kind == 0:
            break
        if field_id in (1, 2, 3) and kind == _I32:
            sizes[field_id], i = _integer(data, i)
        elif field_id in (5, 7, 8) and kind == _STRUCT:
            encoding_field = 4 if field_id == 8 else 2
            inner_id = 0
            while True:
                inner_id, inner_kind, i = _field(data, i, inner_id)
                if inner_kind == 0:
                    break
                if inner_id == 1 and inner_kind == _I32:
                    num_values, i = _integer(data, i)
                elif inner_id == encoding_field and inner_kind == _I32:
                    encoding, i = _integer(data, i)
                else:
                    i = _skip(data, i, inner_kind, 1)
        else:
            i = _skip(data, i, kind)
    if len(sizes) < 3 or min(sizes[2], sizes[3], num_values) < 0:
        raise PageHeaderError("page header without valid type and sizes")
    return PageHeader(sizes[1], sizes[2], sizes[3], i, num_values, encoding)


def chunk_pages(
    read: Callable[[int, int], bytes], start: int, length: int, num_values: int, max_pages: int
) -> Iterator[PageHeader]:
    """The pages of the column chunk at ``[start, start + length)`` holding ``num_values``
    values, walked as pyarrow walks them: page after page until the values are all seen.

    ``read(offset, n)`` returns up to ``n`` bytes of the file. Raises PageHeaderError for a
    header that cannot be parsed, a page that runs past the chunk, pages holding another
    number of values than the footer says; TooManyPages past ``max_pages`` pages.
    """
    end, pos, seen, pages = start + length, start, 0, 0
    while seen < num_values:
        if pages == max_pages:
            raise TooManyPages(f"more than {max_pages:,} pages")
        header = _header_at(read, pos, end)
        pos += header.header_size + header.compressed_size
        if pos > end:
            raise PageHeaderError("a page runs past the end of its column chunk")
        if header.type in (DATA_PAGE, DATA_PAGE_V2):
            seen += header.num_values
        pages += 1
        yield header
    if seen != num_values:
        raise PageHeaderError(f"the pages hold {seen:,} values where the footer says {num_values:,}")


def _header_at(read: Callable[[int, int], bytes], pos: int, end: int) -> PageHeader:
    """Read a little, and more while the header runs on (statistics can make it long)."""
    window = _FIRST_READ
    while True:
        available = min(window, end - pos)
        try:
            return parse_page_header(read(pos, available))
        except _Truncated:
            if available >= min(MAX_HEADER_BYTES, end - pos):
                raise PageHeaderError("a page header runs past the end of its column chunk") from None
            window *= 16
