"""The staging area where source adapters turn native files into canonical tables.

A `Stage` wraps a DuckDB connection (the warehouse's own on the DuckDB engine). Adapters
read files into raw tables whose every row carries its `_line` in the file, run checks that
move failing rows to the rejected rows with a reason, and stage the canonical tables. The
stage counts, per canonical table, the rows read, stored and rejected, and refuses to finish
if they do not add up: nothing is lost silently.
"""

from __future__ import annotations

import csv
import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.schema import ALL_TABLES, CANONICAL, REJECTED_ROWS

RAW_TEXT_LIMIT = 500  # characters of a rejected row kept in rejected_rows.raw


@dataclass
class Check:
    """One validation rule over a raw table.

    ``bad`` is a SQL condition that is true for failing rows; the reason stored is
    ``"<column>: <reason>"`` followed by the offending value. When more than
    ``IngestConfig.max_bad_share`` of the rows fail, the column is judged to be in the wrong
    format and a DataError with ``fix`` is raised instead.
    """

    column: str
    bad: str
    reason: str
    fix: str
    show_value: bool = True


@dataclass
class TableCount:
    read: int = 0
    stored: int = 0
    rejected: int = 0


@dataclass
class Stage:
    con: duckdb.DuckDBPyConnection
    config: ChurnlensConfig
    kind: str
    counts: dict[str, TableCount] = field(default_factory=dict)
    staged: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)
    malformed: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prefix = f"_stg_{uuid.uuid4().hex[:8]}_"
        self.rejected = self.tmp("rejected_rows")
        cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in REJECTED_ROWS.columns)
        self.con.execute(f'CREATE TABLE "{self.rejected}" ({cols})')

    # ---- names --------------------------------------------------------------------------------
    def tmp(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def count(self, target: str) -> TableCount:
        return self.counts.setdefault(target, TableCount())

    def rows(self, table: str) -> int:
        return self.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(f'DESCRIBE "{table}"').fetchall()]

    def drop(self, *tables: str) -> None:
        for t in tables:
            self.con.execute(f'DROP TABLE IF EXISTS "{t}"')

    # ---- reading ------------------------------------------------------------------------------
    def read_csv(
        self,
        path: Path,
        *,
        target: str,
        required: list[str],
        name: str,
        delim: str = ",",
        keep_malformed: bool = False,
        private: tuple[str, ...] = (),
    ) -> str:
        """Read a CSV file as text columns plus `_line` (1 = the header line).

        Lines that do not fit the header (missing or extra fields, invalid UTF-8) become
        rejected rows of ``target``; with ``keep_malformed`` they are left in the table
        ``malformed[raw]`` (line, msg, csv_line) for the adapter to repair, and the adapter
        must pass the ones it cannot repair to `reject_malformed`. Columns named in
        ``private`` (names, e-mails) are dropped at once, and malformed lines of such a file are
        rejected without their text. A missing file, an empty file or a missing required
        column raises DataError.
        """
        path = Path(path)
        header = self._check_header(path, required, delim)
        raw = self.tmp(f"raw_{name}")
        rej_table, rej_scan = self.tmp(f"rej_{name}"), self.tmp(f"scan_{name}")
        opts = (
            f"delim='{delim}', quote='\"', escape='\"', header=true, all_varchar=true, "
            f"store_rejects=true, rejects_table='{rej_table}', rejects_scan='{rej_scan}', "
            f"parallel=false, auto_detect=false, "
            f"columns={{{', '.join(repr(c) + ': ' + repr('VARCHAR') for c in header)}}}"
        )
        self.con.execute(f"CREATE TABLE \"{raw}_0\" AS SELECT * FROM read_csv('{_sql_path(path)}', {opts})")
        n_good = self.rows(f"{raw}_0")
        self.con.execute(
            f'CREATE TABLE "{raw}_rej" AS SELECT line, min(error_message) AS msg, min(csv_line) AS csv_line '
            f'FROM "{rej_table}" GROUP BY line'
        )
        n_bad = self.rows(f"{raw}_rej")
        # Lines of the good rows: every data line that was not rejected, in file order.
        exclude = "".join(f', "{c}"' for c in private if c in header)
        if n_bad == 0:  # every data line was read: line = position + 2 (the header is line 1)
            self.con.execute(
                f'CREATE TABLE "{raw}" AS SELECT (rowid + 2)::BIGINT AS _line, * EXCLUDE (rowid{exclude}) '
                f'FROM (SELECT rowid, * FROM "{raw}_0")'
            )
        else:
            self.con.execute(
                f"""CREATE TABLE "{raw}" AS
            WITH good AS (
                SELECT range AS line, row_number() OVER (ORDER BY range) - 1 AS idx
                FROM range(2, {2 + n_good + n_bad})
                WHERE range NOT IN (SELECT line FROM "{raw}_rej")
            )
            SELECT g.line::BIGINT AS _line, r.* EXCLUDE (rid{exclude})
            FROM (SELECT rowid AS rid, * FROM "{raw}_0") r JOIN good g ON r.rid = g.idx
            ORDER BY _line"""
            )
        self.source_of[raw] = str(path)
        self.count(target).read += n_good + n_bad
        self.drop(f"{raw}_0", rej_table, rej_scan)
        self._reject_open_quote(path, delim, target=target, keep_text=not private)
        if keep_malformed:
            self.malformed[raw] = f"{raw}_rej"
        else:
            self.reject_malformed(f"{raw}_rej", target=target, source=str(path), keep_text=not private)
        return raw

    def reject_malformed(self, table: str, *, target: str, source: str, keep_text: bool = True) -> None:
        """Reject the malformed lines (line, msg, csv_line) of ``table`` and drop it."""
        text = f"left(csv_line, {RAW_TEXT_LIMIT})" if keep_text else "NULL"
        self.con.execute(
            f"""INSERT INTO "{self.rejected}"
            SELECT '{_sql_str(source)}', line::BIGINT, '{target}', 'malformed line: ' || msg, {text}
            FROM "{table}" """
        )
        self.count(target).rejected += self.rows(table)
        self.drop(table)

    def read_parquet(self, path: Path, *, target: str, required: list[str], name: str) -> str:
        """Read a Parquet file with `_line` = row number from 1."""
        path = Path(path)
        if not path.exists():
            raise DataError("File not found.", file=str(path), fix="Check the path.")
        try:
            cols = [
                r[0]
                for r in self.con.execute(
                    f"DESCRIBE SELECT * FROM read_parquet('{_sql_path(path)}')"
                ).fetchall()
            ]
        except duckdb.Error as exc:
            raise DataError(
                f"Not a readable Parquet file: {exc}", file=str(path), fix="Export the file again as Parquet."
            ) from exc
        self._require(path, cols, required)
        raw = self.tmp(f"raw_{name}")
        self.con.execute(
            f'CREATE TABLE "{raw}" AS SELECT (file_row_number + 1)::BIGINT AS _line, * EXCLUDE (file_row_number) '
            f"FROM read_parquet('{_sql_path(path)}', file_row_number=true) ORDER BY _line"
        )
        n = self.rows(raw)
        if n == 0:
            raise DataError(
                "The file has no rows.", file=str(path), fix="Export the data again; it is empty."
            )
        self.count(target).read += n
        self.source_of[raw] = str(path)
        return raw

    # ---- validation ---------------------------------------------------------------------------
    def validate(self, table: str, *, target: str, checks: list[Check], source: str | None = None) -> str:
        """Move rows failing any check to rejected rows; return the table of the good rows."""
        source = source or self.source_of.get(table, table)
        n = self.rows(table)
        cols = [c for c in self.columns(table) if c != "_line"]
        if not checks:
            return table
        stats = self.con.execute(
            "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.bad})" for c in checks) + f' FROM "{table}"'
        ).fetchone()
        if not any(stats):  # nothing fails: the rows move on under a new name, no copy
            return self._renamed(table, source)
        limit = self.config.ingest.max_bad_share * n
        for chk, bad in zip(checks, stats, strict=True):
            if bad and bad > limit:
                sample = [
                    r[0]
                    for r in self.con.execute(
                        f'SELECT DISTINCT "{chk.column}" FROM "{table}" WHERE {chk.bad} LIMIT 5'
                    ).fetchall()
                ]
                raise DataError(
                    f"Column '{chk.column}' {chk.reason} in {bad:,} of {n:,} rows.",
                    file=source,
                    column=chk.column,
                    values=sample,
                    fix=chk.fix,
                )
        reason = (
            "CASE "
            + " ".join(
                f"WHEN {c.bad} THEN '{_sql_str(c.column + ': ' + c.reason)}'"
                + (f" || ': ' || coalesce(CAST(\"{c.column}\" AS VARCHAR), 'NULL')" if c.show_value else "")
                for c in checks
            )
            + " END"
        )
        return self._split(table, reason, target, source, cols)

    def reject_duplicates(self, table: str, *, key: list[str], target: str, source: str | None = None) -> str:
        """Keep the first row of each key (in file order); later ones are rejected."""
        source = source or self.source_of.get(table, table)
        cols = [c for c in self.columns(table) if c != "_line"]
        keys = ", ".join(f'"{k}"' for k in key)
        distinct = f"count(DISTINCT ({keys}))" if len(key) > 1 else f"count(DISTINCT {keys})"
        n, n_keys = self.con.execute(f'SELECT count(*), {distinct} FROM "{table}"').fetchone()
        if n == n_keys:  # (NULL keys are not counted as distinct, so none is among them)
            return self._renamed(table, source)  # no repeated key: nothing to reject, no copy
        marked = f'(SELECT *, min(_line) OVER (PARTITION BY {keys}) AS _first FROM "{table}")'
        reason = (
            f"CASE WHEN _line <> _first THEN 'duplicate {'/'.join(key)} ' || "
            + " || '/' || ".join(f"coalesce(CAST(\"{k}\" AS VARCHAR), 'NULL')" for k in key)
            + " || ' (first on line ' || _first || ')' END"
        )
        out = self._split(marked, reason, target, source, cols, drop_cols=["_first"])
        return out

    def reject_where(
        self, table: str, *, where: str, reason_sql: str, target: str, source: str | None = None
    ) -> str:
        """Reject rows matching ``where`` with the SQL text expression ``reason_sql``."""
        source = source or self.source_of.get(table, table)
        cols = [c for c in self.columns(table) if c != "_line"]
        return self._split(table, f"CASE WHEN {where} THEN {reason_sql} END", target, source, cols)

    def _split(
        self,
        table: str,
        reason_sql: str,
        target: str,
        source: str,
        raw_cols: list[str],
        drop_cols: list[str] | None = None,
    ) -> str:
        # Helper columns (leading underscore) are not part of the row as read.
        raw_cols = [c for c in raw_cols if c not in (drop_cols or []) and not c.startswith("_")]
        # ``table`` is a table name or a parenthesised query; the reason is computed on the fly,
        # once for the rejected rows and once to keep the others: one copy of the data, not two.
        source_sql = table if table.startswith("(") else f'"{table}"'
        marked = f"(SELECT *, {reason_sql} AS _reason FROM {source_sql})"
        raw_text = (
            "concat_ws(',', " + ", ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in raw_cols) + ")"
        )
        before = self.rows(self.rejected)
        self.con.execute(
            f"""INSERT INTO "{self.rejected}"
            SELECT '{_sql_str(source)}', _line, '{target}', _reason, left({raw_text}, {RAW_TEXT_LIMIT})
            FROM {marked} WHERE _reason IS NOT NULL"""
        )
        self.count(target).rejected += self.rows(self.rejected) - before
        good = self.tmp(f"ok_{uuid.uuid4().hex[:6]}")
        drop = ", ".join(['"_reason"', *(f'"{c}"' for c in (drop_cols or []))])
        self.con.execute(
            f'CREATE TABLE "{good}" AS SELECT * EXCLUDE ({drop}) FROM {marked} WHERE _reason IS NULL'
        )
        self.source_of[good] = source
        if (
            table.startswith(self.prefix + "chk_")
            or table.startswith(self.prefix + "ok_")
            or table.startswith(self.prefix + "dup_")
        ):
            self.drop(table)
        return good

    def _renamed(self, table: str, source: str) -> str:
        """The checked table under a new name (a metadata change), as `_split` would give it."""
        good = self.tmp(f"ok_{uuid.uuid4().hex[:6]}")
        self.con.execute(f'ALTER TABLE "{table}" RENAME TO "{good}"')
        self.source_of[good] = source
        return good

    # ---- staging canonical tables -----------------------------------------------------------------
    def stage(self, target: str, select_sql: str) -> None:
        """Create the canonical table ``target`` from a query giving (some of) its columns."""
        spec = CANONICAL[target]
        have = {r[0] for r in self.con.execute(f"DESCRIBE {select_sql}").fetchall()}
        unknown = have - set(spec.column_names) - {"_line"}
        if unknown:
            raise ValueError(f"staging {target}: columns not in the canonical schema: {sorted(unknown)}")
        exprs = ", ".join(
            (f'CAST("{c.name}" AS {c.sql_type})' if c.name in have else f"CAST(NULL AS {c.sql_type})")
            + f' AS "{c.name}"'
            for c in spec.columns
        )
        name = self.tmp(f"canon_{target}")
        self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT {exprs} FROM ({select_sql})')
        self.staged[target] = name
        self.count(target).stored = self.rows(name)

    def finish(self) -> dict[str, str]:
        """Stage empty tables for what the source lacks, check the counts, return {name: staged}."""
        for target in CANONICAL:
            if target not in self.staged:
                first = CANONICAL[target].columns[0].name
                self.stage(target, f'SELECT NULL AS "{first}" WHERE false')
                self.counts.pop(target, None)
        for target, c in self.counts.items():
            if c.read != c.stored + c.rejected:
                raise AssertionError(
                    f"{target}: {c.read} rows read but {c.stored} stored + {c.rejected} rejected"
                )
        self.staged[REJECTED_ROWS.name] = self.rejected
        return dict(self.staged)

    def cleanup(self) -> None:
        """Drop every temporary table this stage created and that was not published."""
        published = set(self.staged.values())
        names = [
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)", [self.prefix]
            ).fetchall()
        ]
        self.drop(*(n for n in names if n not in published))

    # ---- internals ------------------------------------------------------------------------------
    def _reject_open_quote(self, path: Path, delim: str, *, target: str, keep_text: bool) -> None:
        """Reject a last line cut off inside a quoted value; DataError if it swallows more lines.

        DuckDB's CSV reader stops without any error or rejected line at a quote that is never
        closed, so the rest of the file would be lost silently.
        """
        tail = _open_quote(path, delim)
        if tail is None:
            return
        line, n_lines, text = tail
        if n_lines > 1:
            raise DataError(
                f"A quoted value opened on line {line} is never closed; the {n_lines:,} lines from "
                "there to the end of the file cannot be read.",
                file=str(path),
                values=[text[:80]] if keep_text else None,
                fix="Fix the quoting on that line (a quote inside a value is written twice) or export "
                "the file again.",
            )
        self.con.execute(
            f"""INSERT INTO "{self.rejected}" VALUES ('{_sql_str(str(path))}', {line}, '{target}',
            'malformed line: quoted value never closed (the last line is cut short)',
            {"'" + _sql_str(text[:RAW_TEXT_LIMIT]) + "'" if keep_text else "NULL"})"""
        )
        c = self.count(target)
        c.read += 1
        c.rejected += 1

    def _check_header(self, path: Path, required: list[str], delim: str) -> list[str]:
        if not path.exists():
            raise DataError("File not found.", file=str(path), fix="Check the path and the file name.")
        with open(path, "rb") as fh:
            first = fh.readline()
            second = fh.readline()
        if not first.strip():
            raise DataError(
                "The file is empty.", file=str(path), fix="Export the data again; the file has no header."
            )
        try:
            text = first.decode("utf-8-sig").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise DataError(
                "The header line is not UTF-8 text.",
                file=str(path),
                values=[first[:80]],
                fix="Save the file as UTF-8.",
            ) from exc
        header = [h.strip().strip('"') for h in text.split(delim)]
        self._require(path, header, required)
        if not second.strip():
            raise DataError(
                "The file has a header but no rows.", file=str(path), fix="Export the data again."
            )
        return header

    @staticmethod
    def _require(path: Path, found: list[str], required: list[str]) -> None:
        missing = [c for c in required if c not in found]
        if missing:
            raise DataError(
                f"Required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing.",
                file=str(path),
                column=", ".join(missing),
                values=found[:12],
                fix="The values shown are the columns found; rename or add the missing ones "
                "(or map them with the generic adapter's --map).",
            )


def _open_quote(path: Path, delim: str) -> tuple[int, int, str] | None:
    """(line, lines spanned, text) of a quoted value still open at the end of the file, or None."""
    quotes = newlines = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    if quotes % 2 == 0:  # an open quote leaves an odd count (stray quotes aside)
        return None
    total = newlines + (last != b"\n")
    start = end = 0
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        try:
            for _row in reader:
                start, end = end + 1, reader.line_num
        except csv.Error:  # a field larger than the csv module's limit: the open quote
            start = end + 1
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        tail = list(itertools.islice(fh, start - 1, None))
    try:
        for _row in csv.reader(tail, delimiter=delim, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" in str(exc) or "field larger" in str(exc):
            return start, total - start + 1, "".join(tail)
    return None


def _sql_path(path: Path) -> str:
    return _sql_str(str(path))


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


__all__ = ["ALL_TABLES", "Check", "Stage", "TableCount"]
