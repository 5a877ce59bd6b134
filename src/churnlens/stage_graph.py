"""The order of the pipeline's stages, derived from what each declares it reads and writes.

A stage comes after every stage that writes a table it reads (required or optional reads).
`ordered` is a topological sort that keeps the registration order among independent stages;
`upstream` lists the stages a stage depends on, nearest last.
"""

from __future__ import annotations

from collections.abc import Sequence

from churnlens.contract import StageDecl


def producers(decls: Sequence[StageDecl]) -> dict[str, str]:
    """``{table: stage that writes it}``."""
    out: dict[str, str] = {}
    for d in decls:
        for name in d.written:
            if name in out:
                raise ValueError(f"table {name} is declared by stages {out[name]} and {d.name}")
            out[name] = d.name
    return out


def inputs(decl: StageDecl, decls: Sequence[StageDecl]) -> dict[str, str]:
    """``{table: producing stage}`` of the result tables ``decl`` reads (required or optional)."""
    made = producers(decls)
    return {t: made[t] for t in (*decl.reads, *decl.reads_optional) if t in made and made[t] != decl.name}


def ordered(decls: Sequence[StageDecl]) -> list[StageDecl]:
    """The stages in an order where every stage runs after the stages whose tables it reads."""
    deps = {d.name: set(inputs(d, decls).values()) for d in decls}
    done: list[StageDecl] = []
    left = list(decls)
    while left:
        ready = next((d for d in left if deps[d.name] <= {x.name for x in done}), None)
        if ready is None:
            raise ValueError(f"the stages {[d.name for d in left]} read each other's tables in a cycle")
        done.append(ready)
        left.remove(ready)
    return done


def upstream(name: str, decls: Sequence[StageDecl]) -> list[str]:
    """Every stage ``name`` depends on, directly or not, in pipeline order."""
    by_name = {d.name: d for d in decls}
    seen: set[str] = set()
    todo = [name]
    while todo:
        for dep in inputs(by_name[todo.pop()], decls).values():
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return [d.name for d in ordered(decls) if d.name in seen]
