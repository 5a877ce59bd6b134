"""Moving rows that fail a rule to the rejected rows, each with its reason.

`Rejecting` is the part of the `Stage` (see `staging`) that checks raw tables: rows failing a
`Check`, repeated keys or whole repeated lines, rows an adapter singles out, lines the CSV
reader could not split. Every rejected row keeps its source file, line, target table, reason
and (up to ``RAW_TEXT_LIMIT`` characters of) its text, and is counted; a column that mostly
fails, or a table that is almost wholly rejected, is a DataError instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from churnlens.errors import DataError
from churnlens.sources.progress import watched
from churnlens.sources.sql import ident, idents, literal

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


class Rejecting:
    """Validation and rejection over the stage's DuckDB connection (mixed into `Stage`).

    It uses the stage's ``con``, ``config``, ``prefix``, ``rejected`` (table name), ``counts``,
    ``source_of``, ``report``, ``_views`` (views numbering a read's lines) and its
    ``tmp``/``rows``/``columns``/``drop``. The tables of good rows it makes are temporary (in
    memory, spilled beyond the memory limit), never written into the warehouse file.
    """

    def validate(self, table: str, *, target: str, checks: list[Check], source: str | None = None) -> str:
        """Move rows failing any check to rejected rows; return the table of the good rows."""
        source = source or self.source_of.get(table, table)
        n = self.rows(table)
        cols = [c for c in self.columns(table) if c != "_line"]
        if not checks:
            return table
        with watched(self.con, self.report, f"checking {target}", n):
            stats = self.con.execute(
                "SELECT "
                + ", ".join(f"count(*) FILTER (WHERE {c.bad})" for c in checks)
                + f" FROM {ident(table)}"
            ).fetchone()
        if not any(stats):  # nothing fails: the rows move on under a new name, no copy
            return self._renamed(table, source)
        limit = self.config.ingest.max_bad_share * n
        for chk, bad in zip(checks, stats, strict=True):
            if bad and bad > limit:
                sample = [
                    r[0]
                    for r in self.con.execute(
                        f"SELECT DISTINCT {ident(chk.column)} FROM {ident(table)} WHERE {chk.bad} LIMIT 5"
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
                f"WHEN {c.bad} THEN {literal(c.column + ': ' + c.reason)}"
                + (
                    f" || ': ' || coalesce(CAST({ident(c.column)} AS VARCHAR), 'NULL')"
                    if c.show_value
                    else ""
                )
                for c in checks
            )
            + " END"
        )
        return self._split(table, reason, target, source, cols)

    def reject_duplicates(
        self, table: str, *, key: list[str], target: str, source: str | None = None, exact: bool = False
    ) -> str:
        """Keep the first row of each key (in file order); later ones are rejected. The rows kept
        stay in file order, as every table of good rows does.

        With ``exact`` the key is the whole row as read (``key`` lists its columns) and a later
        copy is rejected as "duplicate of line N".
        """
        source = source or self.source_of.get(table, table)
        cols = [c for c in self.columns(table) if c != "_line"]
        keys = idents(key)
        if exact:  # repeats are expected: mark the first line of each row once, in one pass
            marked = self.tmp(f"dup_{uuid.uuid4().hex[:6]}")
            self.con.execute(
                f"CREATE TEMP TABLE {ident(marked)} AS SELECT *, min(_line) OVER (PARTITION BY {keys}) AS _first "
                f"FROM {ident(table)} ORDER BY _line"
            )
            if not self.con.execute(
                f"SELECT count(*) FILTER (WHERE _line <> _first) FROM {ident(marked)}"
            ).fetchone()[0]:
                self.drop(marked)
                return self._renamed(table, source)
            reason = "CASE WHEN _line <> _first THEN 'duplicate of line ' || _first END"
            return self._split(marked, reason, target, source, cols, drop_cols=["_first"])
        # As many distinct hashes as rows: no key is repeated (equal keys, NULL ones too, hash
        # alike), so nothing is rejected and the rows move on without a copy. Hashes are 8 bytes
        # where keys may be long texts; a collision only sends the rows to the exact pass below.
        n, n_hashes = self.con.execute(
            f"SELECT count(*), count(DISTINCT hash({keys})) FROM {ident(table)}"
        ).fetchone()
        if n == n_hashes:
            return self._renamed(table, source)
        marked = (
            f"(SELECT *, min(_line) OVER (PARTITION BY {keys}) AS _first FROM {ident(table)} ORDER BY _line)"
        )
        said = (
            f"{literal('duplicate ' + '/'.join(key) + ' ')} || "
            + " || '/' || ".join(f"coalesce(CAST({ident(k)} AS VARCHAR), 'NULL')" for k in key)
            + " || ' (first on line ' || _first || ')'"
        )
        return self._split(
            marked, f"CASE WHEN _line <> _first THEN {said} END", target, source, cols, drop_cols=["_first"]
        )

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
        source_sql = table if table.startswith("(") else ident(table)
        marked = f"(SELECT *, {reason_sql} AS _reason FROM {source_sql})"
        raw_text = (
            "concat_ws(',', "
            + ", ".join(f"coalesce(CAST({ident(c)} AS VARCHAR), '')" for c in raw_cols)
            + ")"
        )
        before = self.rows(self.rejected)
        self.con.execute(
            f"""INSERT INTO {ident(self.rejected)}
            SELECT ?, _line, ?, _reason, left({raw_text}, {RAW_TEXT_LIMIT})
            FROM {marked} WHERE _reason IS NOT NULL""",
            [source, target],
        )
        self.count(target).rejected += self.rows(self.rejected) - before
        good = self.tmp(f"ok_{uuid.uuid4().hex[:6]}")
        drop = idents(["_reason", *(drop_cols or [])])
        self.con.execute(
            f"CREATE TEMP TABLE {ident(good)} AS SELECT * EXCLUDE ({drop}) FROM {marked} WHERE _reason IS NULL"
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
        if table in self._views:  # a view numbering the lines of a read: renamed, still over its table
            self.con.execute(f"ALTER VIEW {ident(table)} RENAME TO {ident(good)}")
            self._views[good] = self._views.pop(table)
        else:
            self.con.execute(f"ALTER TABLE {ident(table)} RENAME TO {ident(good)}")
        self.source_of[good] = source
        return good

    def reject_malformed(self, table: str, *, target: str, source: str, keep_text: bool = True) -> None:
        """Reject the malformed lines (line, msg, csv_line) of ``table`` and drop it."""
        text = f"left(csv_line, {RAW_TEXT_LIMIT})" if keep_text else "NULL"
        self.con.execute(
            f"""INSERT INTO {ident(self.rejected)}
            SELECT ?, line::BIGINT, ?, 'malformed line: ' || msg, {text} FROM {ident(table)}""",
            [source, target],
        )
        self.count(target).rejected += self.rows(table)
        self.drop(table)

    def _check_rejected_share(self, target: str, c: TableCount) -> None:
        share = self.config.ingest.max_rejected_share
        if not c.read or c.rejected <= share * c.read:
            return
        top = self.con.execute(
            f"""SELECT reason, count(*) AS n, min(source_file) AS f FROM {ident(self.rejected)}
            WHERE target_table = ? GROUP BY reason ORDER BY n DESC, reason LIMIT 3""",
            [target],
        ).fetchall()
        raise DataError(
            f"{c.rejected:,} of {c.read:,} rows of {target} were rejected (more than {share:.0%}); "
            "nothing was stored.",
            file=", ".join(sorted({f for _r, _n, f in top})),
            values=[f"{n:,} x {r}" for r, n, _f in top],
            fix="The reasons shown say what is wrong: the file is probably in another format, encoding "
            "(--encoding) or column mapping than expected. To store the other rows anyway, raise "
            "[ingest] max_rejected_share.",
        )
