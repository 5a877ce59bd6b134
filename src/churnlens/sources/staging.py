"""The staging area where source adapters turn native files into canonical tables.

A `Stage` wraps a DuckDB connection (the warehouse's own on the DuckDB engine). Adapters
read files into raw tables whose every row carries its `_line` in the file, run checks that
move failing rows to the rejected rows with a reason, and stage the canonical tables. The
stage counts, per canonical table, the rows read, stored and rejected, and refuses to finish
if they do not add up: nothing is lost silently. A table whose rows are (almost) all rejected
stops the ingest with an error instead of being stored nearly empty.

Files are data: paths, header names and values reach DuckDB as bound parameters or through
`churnlens.sources.sql`, never as text of their own. A file in another encoding is read
through a UTF-8 copy when ``encoding`` is given, else recognised and named in the error.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.schema import ALL_TABLES, CANONICAL, REJECTED_ROWS
from churnlens.sources import text_files
from churnlens.sources.progress import Report, estimated_rows, watched
from churnlens.sources.rejections import RAW_TEXT_LIMIT, Check, Rejecting, TableCount
from churnlens.sources.sql import ident, outside


@dataclass
class Stage(Rejecting):
    con: duckdb.DuckDBPyConnection
    config: ChurnlensConfig
    kind: str
    counts: dict[str, TableCount] = field(default_factory=dict)
    staged: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)
    malformed: dict[str, str] = field(default_factory=dict)
    #: Encoding of the CSV files (a Python codec name); None or UTF-8: read as they are.
    encoding: str | None = None
    #: ``report(message, fraction)`` told how far each long read, check and staging query has
    #: got, with rows per second (see `churnlens.sources.progress`); None: nothing told.
    report: Report | None = None

    def __post_init__(self) -> None:
        self.prefix = f"_stg_{uuid.uuid4().hex[:8]}_"
        self.rejected = self.tmp("rejected_rows")
        self._copies: dict[Path, Path] = {}
        self._copy_dir: str | None = None
        #: Views numbering the lines of a file read (see `read_csv`'s ``lazy``) -> table read.
        self._views: dict[str, str] = {}
        if self.encoding:
            self.encoding = text_files.check_encoding(self.encoding)
        cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in REJECTED_ROWS.columns)
        self.con.execute(f"CREATE TABLE {ident(self.rejected)} ({cols})")

    # ---- names --------------------------------------------------------------------------------
    def tmp(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def count(self, target: str) -> TableCount:
        return self.counts.setdefault(target, TableCount())

    def rows(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0]

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {ident(table)}").fetchall()]

    def drop(self, *tables: str) -> None:
        """Drop tables (and views numbering the lines of a read, with the table they read)."""
        for t in tables:
            if t in self._views:
                self.con.execute(f"DROP VIEW IF EXISTS {ident(t)}")
                t = self._views.pop(t)
            self.con.execute(f"DROP TABLE IF EXISTS {ident(t)}")

    # ---- plausible values ---------------------------------------------------------------------
    def time_range(self) -> tuple[str, str]:
        """(earliest, latest) plausible time as ISO text: ``[ingest] earliest_time`` to
        ``latest_days_ahead`` days after now (UTC)."""
        cfg = self.config.ingest
        try:
            earliest = date.fromisoformat(str(cfg.earliest_time)).isoformat()
        except ValueError as exc:
            raise DataError(
                "The earliest plausible time is not an ISO date.",
                file="config [ingest] earliest_time",
                values=[cfg.earliest_time],
                fix="Write it as YYYY-MM-DD, e.g. 1990-01-01.",
            ) from exc
        latest = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=float(cfg.latest_days_ahead))
        return earliest, latest.isoformat(sep=" ", timespec="seconds")

    def time_check(self, column: str, ts_sql: str, fix: str) -> Check:
        """Reject times (the SQL timestamp ``ts_sql``) outside `time_range`; NULL passes."""
        lo, hi = self.time_range()
        return Check(
            column,
            f"({ts_sql}) IS NOT NULL AND {outside(f'({ts_sql})', lo, hi)}",
            f"outside the plausible time range {lo} .. {hi}",
            f"{fix} Times before [ingest] earliest_time or more than [ingest] latest_days_ahead days "
            "after the ingest are rejected; correct the dates, or change these settings.",
        )

    # ---- reading ------------------------------------------------------------------------------
    def utf8(self, path: Path) -> Path:
        """``path`` itself, or its UTF-8 copy when the stage reads another ``encoding``."""
        if self.encoding in (None, "utf-8", "utf-8-sig") or not Path(path).is_file():
            return Path(path)
        path = Path(path)
        if path not in self._copies:
            self._copy_dir = self._copy_dir or tempfile.mkdtemp(prefix="churnlens_utf8_")
            out = Path(self._copy_dir) / f"{len(self._copies)}_{path.name}"
            self._copies[path] = text_files.to_utf8(path, self.encoding, out)
        return self._copies[path]

    def csv_header(self, path: Path, delim: str = ",") -> list[str]:
        """The checked column names of a CSV file (see `text_files.header`)."""
        return text_files.header(self.utf8(Path(path)), delim)

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
        optional: bool = False,
        lazy: bool = False,
    ) -> str:
        """Read a CSV file as text columns plus `_line` (1 = the header line).

        Lines that do not fit the header (missing or extra fields, invalid UTF-8) become
        rejected rows of ``target``; with ``keep_malformed`` they are left in the table
        ``malformed[raw]`` (line, msg, csv_line) for the adapter to repair, and the adapter
        must pass the ones it cannot repair to `reject_malformed`. Columns named in
        ``private`` (names, e-mails) are dropped at once, and malformed lines of such a file are
        rejected without their text; so are columns whose name starts with ``_`` (the stage's
        own helper columns do) unless required. A missing file, an empty file, a missing
        required column, a file mostly not in UTF-8 or one the CSV reader cannot parse raises
        DataError; so does a header without rows, unless the file is ``optional`` (then it is
        an empty table, noted). With ``lazy`` a file read without a malformed line is not copied
        to number its lines: the raw table is a view numbering the rows as read, which can be
        queried, renamed and dropped like a table but not written to.

        The file is read in parallel into a temporary table (in memory, spilled to the engine's
        temporary directory beyond its memory limit); the reader keeps each malformed line's
        number, so the rows read keep theirs.
        """
        path = Path(path)
        text = self.utf8(path)
        header = text_files.header(text, delim)
        self._require(path, header, required)
        drop = [c for c in header if c in private or (c.startswith("_") and c not in required)]
        raw = self.tmp(f"raw_{name}")
        self.source_of[raw] = str(path)
        if not text_files.has_rows(text):
            if not optional:
                raise DataError(
                    "The file has a header but no rows.", file=str(path), fix="Export the data again."
                )
            cols = "".join(f", {ident(c)} VARCHAR" for c in header if c not in drop)
            self.con.execute(f"CREATE TEMP TABLE {ident(raw)} (_line BIGINT{cols})")
            self.count(target)
            self.notes.append(f"{path.name} has a header but no rows: read as an empty table")
            return raw
        rej_table, rej_scan = self.tmp(f"rej_{name}"), self.tmp(f"scan_{name}")
        try:
            with watched(self.con, self.report, f"reading {path.name}", estimated_rows(text)):
                self._read_text_columns(text, raw + "_0", delim, rej_table, rej_scan, header)
        except duckdb.InvalidInputException as exc:  # a state the CSV reader cannot leave
            raise DataError(
                f"The file cannot be read as CSV: {str(exc).splitlines()[0]}",
                file=str(path),
                fix="Look for a carriage return (\\r) or a quote inside a quoted value, or export the "
                "file again as standard CSV.",
            ) from exc
        n_good = self.rows(f"{raw}_0")
        self.con.execute(
            f"CREATE TEMP TABLE {ident(raw + '_rej')} AS SELECT line, min(error_message) AS msg, "
            f"min(csv_line) AS csv_line FROM {ident(rej_table)} GROUP BY line"
        )
        tail = text_files.open_quote(text, delim)
        if tail is not None:  # the reader's own rejection of the cut-off text is replaced by ours
            self.con.execute(f"DELETE FROM {ident(raw + '_rej')} WHERE line >= ?", [tail[0]])
        n_bad = self.rows(f"{raw}_rej")
        self.drop(rej_table, rej_scan)
        if n_bad:
            self._explain_undecodable(path, text, f"{raw}_rej", n_good + n_bad)
        self._number_lines(raw, n_good + n_bad, drop, lazy=lazy and n_bad == 0)
        self.count(target).read += n_good + n_bad
        cut_short = self._reject_open_quote(path, tail, target=target, keep_text=not private)
        if n_good + n_bad == 0 and not cut_short:  # rows follow the header, yet the reader found none
            raise DataError(
                "No line after the header could be read as CSV.",
                file=str(path),
                fix="Check the quoting of the first lines (a quote inside a value is written twice) and "
                "the line ends, or export the file again as standard CSV.",
            )
        if keep_malformed:
            self.malformed[raw] = f"{raw}_rej"
        else:
            self.reject_malformed(f"{raw}_rej", target=target, source=str(path), keep_text=not private)
        return raw

    def _number_lines(self, raw: str, n_lines: int, drop: list[str], *, lazy: bool) -> None:
        """``raw`` from the rows read into ``raw_0`` (in file order) and the malformed lines in
        ``raw_rej``: each row with its `_line`, ``drop`` columns left out.

        Row ``i`` (from 0) is on line ``i + 2`` plus the number of malformed lines before it:
        malformed line ``r_j`` (the j-th, from 1) shifts every row from ``r_j - 1 - j`` on by
        ``j``, found for each row by an as-of join on the (few) malformed lines."""
        base = f"{raw}_0"
        exclude = "".join(f", {ident(c)}" for c in drop)
        if self.rows(f"{raw}_rej") == 0:
            select = (
                f"SELECT (_cl_rid + 2)::BIGINT AS _line, * EXCLUDE (_cl_rid{exclude}) "
                f"FROM (SELECT rowid AS _cl_rid, * FROM {ident(base)})"
            )
            if lazy:  # no copy: the view numbers the rows each time it is read
                self.con.execute(f"CREATE TEMP VIEW {ident(raw)} AS {select}")
                self._views[raw] = base
                return
        else:
            select = f"""WITH bad AS (
                    SELECT line, row_number() OVER (ORDER BY line) AS j FROM {ident(raw + "_rej")}
                    WHERE line >= 2 AND line < {int(2 + n_lines)}
                ), shifts AS (SELECT line - 1 - j AS start, max(j) AS shift FROM bad GROUP BY ALL)
                SELECT (r._cl_rid + 2 + coalesce(s.shift, 0))::BIGINT AS _line, r.* EXCLUDE (_cl_rid{exclude})
                FROM (SELECT rowid AS _cl_rid, * FROM {ident(base)}) r
                ASOF LEFT JOIN shifts s ON r._cl_rid >= s.start
                ORDER BY _line"""
        self.con.execute(f"CREATE TEMP TABLE {ident(raw)} AS {select}")
        self.drop(base)

    def _read_text_columns(
        self, text: Path, table: str, delim: str, rej_table: str, rej_scan: str, header: list[str]
    ) -> None:
        """DuckDB's CSV reader: every column as text, lines that do not fit in ``rej_table``."""
        self.con.execute(
            f"CREATE TEMP TABLE {ident(table)} AS SELECT * FROM read_csv(?, delim = ?, quote = '\"', "
            "escape = '\"', header = false, skip = 1, all_varchar = true, store_rejects = true, "
            "rejects_table = ?, rejects_scan = ?, parallel = true, auto_detect = false, columns = ?)",
            [str(text), delim, rej_table, rej_scan, dict.fromkeys(header, "VARCHAR")],
        )

    def parquet_columns(self, path: Path) -> list[str]:
        """The column names of a Parquet file; DataError for a missing or unreadable file."""
        path = Path(path)
        if not path.exists():
            raise DataError("File not found.", file=str(path), fix="Check the path.")
        try:
            return [
                r[0]
                for r in self.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
            ]
        except duckdb.Error as exc:
            raise DataError(
                f"Not a readable Parquet file: {str(exc).splitlines()[0]}",
                file=str(path),
                fix="Export the file again as Parquet.",
            ) from exc

    def read_parquet(self, path: Path, *, target: str, required: list[str], name: str) -> str:
        """Read a Parquet file with `_line` = row number from 1."""
        path = Path(path)
        cols = self.parquet_columns(path)
        self._require(path, cols, required)
        raw = self.tmp(f"raw_{name}")
        exclude = "".join(f", {ident(c)}" for c in cols if c.startswith("_") and c not in required)
        self.con.execute(
            f"CREATE TEMP TABLE {ident(raw)} AS SELECT (file_row_number + 1)::BIGINT AS _line, "
            f"* EXCLUDE (file_row_number{exclude}) "
            "FROM read_parquet(?, file_row_number = true) ORDER BY _line",
            [str(path)],
        )
        n = self.rows(raw)
        if n == 0:
            raise DataError(
                "The file has no rows.", file=str(path), fix="Export the data again; it is empty."
            )
        self.count(target).read += n
        self.source_of[raw] = str(path)
        return raw

    # ---- staging canonical tables -----------------------------------------------------------------
    def stage(self, target: str, select_sql: str) -> None:
        """Create the canonical table ``target`` from a query giving (some of) its columns."""
        spec = CANONICAL[target]
        have = {r[0] for r in self.con.execute(f"DESCRIBE {select_sql}").fetchall()}
        unknown = have - set(spec.column_names) - {"_line"}
        if unknown:
            raise ValueError(f"staging {target}: columns not in the canonical schema: {sorted(unknown)}")
        exprs = ", ".join(
            (f"CAST({ident(c.name)} AS {c.sql_type})" if c.name in have else f"CAST(NULL AS {c.sql_type})")
            + f" AS {ident(c.name)}"
            for c in spec.columns
        )
        name = self.tmp(f"canon_{target}")
        with watched(self.con, self.report, f"storing {target}", self.count(target).read or None):
            self.con.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT {exprs} FROM ({select_sql})")
        self.staged[target] = name
        self.count(target).stored = self.rows(name)

    def finish(self) -> dict[str, str]:
        """Stage empty tables for what the source lacks, check the counts, return {name: staged}.

        A table with more than ``[ingest] max_rejected_share`` of its rows rejected stops the
        ingest with a DataError showing the most frequent reasons.
        """
        for target in CANONICAL:
            if target not in self.staged:
                first = CANONICAL[target].columns[0].name
                self.stage(target, f"SELECT NULL AS {ident(first)} WHERE false")
                self.counts.pop(target, None)
        for target, c in self.counts.items():
            if c.read != c.stored + c.rejected:
                raise AssertionError(
                    f"{target}: {c.read} rows read but {c.stored} stored + {c.rejected} rejected"
                )
        for target, c in self.counts.items():
            self._check_rejected_share(target, c)
        self.staged[REJECTED_ROWS.name] = self.rejected
        return dict(self.staged)

    def cleanup(self) -> None:
        """Drop every temporary table this stage created and that was not published."""
        published = set(self.staged.values())
        self.drop(*(v for v in list(self._views) if v not in published))
        names = [
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)", [self.prefix]
            ).fetchall()
        ]
        self.drop(*(n for n in names if n not in published))
        if self._copy_dir:
            shutil.rmtree(self._copy_dir, ignore_errors=True)
            self._copy_dir = None
            self._copies.clear()

    # ---- internals ------------------------------------------------------------------------------
    def _explain_undecodable(self, path: Path, text: Path, rej: str, n_lines: int) -> None:
        """A file mostly not in UTF-8 is a DataError naming the likely encoding; otherwise the
        reasons of its undecodable lines name it."""
        n = self.con.execute(f"SELECT count(*) FROM {ident(rej)} WHERE msg ILIKE '%unicode%'").fetchone()[0]
        if not n:
            return
        samples = text_files.undecodable_lines(text)
        if n > self.config.ingest.max_bad_share * n_lines:
            raise text_files.not_utf8(path, samples, f"{n:,} of {n_lines:,} lines are not UTF-8 text.")
        guess = text_files.likely_encoding(samples)
        if guess:
            self.con.execute(
                f"UPDATE {ident(rej)} SET msg = msg || ? WHERE msg ILIKE '%unicode%'",
                [f" (not UTF-8: the file may be {guess[0]}; ingest with --encoding {guess[0]})"],
            )

    def _reject_open_quote(
        self, path: Path, tail: tuple[int, int, str] | None, *, target: str, keep_text: bool
    ) -> bool:
        """Reject a last line cut off inside a quoted value (True if so); DataError if it swallows
        more lines.

        ``tail`` is `text_files.open_quote` of the file: DuckDB's CSV reader stops at a quote
        that is never closed (rejecting the rest as one unterminated value, or silently), so
        the rest of the file would be lost without a reason.
        """
        if tail is None:
            return False
        line, n_lines, content = tail
        if n_lines > 1:
            raise DataError(
                f"A quoted value opened on line {line} is never closed; the {n_lines:,} lines from "
                "there to the end of the file cannot be read.",
                file=str(path),
                values=[content[:80]] if keep_text else None,
                fix="Fix the quoting on that line (a quote inside a value is written twice) or export "
                "the file again.",
            )
        self.con.execute(
            f"INSERT INTO {ident(self.rejected)} VALUES (?, ?, ?, "
            "'malformed line: quoted value never closed (the last line is cut short)', ?)",
            [str(path), line, target, content[:RAW_TEXT_LIMIT] if keep_text else None],
        )
        c = self.count(target)
        c.read += 1
        c.rejected += 1
        return True

    @staticmethod
    def _require(path: Path, found: list[str], required: list[str]) -> None:
        if "_line" in required:
            raise DataError(
                "A column named _line cannot be read: churnlens keeps each row's line number under that name.",
                file=str(path),
                column="_line",
                fix="Rename the column in the file (e.g. to line) and map that name.",
            )
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


__all__ = ["ALL_TABLES", "Check", "Stage", "TableCount"]
