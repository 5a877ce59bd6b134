"""Finding a source's native files among the paths a user gives."""

from __future__ import annotations

from pathlib import Path

from churnlens.errors import DataError


def expand(paths: list[Path], suffixes: tuple[str, ...] = (".csv", ".parquet")) -> list[Path]:
    """Files named directly plus the files of the named directories, sorted, with these suffixes."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in suffixes))
        elif p.exists():
            out.append(p)
        else:
            raise DataError("File or directory not found.", file=str(p), fix="Check the path.")
    return out


def find(paths: list[Path], name: str, *, required: bool = True, kind: str = "") -> Path | None:
    """The file called ``name`` among ``paths`` (files or directories)."""
    for f in expand(paths, (Path(name).suffix.lower(),)):
        if f.name == name:
            return f
    if required:
        raise DataError(
            f"The {kind + ' ' if kind else ''}file {name} was not found.",
            file=", ".join(str(p) for p in paths),
            fix=f"Pass the directory that holds {name}, or the file itself.",
        )
    return None
