"""Where churnlens may write: the warehouse a command opens, and the files a command writes.

Outputs never destroy inputs:

- ``--db`` must be a DuckDB file (recognised by its magic bytes, never by its name) or, with
  ``--engine spark``, a Spark warehouse directory. Commands that read a warehouse refuse a missing
  one (a typo must not create an empty warehouse); only ``ingest`` and ``demo`` create one, and
  only in a folder that exists.
- An output file never replaces the warehouse the command reads, nor a directory. It replaces an
  existing file only when that file is of its own kind (an HTML report an older HTML report, an
  actions CSV an older actions CSV), or when the user says ``--force``.
- A file is written under a temporary name in its own folder and then renamed over the target,
  so a full disk or a killed command leaves the previous file whole.

Failures of the file system (full disk, read-only file system, no permission, a lock held by
another program) become one `DataError` with the path and the fix.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from churnlens.errors import DataError
from churnlens.writer_lock import duckdb_holder, in_use_error

DUCKDB_MAGIC = b"DUCK"
"""Bytes 8 to 11 of every DuckDB database file (after an 8-byte checksum)."""
DUCKDB_MAGIC_OFFSET = 8
HEAD_BYTES = 512
"""How much of an existing file is read to recognise its kind."""


@dataclass(frozen=True)
class OutputKind:
    """A kind of file churnlens writes, recognised by how it begins.

    ``prefix`` is compared with the file's first bytes after a UTF-8 byte-order mark and
    leading white space are removed, ignoring case.
    """

    name: str
    prefixes: tuple[bytes, ...]  # how files of this kind begin, any version of churnlens
    example: str

    def matches(self, path: Path) -> bool:
        head = _head(path).removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        return head.startswith(tuple(p.lower() for p in self.prefixes))


HTML_REPORT = OutputKind("HTML report", (b"<!doctype html",), "report.html")
ACTIONS_CSV = OutputKind("actions CSV", (b"customer_id,state,action,", b"customer_id,action,"), "actions.csv")


def is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that begins like a DuckDB database."""
    head = _head(path)
    return head[DUCKDB_MAGIC_OFFSET : DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC)] == DUCKDB_MAGIC


def check_warehouse(path: str | Path, engine: str = "duckdb", create: bool = False) -> Path:
    """The warehouse path, checked before the engine opens it (see the module docstring)."""
    p = Path(path)
    if engine == "duckdb" and p.is_dir():
        raise DataError(
            "--db names a directory, not a DuckDB warehouse file.",
            file=str(p),
            fix="Pass a .duckdb file (e.g. --db shop.duckdb), "
            "or --engine spark for a Spark warehouse directory.",
        )
    if engine == "duckdb" and p.exists():
        if not is_duckdb_file(p):
            raise DataError(
                "--db names a file that is not a DuckDB database; churnlens does not write into it.",
                file=str(p),
                fix="Pass the warehouse (.duckdb) built by `churnlens ingest`, "
                "or a new file name to create one.",
            )
        return p
    if engine != "duckdb" and p.exists():
        if not p.is_dir():
            raise DataError(
                "--db names a file; a Spark warehouse is a directory.",
                file=str(p),
                fix="Pass the Spark warehouse directory (or a new one to create), "
                "or --engine duckdb for a .duckdb file.",
            )
        stray = sorted(c.name for c in p.iterdir() if not c.is_dir() and not c.name.startswith((".", "_")))
        if stray:
            raise DataError(
                "--db names a directory that is not a Spark warehouse: it holds files.",
                file=str(p),
                values=stray,
                fix="Pass the Spark warehouse directory, or a new or empty directory to create one.",
            )
        return p
    if not create:
        raise DataError(
            "The warehouse does not exist.",
            file=str(p),
            fix="Check --db for a typo, or build a warehouse first: `churnlens ingest KIND FILES --db PATH` "
            "or `churnlens demo`.",
        )
    if not p.parent.is_dir():
        raise DataError(
            "The folder of the warehouse does not exist.",
            file=str(p),
            fix=f"Create it first (mkdir -p {p.parent}) or pass another --db.",
        )
    return p


def open_warehouse(
    path: str | Path,
    engine: str = "duckdb",
    config=None,
    read_only: bool = False,
    create: bool = False,
    on_wait=None,
):
    """`check_warehouse`, then open it as a `churnlens.warehouse.Warehouse`; DuckDB's refusals
    (a lock held by another program, a read-only file system) become one `DataError`."""
    import duckdb

    from churnlens.warehouse import Warehouse

    p = check_warehouse(path, engine, create)
    try:
        return Warehouse(p, engine=engine, config=config, read_only=read_only, on_wait=on_wait)
    except duckdb.Error as exc:
        raise duckdb_open_error(exc, p) from exc


def check_output(
    path: str | Path, kind: OutputKind, force: bool = False, reads: tuple[str | Path | None, ...] = ()
) -> Path:
    """The output path, checked before any work is done (see the module docstring).

    ``reads`` are the files the command reads (its warehouse): never replaced, even with ``force``.
    """
    p = Path(path)
    if p.is_dir():
        raise DataError(
            f"--out names a directory; the {kind.name} is a file.",
            file=str(p),
            fix=f"Name a file, e.g. --out {p / kind.example}.",
        )
    if not p.parent.is_dir():
        raise DataError(
            "The folder of the output does not exist.",
            file=str(p),
            fix=f"Create it first (mkdir -p {p.parent}) or pick another --out.",
        )
    if not p.exists():
        return p
    for read in reads:
        if read is not None and Path(read).exists() and p.samefile(read):
            raise DataError(
                f"--out names the warehouse this command reads; writing the {kind.name} there "
                "would destroy it.",
                file=str(p),
                fix=f"Pick another --out, e.g. --out {p.with_name(kind.example)}.",
            )
    if not force and not kind.matches(p):
        what = "a DuckDB warehouse" if is_duckdb_file(p) else f"an existing file that is not an {kind.name}"
        raise DataError(
            f"--out names {what}; churnlens does not replace it.",
            file=str(p),
            fix="Pick another --out, or add --force to replace it.",
        )
    return p


def check_output_dir(path: str | Path, marker: str, force: bool = False) -> Path:
    """A directory to write files into: missing (created with its parents), empty, holding
    ``marker`` (written there by the same command before), or any directory with ``force``."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise DataError(
            "--out names a file; this command writes a directory of files.",
            file=str(p),
            fix="Pick a new or empty directory for --out.",
        )
    if p.is_dir() and not force and not (p / marker).exists():
        others = sorted(c.name for c in p.iterdir() if not c.name.startswith("."))
        if others:
            raise DataError(
                f"--out names a directory with other files (no {marker}); they could be overwritten.",
                file=str(p),
                values=others,
                fix="Pick a new or empty directory for --out, or add --force to write into it.",
            )
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, p) from exc
    return p


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    The new file gets the mode of the file it replaces (else the usual mode for new files); on
    any failure the temporary file is removed and ``path`` is left as it was.
    """
    p = Path(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, p.stat().st_mode & 0o7777 if p.exists() else 0o666 & ~_umask())
        os.replace(tmp, p)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise os_error(exc, p) from exc
    return p


_OS_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("The disk is full.", "Free some space, or write to another disk."),
    errno.EDQUOT: ("The disk quota is used up.", "Free some space, or write to another disk."),
    errno.EROFS: ("The file system is read-only.", "Write to a place on a writable disk."),
    errno.EACCES: (
        "No permission to use this path.",
        "Pick a place you may write to, or change its permissions.",
    ),
    errno.EPERM: (
        "No permission to use this path.",
        "Pick a place you may write to, or change its permissions.",
    ),
    errno.ENOENT: (
        "The file or folder does not exist.",
        "Check the path for a typo, or create the folder first.",
    ),
    errno.EISDIR: ("A directory is in the way.", "Name a file, not a directory."),
    errno.ENOTDIR: ("A part of the path is a file, not a directory.", "Check the path."),
}


def os_error(exc: OSError, path: str | Path | None = None) -> DataError:
    """One `DataError` for a failure of the file system, naming the path and the fix."""
    problem, fix = _OS_PROBLEMS.get(
        exc.errno or -1, (f"The file system refused: {exc.strerror or exc}.", "Check the path and the disk.")
    )
    where = exc.filename if exc.filename is not None else path
    return DataError(problem, file=None if where is None else str(where), fix=fix)


_STRERRORS = {os.strerror(code): code for code in _OS_PROBLEMS}


def duckdb_open_error(exc: Exception, path: str | Path) -> DataError:
    """One `DataError` for DuckDB refusing to open the warehouse file (its lock is held by
    another program, a read-only file system, no permission, a full disk)."""
    return duckdb_io_error(exc, path) or DataError(
        f"DuckDB could not open the warehouse: {exc}",
        file=str(path),
        fix="Check that --db is a churnlens warehouse.",
    )


def duckdb_io_error(exc: Exception, path: str | Path | None = None) -> DataError | None:
    """One `DataError` for a DuckDB I/O failure a user can fix (a lock held by another program,
    a full disk, a read-only file system, no permission), else None. The file is taken from
    DuckDB's message when it names one."""
    text = str(exc)
    named = re.search(r'file "([^"]+)"', text)
    where = named.group(1) if named else path
    if re.search(r"\b(set lock|conflicting lock)\b", text, re.IGNORECASE):
        return in_use_error(where, duckdb_holder(exc))
    for strerror, code in _STRERRORS.items():
        if strerror in text:
            return os_error(OSError(code, strerror), where)
    return None


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(HEAD_BYTES)
    except OSError:
        return b""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
