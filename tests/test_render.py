"""The site's template environment: every printed value escaped exactly once, whatever its type."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from generator.render import markdown_text, site_environment

HOSTILE = ["<script>alert(1)</script>", "a & b", '"quoted" \'single\'', "**bold** [link](x) `code`", "{{ 7*7 }}",
           "x: y", "| cell |", "plain words", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_is_escaped_for_markdown_and_html_once(text: str) -> None:
    env = site_environment()
    assert env.from_string("{{ value }}").render(value=text) == markdown_text(text)
    assert "<" not in env.from_string("{{ value }}").render(value=text)


@pytest.mark.parametrize(("value", "printed"), [
    (None, ""), (3, "3"), (-2.5, "-2.5"), (True, "True"), (Markup("<b>kept</b>"), "<b>kept</b>"),
    (float("inf"), "inf"),
])
def test_other_values_print_as_jinja_would(value: object, printed: str) -> None:
    env = site_environment()
    assert env.from_string("{{ value }}").render(value=value) == printed


def test_macro_output_and_set_blocks_are_not_escaped_twice() -> None:
    env = site_environment()
    template = env.from_string("{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}"
                               "{% set block %}<u>{{ value }}</u>{% endset %}{{ m(value) }}{{ block }}")
    assert template.render(value="a<b") == "<i>a&lt;b</i><u>a&lt;b</u>"


def test_where_escaping_is_switched_off_strings_are_still_escaped_by_finalize() -> None:
    """Where Jinja's own code runs (``str(finalize(value))``), text from YAML cannot get out either."""
    env = site_environment()
    for source in ("{% autoescape false %}{{ value }}{% endautoescape %}",
                   "{% autoescape true %}{{ value }}{% endautoescape %}"):
        assert env.from_string(source).render(value="a<b *c*") == "a&lt;b \\*c\\*"


def test_a_value_of_another_type_is_refused() -> None:
    with pytest.raises(jinja2.TemplateRuntimeError, match="not list: format it with a filter"):
        site_environment().from_string("{{ value }}").render(value=[1, 2])


def test_values_are_printed_through_finalize_alone() -> None:
    """The speed of a large site: Jinja's second escape of what finalize returned is not compiled in."""
    env = site_environment()
    source = env.compile("{{ value }}", raw=True)
    assert "environment.finalize(" in source
    assert "escape(environment.finalize(" not in source


def test_a_missing_value_is_named() -> None:
    with pytest.raises(jinja2.UndefinedError, match="'no_such_value' is undefined"):
        site_environment().from_string("{{ no_such_value }}").render()


def test_a_template_edited_during_a_build_is_not_half_applied(tmp_path: Path) -> None:
    """Pages rendered after the edit would differ from those before it; the next build sees it."""
    (tmp_path / "person.md.j2").write_text("before\n", encoding="utf-8")
    env = site_environment(tmp_path)
    assert env.get_template("person.md.j2").render() == "before\n"
    (tmp_path / "person.md.j2").write_text("after\n", encoding="utf-8")
    os.utime(tmp_path / "person.md.j2", (2_000_000_000, 2_000_000_000))
    assert env.get_template("person.md.j2").render() == "before\n"
    assert site_environment(tmp_path).get_template("person.md.j2").render() == "after\n"
