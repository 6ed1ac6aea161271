"""The active-content finder used by the hostile suite finds what it must (so its zero means something)."""

from __future__ import annotations

from pathlib import Path

from tests.safety import active_content

MATERIAL_LIKE = """<html><head><title>Team &lt;b&gt; - Site</title>
<script>__md_scope=new URL(".",location)</script><script src="../assets/javascripts/bundle.js"></script></head>
<body><form class="md-search__form" name="search"></form><a href="https://example.com/">x</a>
<a href="../teams/">y</a><a href="mailto:a@example.com">z</a><a href="#top">t</a>
<script>var palette=__md_get("__palette");</script></body></html>"""


def test_a_material_page_with_escaped_text_is_clean(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(MATERIAL_LIKE)
    assert active_content(tmp_path) == {}


def test_every_kind_of_active_content_is_found(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("""<html><head><title>a<b>c</title></head><body>
<img src=x onerror=alert(1)><a href="JaVa&#x09;ScRiPt:alert(2)">x</a><a href=" data:text/html,x">y</a>
<script>alert(3)</script><script src="https://evil.example.com/x.js"></script><iframe src="/"></iframe>
<svg><a xlink:href="vbscript:x">v</a></svg><meta http-equiv="refresh" content="0;url=/"><form action="/x"></form>
</body></html>""")
    (found,) = active_content(tmp_path).values()
    assert found == [
        "<img onerror=...>", "<a href='JaVa\\tScRiPt:alert(2)'>", "<a href=' data:text/html,x'>",
        "<script>'alert(3)'", "<script src='https://evil.example.com/x.js'>", "<iframe>",
        "<a xlink:href='vbscript:x'>", "<meta>", "<form>", "<title> holds markup: 'a<b>c'"]
