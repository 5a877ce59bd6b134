"""The `churnlens` command: a thin shell over the functions a Python user would call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from churnlens.config import ChurnlensConfig
from churnlens.errors import ChurnlensError, DataError


class _Commands(typer.core.TyperGroup):
    """Runs a command and turns every failure a user can cause or fix (bad input, a full disk, a
    read-only file system, a lock held by another program) into one message and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ChurnlensError as exc:
            fail(exc)
        except OSError as exc:
            from churnlens.safe_paths import os_error

            fail(os_error(exc))
        except Exception as exc:
            import duckdb

            from churnlens.safe_paths import duckdb_io_error

            known = duckdb_io_error(exc) if isinstance(exc, duckdb.IOException) else None
            if known is None:
                raise
            fail(known)

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            plain_option_types(cmd, ctx)
        return cmd

    def format_help(self, ctx, formatter):
        plain_option_types(self, ctx)
        return super().format_help(ctx, formatter)


#: What the help shows after an option that takes a value, by the value's type.
VALUE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "list[str]": "TEXT"}


def _no_type(ctx) -> None:
    return None


def plain_option_types(cmd, ctx) -> None:
    """Help without type tags: a flag (``--force``) shows none instead of ``<bool>``, an option
    with a value shows its kind in capitals (``--db TEXT``) instead of ``<str>``, an argument its
    name (``KIND``); sub-commands too."""
    for param in [*cmd.params, cmd.get_help_option(ctx)]:
        if param is None or param.metavar is not None:
            continue
        if param.param_type_name == "argument":
            param.metavar = param.name.upper()  # named in capitals; its help says what it takes
            param.display_type_rich = _no_type
        elif param.is_flag:
            param.metavar = ""
        else:
            kind = str(param.display_type(ctx)).strip("<>").lower()
            param.metavar = VALUE_NAMES.get(kind, kind.upper())
    for sub in getattr(cmd, "commands", {}).values():
        plain_option_types(sub, ctx)


def fail(exc: Exception) -> None:
    """Print ``exc`` as one error message (its text never read as Rich markup) and exit with 2."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    help="churnlens: why sales fall and which customers are about to lapse.",
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

DbOpt = Annotated[
    str | None, typer.Option("--db", help="Warehouse: DuckDB file (default churnlens.duckdb) or Spark dir.")
]
EngineOpt = Annotated[str, typer.Option("--engine", help="duckdb (embedded, default) or spark.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML file with settings.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Override one setting: section.key=value.")]
FACTS_FILE = "facts.json"
"""Written by `generate` into every synthetic shop: a directory holding it may be written again."""
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace an existing file of another kind at --out (never the warehouse)."),
]


def load_config(config: Path | None, sets: list[str] | None) -> ChurnlensConfig:
    cfg = read_config(config) if config else ChurnlensConfig()
    for item in sets or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise DataError(
                "A --set needs key=value.", values=[item], fix="Write e.g. --set churn.window_days=30"
            )
        cfg.set(key.strip(), value.strip(), check_rules=False)
    return cfg.validate("--set")


def read_config(path: Path) -> ChurnlensConfig:
    """``--config``: a UTF-8 TOML file."""
    if path.is_dir():
        raise DataError(
            "--config names a directory, not a TOML file.", file=str(path), fix="Pass a .toml file."
        )
    try:
        return ChurnlensConfig.from_toml(path)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"The config file is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at "
            f"position {exc.start}).",
            file=str(path),
            fix="Save it as UTF-8 (every editor offers it under 'Save as' / encoding).",
        ) from exc


@contextlib.contextmanager
def opened(db: str | None, engine: str, config: Path | None, sets: list[str] | None) -> Iterator:
    """The configuration and an open warehouse, closed again whatever happens; yields (wh, cfg)."""
    cfg = load_config(config, sets)
    wh = open_warehouse(db, engine, cfg)
    try:
        yield wh, cfg
    finally:
        wh.close()


def open_warehouse(
    db: str | None, engine: str, cfg: ChurnlensConfig, read_only: bool = False, create: bool = False
):
    """The warehouse at ``db`` (default: churnlens.duckdb); a missing one only when ``create``."""
    from churnlens import safe_paths
    from churnlens.warehouse import default_db

    def waiting(message: str) -> None:
        err.print(f"{message} (waiting up to {cfg.engine.lock_wait_seconds:g} s) ...", markup=False, highlight=False)

    return safe_paths.open_warehouse(
        db or default_db(engine), engine=engine, config=cfg, read_only=read_only, create=create, on_wait=waiting
    )


@contextlib.contextmanager
def progress_bar(title: str) -> Iterator:
    """A Rich progress display; yields ``update(message, fraction=None)``."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as prog:
        task = prog.add_task(title, total=None, step="")

        def update(message: str, fraction: float | None = None) -> None:
            prog.update(
                task, step=message, total=1.0 if fraction is not None else None, completed=fraction or 0.0
            )

        yield update
        prog.update(task, step="done", total=1.0, completed=1.0)


@app.command()
def generate(
    kind: Annotated[str, typer.Argument(help="fashion-campus or instacart")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the native files.")],
    customers: Annotated[int, typer.Option(help="Number of customers (users).")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    scenario: Annotated[str, typer.Option(help="steady or decline.")] = "steady",
    catalogue: Annotated[
        Path | None,
        typer.Option(help="Instacart catalogue dir (products/aisles/departments); default: generated."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a directory that holds other files.")
    ] = False,
) -> None:
    """Write a synthetic shop in a native format, with its ground truth and facts."""
    from churnlens.safe_paths import check_output_dir
    from churnlens.sources.synthetic import KINDS, SCENARIOS, GeneratorConfig
    from churnlens.sources.synthetic import generate as gen

    if kind not in KINDS:
        raise DataError("Unknown kind of shop to generate.", values=[kind], fix=f"Use one of {list(KINDS)}.")
    if scenario not in SCENARIOS:
        raise DataError(
            "Unknown scenario.", values=[scenario], fix=f"Use --scenario with one of {list(SCENARIOS)}."
        )
    if customers < 1:
        raise DataError(
            "A shop needs at least one customer.", values=[customers], fix="Use --customers 1 or more."
        )
    if catalogue is not None and kind != "instacart":
        raise DataError(
            "--catalogue is only used for instacart; fashion-campus has a built-in catalogue.",
            file=str(catalogue),
            fix="Leave out --catalogue.",
        )
    cfg = GeneratorConfig(customers=customers, seed=seed, scenario=scenario)
    out = check_output_dir(out, FACTS_FILE, force)
    t0 = time.perf_counter()
    with progress_bar(f"generate {kind}") as update:
        facts = gen(kind, out, cfg, catalogue_dir=catalogue, progress=update)
    console.print(f"wrote {kind} shop to [bold]{escape(str(out))}[/] in {time.perf_counter() - t0:.1f} s")
    shown = Table("fact", "value")
    for k, v in facts.items():
        if isinstance(v, int | float | str):
            shown.add_row(escape(k), f"{v:,}" if isinstance(v, int) else escape(str(v)))
    console.print(shown)


@app.command()
def ingest(
    kind: Annotated[str, typer.Argument(help="fashion-campus, instacart, online-retail or generic")],
    paths: Annotated[
        list[str], typer.Argument(help="Files or directories (generic: role=file, e.g. items=x.csv).")
    ],
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="generic: canonical=source column.")] = None,
    currency: Annotated[str | None, typer.Option(help="generic: currency of the amounts.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Encoding of the CSV files when not UTF-8, e.g. cp949, latin-1.")
    ] = None,
) -> None:
    """Read a shop's native files into the warehouse's canonical tables."""
    from churnlens.ingest import ingest as run_ingest

    cfg = load_config(config, set_)
    options: dict = {}
    if map_:
        options["map"] = dict(_pair(m) for m in map_)
    if currency:
        options["currency"] = currency
    if encoding:
        options["encoding"] = encoding
    wh = open_warehouse(db, engine, cfg, create=True)
    try:
        with progress_bar(f"ingest {kind}") as update:
            summary = run_ingest(kind, paths, wh, cfg, options=options, progress=update)
    finally:
        wh.close()
    print_ingest(summary)


def print_ingest(summary) -> None:
    t = Table("table", "read", "stored", "rejected", title=f"ingest {summary.kind} ({summary.seconds:.1f} s)")
    for r in summary.rows():
        t.add_row(escape(r["table"]), f"{r['read']:,}", f"{r['stored']:,}", f"{r['rejected']:,}")
    console.print(t)
    for note in summary.notes:
        console.print(f"  note: {escape(str(note))}")
    if summary.rejected:
        console.print(f"  {summary.rejected:,} rejected rows kept with their reasons in table rejected_rows")


@app.command("run")
def run_cmd(
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only this stage (repeat for more).")] = None,
    with_upstream: Annotated[
        bool, typer.Option("--with-upstream", help="With --only: also run the stages it reads from.")
    ] = False,
) -> None:
    """Run every stage the shop's data allows and publish the result tables together."""
    with opened(db, engine, config, set_) as (wh, cfg):
        print_run(run_pipeline(wh, cfg, only, with_upstream))


def run_pipeline(wh, cfg, only=None, with_upstream: bool = False):
    from churnlens import pipeline

    with progress_bar("run") as update:
        return pipeline.run(wh, cfg, only=only, progress=update, with_upstream=with_upstream)


def print_run(report) -> None:
    t = Table("result table", "rows", title="results")
    for name, rows in report.written.items():
        t.add_row(name, f"{rows:,}")
    console.print(t)
    for stage, reason in report.skipped.items():
        console.print(f"  skipped {stage}: {escape(str(reason))}")
        if report.dropped.get(stage):
            console.print(f"    removed its tables from an earlier run: {', '.join(report.dropped[stage])}")
    if report.seconds:
        times = ", ".join(f"{stage} {sec:.1f} s" for stage, sec in report.seconds.items())
        console.print(f"  stage times: {times}")
    if report.cutoff is not None:
        console.print(f"  every stage computed as of {report.cutoff:%Y-%m-%d} (the run's cutoff)")


@app.command()
def diagnose(
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the findings: en or ko.")] = "en",
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            help="text (a readable list), json or csv (every column of table findings, both languages).",
        ),
    ] = "text",
) -> None:
    """Why sales changed: the ranked findings of the last run (table findings), read, not recomputed."""
    from churnlens.findings_output import (
        FORMATS,
        findings_csv,
        findings_json,
        findings_table,
        stored_findings,
    )
    from churnlens.strings import tr
    from churnlens.warehouse import default_db

    if lang not in ("en", "ko"):
        raise DataError("Unknown language.", values=[lang], fix="Use --lang en or --lang ko.")
    if format_ not in FORMATS:
        raise DataError("Unknown output format.", values=[format_], fix="Use --format text, json or csv.")
    cfg = load_config(config, set_)
    wh = open_warehouse(db, engine, cfg, read_only=engine == "duckdb")
    try:
        found = stored_findings(wh, db or default_db(engine))
    finally:
        wh.close()
    if format_ == "json":
        typer.echo(findings_json(found))
    elif format_ == "csv":
        typer.echo(findings_csv(found), nl=False)
    else:
        console.print(findings_table(found, lang))
        console.print(escape(tr(lang, "findings_more")), highlight=False)


@app.command()
def train(
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Fit the churn model on past cutoffs and save it beside the warehouse."""
    from churnlens.churn import persistence, stage
    from churnlens.churn.window import resolve

    with opened(db, engine, config, set_) as (wh, cfg):
        cfg, chosen = resolve(wh, cfg)
        with progress_bar("train churn model") as update:
            trained = stage.train(wh, cfg, progress=update)
            wh.write("churn_feature_importance", trained["churn_feature_importance"])
            wh.write("churn_window", chosen)
        meta = trained["meta"]
        console.print(
            f"saved churn model [bold]{meta['model_version']}[/] to "
            f"{escape(str(persistence.models_dir(wh)))} "
            f"({meta['n_train']:,} labelled rows, {meta['label_mode']} labels, W = {meta['window_days']:g} days)"
        )
        t = Table("feature", "gain", title="top features")
        for _, r in trained["churn_feature_importance"].head(10).iterrows():
            t.add_row(escape(str(r["feature"])), f"{r['gain']:,.0f}")
        console.print(t)


@app.command()
def score(
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    model_version: Annotated[
        str | None, typer.Option("--model", help="Saved model version (default: latest).")
    ] = None,
) -> None:
    """Re-score today's customers with a saved churn model (table customer_scores)."""
    from churnlens.churn import stage
    from churnlens.churn.window import resolve

    with opened(db, engine, config, set_) as (wh, cfg):
        cfg, _ = resolve(wh, cfg)
        with progress_bar("score customers") as update:
            scores = stage.score(wh, cfg, model_version, progress=update)
            wh.write("customer_scores", scores)
    bands = scores["risk_band"].value_counts()
    console.print(
        f"scored {len(scores):,} customers: "
        + ", ".join(f"{b} {int(bands.get(b, 0)):,}" for b in ("high", "medium", "low"))
    )
    t = Table("customer", "churn probability", "reasons", title="highest risk")
    for _, r in scores.head(5).iterrows():
        t.add_row(escape(str(r["customer_id"])), f"{r['churn_probability']:.2f}", escape(str(r["reasons"])))
    console.print(t)


@app.command()
def backtest(
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Time-ordered churn backtest of every model and baseline on held-out cutoffs."""
    from churnlens.churn import stage
    from churnlens.churn.window import resolve

    with opened(db, engine, config, set_) as (wh, cfg):
        cfg, _ = resolve(wh, cfg)
        with progress_bar("churn backtest") as update:
            tables = stage.run_backtest(wh, cfg, progress=update)
            for name, df in tables.items():
                if not df.empty:
                    wh.write(name, df)
    bt = tables["churn_backtest"]
    t = Table(
        "cutoff", "model", "ROC AUC", "PR AUC", "Brier", "calibration error", "lift top 10%", title="backtest"
    )
    for _, r in bt.iterrows():
        t.add_row(
            str(r["cutoff"]),
            r["model"],
            f"{r['roc_auc']:.3f}",
            f"{r['pr_auc']:.3f}",
            "" if r["brier"] != r["brier"] else f"{r['brier']:.3f}",
            "" if r["calibration_error"] != r["calibration_error"] else f"{r['calibration_error']:.3f}",
            f"{r.get('lift_top10', float('nan')):.2f}",
        )
    console.print(t)
    from churnlens.churn.verdict import sentences

    for line in sentences(bt, "en", cfg.churn.bootstrap_level):
        console.print(line)
    imb = tables.get("churn_imbalance_comparison")
    if imb is not None and not imb.empty:
        t = Table(
            "strategy",
            "ROC AUC",
            "vs as is",
            "calibration error",
            "helps",
            title="class imbalance (LightGBM)",
        )
        for _, r in imb.iterrows():
            t.add_row(
                r["strategy"],
                f"{r['roc_auc']:.3f}",
                f"{r['roc_auc_vs_none']:+.3f}",
                f"{r['calibration_error']:.3f}",
                "yes" if r["helps"] else "no",
            )
        console.print(t)


@app.command()
def info(
    db: DbOpt = None, engine: EngineOpt = "duckdb", config: ConfigOpt = None, set_: SetOpt = None
) -> None:
    """Tables of the warehouse: rows, meaning, the stage and run that wrote each result table,
    whether it is stale, and the last runs."""
    from churnlens import declarations
    from churnlens.provenance import data_version, last_ingest_time, table_runs
    from churnlens.run_cutoff import recorded as recorded_cutoff

    wh = open_warehouse(db, engine, load_config(config, set_), read_only=engine == "duckdb")
    try:
        runs = wh.runs()
        written = table_runs(runs)
        t = Table("table", "rows", "stage", "meaning", "run", "status")
        for name in wh.tables():
            rows = f"{int(wh.table(name).count().to_pyarrow().as_py()):,}"
            decl = declarations.table(name)
            stage = declarations.TABLE_STAGE.get(name, "")
            meaning = decl.meaning if decl is not None else ""
            rec = written.get(name)
            run_id = rec["run_id"] if rec else ""
            status = "" if rec is None else ("stale: older data" if rec["stale"] else "current")
            t.add_row(name, rows, stage, meaning, run_id, status)
        # Whole names and run ids, even in a pipe or a narrow terminal.
        Console(width=max(console.width, 200), highlight=False).print(t)
        stale = sorted(n for n, r in written.items() if r["stale"] and wh.has(n))
        if stale:
            console.print(
                f"  {len(stale)} result tables are stale: computed before the ingest of "
                f"{last_ingest_time(runs)} (data version {data_version(runs)}); "
                f"`{run_command(db, engine)}` makes them current.",
                markup=False,
                highlight=False,
            )
        cutoff = recorded_cutoff(runs)
        if cutoff:
            console.print(f"  Results as of {cutoff}: the last run's cutoff, shared by all its stages.", markup=False)
        if not runs.empty:
            console.print(runs[["run_id", "kind", "seconds"]].tail(5).to_string(index=False), markup=False)
    finally:
        wh.close()


@app.command()
def serve(
    db: DbOpt = None,
    port: Annotated[int, typer.Option("--port", help="Port of the dashboard.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 127.0.0.1 keeps it on this computer.")
    ] = "127.0.0.1",
    lang: Annotated[str, typer.Option("--lang", help="Starting language: en or ko.")] = "en",
    engine: EngineOpt = "duckdb",
) -> None:
    """Serve the dashboard of the warehouse's result tables (read-only) on 127.0.0.1."""
    from churnlens.app import server
    from churnlens.safe_paths import check_warehouse
    from churnlens.warehouse import default_db

    path = server.prepare(check_warehouse(db or default_db(engine), engine), lang, engine)
    console.print(
        f"churnlens dashboard: [bold]{server.url(host, port)}[/]  "
        f"(warehouse {escape(path.name)}; Ctrl+C stops)"
    )
    server.serve(path, port=port, host=host, lang=lang, engine=engine)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    db: DbOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or ko.")] = "en",
    force: ForceOpt = False,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write a self-contained HTML report: KPIs, findings, customers to contact first, model card,
    segments, products, promotions and campaigns (one file that opens offline)."""
    from churnlens.report import write_report
    from churnlens.warehouse import default_db

    cfg = load_config(config, set_)
    path = write_report(db or default_db(engine), out, lang, force=force, engine=engine, config=cfg)
    size = path.stat().st_size
    shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(size / 1e3, 1):.0f} KB"
    console.print(f"wrote report to [bold]{escape(str(path))}[/] ({shown}, opens offline)")


@app.command()
def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Exit after the run instead of serving.")
    ] = False,
    shop: Annotated[
        str,
        typer.Option(
            "--shop", help="fashion-campus (generated, planted decline) or online-retail (real, shipped)."
        ),
    ] = "fashion-campus",
    db: DbOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Where the generated shop's files go.")] = Path(
        "churnlens-demo"
    ),
    customers: Annotated[int, typer.Option(help="Customers of the generated shop.")] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed of the generated shop.")] = 7,
    port: Annotated[int, typer.Option("--port", help="Port of the dashboard.")] = 8501,
    engine: EngineOpt = "duckdb",
) -> None:
    """Make a demo shop, ingest it, run every stage and serve the dashboard on 127.0.0.1.

    The shop is generated with a planted sales decline, or with --shop online-retail it is a real
    retailer's two years, shipped with churnlens; --no-serve stops after the run."""
    from churnlens.demo import demo_shop
    from churnlens.ingest import ingest as run_ingest
    from churnlens.safe_paths import check_output_dir
    from churnlens.warehouse import default_db

    cfg = load_config(config, set_)
    t0 = time.perf_counter()
    with progress_bar(f"demo shop {shop}") as update:
        shop_dir = check_output_dir(out, FACTS_FILE) if shop == "fashion-campus" else out
        kind, paths = demo_shop(shop, shop_dir, customers, seed, progress=update)
    wh = open_warehouse(db, engine, cfg, create=True)
    try:
        with progress_bar("ingest") as update:
            summary = run_ingest(kind, paths, wh, cfg, progress=update)
        print_ingest(summary)
        print_run(run_pipeline(wh, cfg))
    finally:
        wh.close()
    console.print(
        f"demo ready in {time.perf_counter() - t0:.1f} s: "
        f"warehouse [bold]{escape(db or default_db(engine))}[/]"
    )
    if not no_serve:
        serve(db=db, port=port, host="127.0.0.1", lang="en", engine=engine)


export_app = typer.Typer(
    no_args_is_help=True, help="Write result tables as files for other tools (CRM, spreadsheets)."
)
app.add_typer(export_app, name="export")


@export_app.command("actions")
def export_actions(
    action: Annotated[str, typer.Option("--action", help="Action to export (e.g. winback_personal) or all.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include", help="Extra column of actions or customers (personal data only when asked)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the reason: en or ko.")] = "en",
    db: DbOpt = None,
    engine: EngineOpt = "duckdb",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    force: ForceOpt = False,
    allow_stale: Annotated[
        bool,
        typer.Option("--allow-stale", help="Export even when the actions were computed from older data."),
    ] = False,
) -> None:
    """Customers of one action as CSV: customer id, action, reason, routine products, expected value.

    Text cells a spreadsheet would run as a formula are escaped; the file is UTF-8 with a BOM."""
    from churnlens.playbook.export import export_actions as write_actions
    from churnlens.provenance import refuse_stale

    wh = open_warehouse(db, engine, load_config(config, set_), read_only=engine == "duckdb")
    try:
        if not allow_stale:
            refuse_stale(wh.runs(), ["actions"], str(wh.path), run_command(db, engine))
        n = write_actions(wh, action, out, include, lang, force=force)
    finally:
        wh.close()
    console.print(f"wrote {n:,} customers ({escape(action)}) to [bold]{escape(str(out))}[/]")


def run_command(db: str | None, engine: str) -> str:
    """The `churnlens run` command line for this warehouse."""
    parts = ["churnlens run"]
    if db:
        parts.append(f"--db {db}")
    if engine != "duckdb":
        parts.append(f"--engine {engine}")
    return " ".join(parts)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise DataError(
            "A --map needs canonical=source.", values=[text], fix="Write e.g. --map order_ts=created_at"
        )
    return key.strip(), value.strip()


def main() -> None:
    """The `churnlens` command; failures are printed as one message with exit status 2 (`_Commands`)."""
    app()


if __name__ == "__main__":
    main()
