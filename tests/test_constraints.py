"""constraints.txt pins exactly what `.[test,spark]` installs, and every install command uses it."""

from __future__ import annotations

import re
import runpy
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REFRESH = runpy.run_path(str(ROOT / "scripts" / "refresh-constraints"))


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", line.strip())
        assert m, f"constraints.txt line is not name==version: {line!r}"
        out[canonicalize_name(m.group(1))] = m.group(2)
    return out


def test_every_package_of_the_installed_closure_is_pinned_at_its_installed_version():
    # CI installs with -c constraints.txt, so a dependency added to pyproject.toml without a
    # refresh comes in unpinned and shows here as missing.
    pinned = pins()
    roots = REFRESH["project_requirements"](ROOT / "pyproject.toml", ("test", "spark"))
    installed = REFRESH["closure"](roots)
    assert "churnlens" not in pinned
    assert set(installed) == set(pinned)
    assert installed == pinned


def test_direct_dependencies_pins_lie_inside_the_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = pins()
    direct = [Requirement(r) for r in project["dependencies"]]
    for extra in ("test", "spark"):
        direct += [Requirement(r) for r in project["optional-dependencies"][extra]]
    assert len(direct) >= 15
    for req in direct:
        version = pinned[canonicalize_name(req.name)]
        assert req.specifier.contains(version, prereleases=True), f"{req.name}=={version} outside {req}"
        assert metadata.version(req.name) == version


def test_readme_quickstart_and_ci_install_with_the_constraints():
    ci = (ROOT / ".ci" / "run").read_text()
    installs = [line for line in ci.splitlines() if "pip install" in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```bash\n(.*?)```", quickstart, re.S).group(1).strip().splitlines()
    assert commands == ["pip install -c constraints.txt -e . && churnlens demo", "bash .ci/run"]
    for command in re.findall(r"`(pip install [^`]*)`", readme):
        if "-U" not in command.split():
            assert "-c constraints.txt" in command, command


def test_stack_note_caps_are_in_pyproject():
    """The README's stack notes: DuckDB below 2.0 and sqlglot below 28, for Ibis 12."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = {canonicalize_name(Requirement(r).name): Requirement(r) for r in project["dependencies"]}
    assert not reqs["duckdb"].specifier.contains("2.0.0") and reqs["duckdb"].specifier.contains("1.4.0")
    assert not reqs["sqlglot"].specifier.contains("28.0.0") and reqs["sqlglot"].specifier.contains("27.0.0")
    assert reqs["ibis-framework"].specifier.contains("12.0.0") and not reqs["ibis-framework"].specifier.contains("13.0")
