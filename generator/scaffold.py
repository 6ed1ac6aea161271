"""``okr init``: the files of a new, working OKR repository (nothing is written here)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jinja2

from generator.editor_schema import KINDS, json_schema
from generator.periods import periods_of

TEMPLATES = Path(__file__).parent / "templates" / "init"
INSTALL_HERE = "python -m pip install ."
"""How this repository's own workflow installs okr; a company repository installs the package."""


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def scaffold(name: str, team_id: str, team_name: str, language: str, today: dt.date,
             install: str = "okr-site") -> dict[str, bytes]:
    """Path -> content of a new repository whose ``okr check`` and ``mkdocs build --strict`` pass at once."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)  # YAML and Markdown; values are quoted
    env.filters["yaml"] = _yaml_string
    quarter = periods_of(today, 1)[0]
    values = {"name": name, "team_name": team_name, "company_id": "company", "language": language,
              "today": today.isoformat()}
    rendered = {
        "okrs/team.yaml": "team.yaml.j2",
        f"okrs/{team_id}/team.yaml": "first_team.yaml.j2",
        f"okrs/{quarter}.yaml": "period.yaml.j2",
        f"okrs/{team_id}/{quarter}.yaml": "team_period.yaml.j2",
        "mkdocs.yml": "mkdocs.yml.j2",
        "docs/about.md": "about.md.j2",
        "README.md": "README.md.j2",
        ".vscode/settings.json": "vscode-settings.json.j2",
    }
    files = {path: env.get_template(template).render(**values).encode("utf-8") for path, template in rendered.items()}
    for workflow in ("okrs.yml", "okrs-comment.yml"):
        text = (TEMPLATES / workflow).read_text(encoding="utf-8")
        text = text.replace(INSTALL_HERE, f"python -m pip install {install}")
        files[f".github/workflows/{workflow}"] = text.encode("utf-8")
    for kind in KINDS:
        files[f"docs/schema/{kind}.schema.json"] = (json.dumps(json_schema(kind), ensure_ascii=False, indent=2)
                                                    + "\n").encode("utf-8")
    files[".gitignore"] = b"site/\n.venv/\n.okrs-build-*/\n"
    return files
