"""The upload itself: bytes or a file, its size and hash, and what it is when it is not Parquet."""

from __future__ import annotations

import hashlib
import os
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from components.upload_checks.report import MiB, size, sizes

#: A footer this large means hundreds of thousands of column chunks: parsing it alone costs
#: about 8 times its size (a 32 MB footer took 260 MB), so 8 MB is as much as the check allows.
FOOTER_LIMIT = 8 * MiB


class Source:
    """The upload as bytes in memory or a file on disk, read piecewise, never copied whole.

    A context manager: a file is opened once for the many small reads of the page walk, each
    one system call (buffered reads would read most of the file around the headers).
    """

    def __init__(self, data: bytes | str | os.PathLike[str]) -> None:
        self._fd: int | None = None
        if isinstance(data, (bytes, bytearray, memoryview)):
            self._buffer: memoryview | None = memoryview(data).cast("B")
            self._path: str | None = None
            self.size = len(self._buffer)
        else:
            self._buffer = None
            self._path = os.fspath(data)
            self.size = os.stat(self._path).st_size

    def __enter__(self) -> Source:
        if self._path is not None:
            self._fd = os.open(self._path, os.O_RDONLY)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (fewer at the end of the file)."""
        if self._buffer is not None:
            return bytes(self._buffer[offset : offset + length])
        assert self._fd is not None, "read a file Source inside its with block"
        return os.pread(self._fd, length, offset)

    def sha256(self) -> str:
        """The hash the backend deduplicates on, computed in 1 MiB chunks (on its own handle:
        it runs on another thread)."""
        digest = hashlib.sha256()
        if self._buffer is not None:
            digest.update(self._buffer)
        else:
            assert self._path is not None
            with open(self._path, "rb") as handle:
                for chunk in iter(lambda: handle.read(MiB), b""):
                    digest.update(chunk)
        return digest.hexdigest()

    def open_parquet(self, read_dictionary: list[str]) -> pq.ParquetFile:
        """A reader that fetches pages on demand (no pre-buffering of whole row groups) and
        reads the ``read_dictionary`` columns the file has as dictionaries: a value repeated
        on every row is then held once, not once per row. The footer is parsed once."""
        metadata = pq.read_metadata(self._arrow_source())
        leaves = {metadata.schema.column(i).path for i in range(metadata.num_columns)}
        present = [name for name in read_dictionary if name in leaves]
        return pq.ParquetFile(
            self._arrow_source(),
            metadata=metadata,
            pre_buffer=False,
            buffer_size=0 if self._buffer is not None else MiB,
            read_dictionary=present or None,
        )

    def _arrow_source(self) -> pa.NativeFile | str:
        if self._buffer is not None:
            return pa.BufferReader(pa.py_buffer(self._buffer))
        assert self._path is not None
        return self._path


def refusal_before_parsing(source: Source, max_bytes: int) -> str | None:
    """Faults visible from the size and the first and last bytes: no parser touches the file."""
    if source.size == 0:
        return "The file is empty (0 bytes)."
    if source.size > max_bytes:
        file_size, limit = sizes(source.size, max_bytes)
        return f"The file is {file_size}; the limit is {limit}."
    head = source.read(0, 4096)
    if not head.startswith(b"PAR1"):
        return f"The file is not a Parquet file ({_sniff(head)})."
    tail = source.read(max(source.size - 8, 0), 8)
    if source.size < 12 or tail[4:] not in (b"PAR1", b"PARE"):
        return (
            "The Parquet file is truncated: it starts like Parquet but its footer is missing "
            "(an interrupted download or copy?)."
        )
    if tail[4:] == b"PARE":
        return "The Parquet file is encrypted; the backend cannot read encrypted files."
    footer_length = int.from_bytes(tail[:4], "little")
    if footer_length + 12 > source.size:
        return (
            f"The Parquet file is damaged: its footer claims {footer_length:,} bytes but the "
            f"file has only {source.size:,}."
        )
    if footer_length > FOOTER_LIMIT:
        return (
            f"The Parquet footer alone is {size(footer_length)} (more than {size(FOOTER_LIMIT)}): "
            "the file has far too many row groups or columns. Write it with larger row groups."
        )
    return None


def _sniff(head: bytes) -> str:
    """What a non-Parquet file looks like, so the message can say what was uploaded instead."""
    magic = {
        b"PK\x03\x04": "it starts like a ZIP archive; unzip it or upload the .parquet inside",
        b"\x1f\x8b": "it starts like a gzip-compressed file",
        b"ARROW1": "it starts like an Arrow IPC / Feather file; write it with pyarrow.parquet",
        b"\x89HDF": "it starts like an HDF5 file",
        b"\x93NUMPY": "it starts like a NumPy .npy file",
        b"ORC": "it starts like an ORC file",
        b"\x80": "it starts like a Python pickle",
    }
    for prefix, description in magic.items():
        if head.startswith(prefix):
            return description
    if b"\x00" in head:
        return "it does not start with the Parquet marker PAR1"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return "it starts like a JSON text file"
    first_line = text.split("\n", 1)[0]
    if any(sep in first_line for sep in (",", ";", "\t")):
        return "it starts like a CSV text file"
    return "it starts like a text file"
