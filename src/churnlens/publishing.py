"""How a set of tables becomes visible at once, and what a failed or killed writer leaves behind.

A run (or an ingest) writes its tables under run-private names (``_run_<id>__<table>_<n>``), a hidden
table on DuckDB and a hidden directory on Spark. `RunScope` keeps the map from each table to
its private name, and the tables the run removes. Publishing makes all of them visible in one
step:

- DuckDB: one transaction renames every private table to its final name (dropping the old one)
  and drops the removed ones; a process killed before COMMIT leaves the previous tables.
- Spark: the list of renames is written to a journal file under a temporary name and renamed
  to ``_publish.json`` (an atomic pointer swap: the commit point); the directory renames follow,
  and a warehouse opened after a kill in between finishes them (`apply_journal`) before
  anything reads a table.

Names a failed or killed writer can leave behind (`LEFTOVER_PREFIXES`) are removed when the
warehouse is next opened for writing (`leftover`), never while another writer can hold it.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

#: Private names of unpublished writes: a run's tables, ingest staging tables, single-table
#: writes, replaced Spark directories, and the temporary tables Ibis creates when replacing one.
RUN_PREFIX = "_run_"
LEFTOVER_PREFIXES = (RUN_PREFIX, "_stg_", "_tmp_", "_old_", "ibis_duckdb_table_")
JOURNAL = "_publish.json"


def new_run_id() -> str:
    """A run id that sorts by time: UTC ``YYYYmmddTHHMMSSffffff`` plus a random suffix."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}_{uuid.uuid4().hex[:6]}"


def leftover(name: str) -> bool:
    """True for a table or directory name that only an unfinished write leaves behind."""
    return name.startswith(LEFTOVER_PREFIXES)


@dataclass
class RunScope:
    """The tables one run has written (``{table: private name}``) and removed so far."""

    run_id: str
    written: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)

    def private(self, name: str) -> str:
        """A fresh private name for ``name`` (a table written twice in a run can read itself)."""
        return f"{RUN_PREFIX}{self.run_id}__{name}_{uuid.uuid4().hex[:6]}"

    def renames(self) -> dict[str, str]:
        """``{final: private}`` of the tables to publish (hidden scratch tables stay private)."""
        return {n: p for n, p in self.written.items() if not n.startswith("_")}

    def scratch(self) -> list[str]:
        """Private names of the run's hidden scratch tables (dropped, never published)."""
        return [p for n, p in self.written.items() if n.startswith("_")]


# ---- Spark: a journal whose rename is the commit point ---------------------------------------------
def write_journal(root: Path, renames: dict[str, str], drops: list[str]) -> None:
    """Commit: write ``{final: private dir}`` and the dropped tables to the journal atomically."""
    tmp = root / f"_tmp_{uuid.uuid4().hex[:8]}.json"
    tmp.write_text(json.dumps({"renames": renames, "drops": sorted(drops)}), encoding="utf-8")
    os.replace(tmp, root / JOURNAL)


def apply_journal(root: Path) -> list[str]:
    """Finish a committed publish (idempotent: safe to repeat after a kill); returns the tables
    whose directory changed."""
    journal = root / JOURNAL
    if not journal.exists():
        return []
    entry = json.loads(journal.read_text(encoding="utf-8"))
    changed = []
    for final, private in entry["renames"].items():
        src = root / private
        if not src.exists():
            continue  # already moved by an earlier, interrupted apply
        if (root / final).exists():
            (root / final).rename(root / f"_old_{final}_{uuid.uuid4().hex[:8]}")
        src.rename(root / final)
        changed.append(final)
    for final in entry["drops"]:
        if (root / final).exists():
            (root / final).rename(root / f"_old_{final}_{uuid.uuid4().hex[:8]}")
            changed.append(final)
    journal.unlink()
    remove_leftover_dirs(root)
    return changed


def remove_leftover_dirs(root: Path) -> list[str]:
    """Delete the directories and temporary files of unfinished writes under ``root``."""
    gone = []
    for p in root.iterdir():
        if leftover(p.name):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            gone.append(p.name)
    return gone
