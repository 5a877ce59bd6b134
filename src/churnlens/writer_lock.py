"""One writer per warehouse, and the one message a writer meets when another holds it.

A writing open (a run, an ingest) takes `WriterLock`: a lock file (``<db>.lock`` beside a
DuckDB file, ``_writer.lock`` inside a Spark warehouse directory) holding an operating-system
lock (``flock``) and, as text, the holder's process id, host and start time; a clean release
removes the file. The operating
system releases the lock when its process ends however it ends, so a lock left by a dead
process is taken over at once (its pid and host are reported). Within one process the lock is
shared (as DuckDB shares one open file between connections of a process) and let go with its
last holder. A second writer process waits up to
``engine.lock_wait_seconds``, telling its progress line once, then refuses with `in_use_error`,
the same message DuckDB's own file lock gives (`churnlens.engine.connect_duckdb`,
`churnlens.safe_paths.duckdb_io_error`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from churnlens.errors import DataError

SPARK_LOCK = "_writer.lock"
#: The writer locks this process holds: ``{real path: [descriptor, holders]}``.
_HELD: dict[str, list[int]] = {}
_GUARD = threading.Lock()


def in_use_error(where: str | Path | None, holder: str | None = None, waited: float = 0.0) -> DataError:
    """The warehouse is held by another program: who holds it (``holder``, e.g. ``process 12``),
    how long this command waited, and what to do."""
    return DataError(
        "The warehouse is in use by another program"
        + (f" ({holder})" if holder else "")
        + ": a churnlens command that is still running, or the dashboard (`churnlens serve`)"
        + (f"; waited {waited:g} s" if waited else "")
        + ".",
        file=None if where is None else str(where),
        fix="Wait until the other run or ingest has finished, or stop it (the dashboard: Ctrl+C where it "
        "runs), then try again (raise engine.lock_wait_seconds to wait longer).",
    )


def duckdb_holder(exc: Exception) -> str | None:
    """``process 12`` from DuckDB's own lock error, when it names the holder."""
    pid = re.search(r"PID (\d+)", str(exc))
    return f"process {pid.group(1)}" if pid else None


def lock_path(warehouse: Path, engine: str) -> Path:
    """Where the writer lock of a warehouse lives."""
    return warehouse / SPARK_LOCK if engine == "spark" else Path(f"{warehouse}.lock")


def holder_text(info: dict) -> str | None:
    """``process 12 on host h`` from a lock file's content, or None when it names nobody."""
    if not info.get("pid"):
        return None
    return f"process {info['pid']}" + (f" on host {info['host']}" if info.get("host") else "")


class WriterLock:
    """The writer lock of one warehouse, held from `acquire` until `release`.

    ``taken_over`` names the holder a dead process left in the file, when there was one."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.taken_over: str | None = None
        self._fd: int | None = None

    def acquire(self, wait_seconds: float = 0.0, on_wait: Callable[[str], None] | None = None) -> WriterLock:
        key = os.path.realpath(self.path)
        with _GUARD:
            if key in _HELD:  # this process holds it already: share it
                _HELD[key][1] += 1
                self._fd = _HELD[key][0]
                return self
        deadline = time.monotonic() + wait_seconds
        told = False
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise in_use_error(self.name, holder_text(_read(fd)), wait_seconds) from None
                    if on_wait is not None and not told:
                        on_wait(f"waiting for {self.name}: another run or ingest is writing to it")
                        told = True
                    time.sleep(0.25)
                    continue
                if _same_file(fd, self.path):
                    break
                # the holder released it and removed the file meanwhile: lock the file now there
                os.close(fd)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            left = _read(fd)
            if left.get("pid") and (left.get("pid"), left.get("host")) != (os.getpid(), socket.gethostname()):
                self.taken_over = holder_text(left)
            record = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(UTC).isoformat()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode(), 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        with _GUARD:
            _HELD[key] = [fd, 1]
        return self

    def release(self) -> None:
        """Remove the file (a clean release leaves nothing beside the warehouse) and let go of
        the lock; a writer waiting on the removed file locks the new one (`_same_file`)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        key = os.path.realpath(self.path)
        with _GUARD:
            _HELD[key][1] -= 1
            if _HELD[key][1] > 0:
                return
            del _HELD[key]
        try:
            if _same_file(fd, self.path):
                os.unlink(self.path)
        except OSError:  # a read-only or vanished folder: the emptied file stays
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._fd is not None


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _read(fd: int) -> dict:
    try:
        data = os.pread(fd, 4096, 0)
        info = json.loads(data) if data.strip() else {}
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}
