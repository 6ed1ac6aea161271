"""The pipeline's layering: each module imports only from the stages before it, and the core never imports MkDocs."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
STAGES = [
    "errors", "periods", "load", "parsecache", "model", "schema", "fields", "editor_schema",  # the format
    "validate", "modelcache",
    "privacy", "alignment", "progress", "health",  # the engine
    "i18n", "render", "reads", "pages", "export", "rerender",  # the site
    "diffscope", "diff", "build", "buildworker",  # the review, and the build that puts it all together
    "publish", "gitread",
    "checkin", "recording", "newperiod", "scaffold", "spreadsheet",  # authoring
    "checkcache", "report", "plugin", "cli",  # the adapters
]
ADAPTERS = {"plugin", "cli", "__main__"}
"""The only modules that may talk to MkDocs, the terminal or the process."""


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "generator":
                names.update(f"generator.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_module_is_a_known_stage() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(STAGES)


def test_modules_import_only_earlier_stages() -> None:
    for position, stage in enumerate(STAGES):
        imported = {name.removeprefix("generator.") for name in _imports(PACKAGE / f"{stage}.py")
                    if name.startswith("generator.")}
        later = imported & set(STAGES[position:])
        assert later == set(), f"{stage} imports {later}"


def test_the_core_never_imports_mkdocs() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.stem in ADAPTERS:
            continue
        assert not any(name.split(".")[0] == "mkdocs" for name in _imports(path)), path.name
