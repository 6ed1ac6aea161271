"""The MkDocs adapter: the ``okrs`` plugin runs the generator inside ``mkdocs build`` and ``mkdocs serve``.

Generated pages are handed to MkDocs in memory (nothing generated is committed, and a removed team
leaves no stale page). This is the only module that imports MkDocs.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import click
import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from generator.build import STYLESHEET, Generated, RenderError, SiteFile, generate, told
from generator.buildworker import GenerationError, GenerationWorker, PageUnavailableError, started
from generator.i18n import language
from generator.load import read_tree
from generator.modelcache import ModelCache
from generator.pages import HOME_PATHS, PlannedPage, SiteOptions
from generator.parsecache import ParseCache, default_folder
from generator.periods import resolve_as_of
from generator.privacy import UnknownTeamError
from generator.rerender import Remembered
from generator.validate import Validation

log = logging.getLogger("mkdocs.plugins.okrs")
REQUIRED_EXTENSIONS = ("attr_list", "tables", "admonition", "pymdownx.details", "toc", "md_in_html")

_checked_before_build: dict[Path, Validation | GenerationWorker] = {}
"""Trees ``okr build`` validated just before it started MkDocs (here, or in the worker that makes the
pages), by source folder: read once, not twice."""
_validated: dict[Path | None, ModelCache] = {}
"""Validated period files by cache folder, kept for the life of the process: each rebuild of
``mkdocs serve`` validates only the files edited since the one before."""


def build_site(config_file: Path, site_dir: Path, source: Path, checked: Validation | GenerationWorker) -> bool:
    """``mkdocs build --strict`` in this process (its own command line, so its logging and strict
    mode are MkDocs' own), the plugin taking ``checked`` instead of reading ``source`` again."""
    from mkdocs.__main__ import cli

    _checked_before_build[source.resolve()] = checked
    del checked  # the plugin holds the only reference, and lets go of the model once the pages no longer need it
    try:
        cli.main(["build", "--strict", "--config-file", str(config_file), "--site-dir", str(site_dir)],
                 prog_name="mkdocs", standalone_mode=False)
    except click.ClickException as exc:  # MkDocs' Abort, ConfigurationError and BuildError
        exc.show()
        return False
    finally:
        left = _checked_before_build.pop(source.resolve(), None)
        if isinstance(left, GenerationWorker):  # MkDocs stopped before it asked for the pages
            left.close()
    return True


_built: dict[str, dict[str, bytes]] = {}
"""A digest of every page this process built into a site folder, by path: ``mkdocs serve --dirty``
builds again only the pages that differ from the last build that succeeded."""


_remembered: dict[str, Remembered] = {}
"""``mkdocs serve``: the last successful build into each site folder, with what each page read, so that
the next build renders only the pages an edit can have changed."""


class _GeneratedPage(File):
    """A generated page whose Markdown is rendered when MkDocs first reads it (by then, usually, the
    rendering worker has it ready): MkDocs reads a file's content through ``_content``."""

    unchanged = False
    """Generated with the same Markdown as this process's build before into the same site folder."""
    _render: Callable[[], str] | None = None
    _markdown: str | bytes | None = None

    @classmethod
    def of(cls, config: MkDocsConfig, page: PlannedPage, built_before: dict[str, bytes] | None,
           building: dict[str, bytes] | None) -> _GeneratedPage:
        file = cls.generated(config, page.path, content="")
        assert isinstance(file, cls)
        # MkDocs' own rules first (exclude_docs, draft_docs, not_in_nav). A page they leave in is reached
        # from the index pages, not the nav (one nav entry a team would make the build quadratic): MkDocs
        # would otherwise list every generated page as left out of the nav, on every build.
        set_exclusions([file], config)
        if file.inclusion is InclusionLevel.INCLUDED:
            file.inclusion = InclusionLevel.NOT_IN_NAV
        file._markdown, file._render = None, page.render
        if built_before is not None and building is not None:
            # a dirty build: which pages changed is known only once they are rendered
            digest = hashlib.blake2b(file.content_bytes, digest_size=16).digest()
            file.unchanged = built_before.get(page.path) == digest
            building[page.path] = digest
        return file

    @property  # MkDocs' plain attribute, read lazily here
    def _content(self) -> str | bytes | None:
        if self._markdown is None and self._render is not None:
            try:
                self._markdown = self._render()
            except PageUnavailableError as exc:
                raise PluginError(f"okrs: {exc}") from None
            except RenderError as exc:
                raise PluginError(f"okrs: a page template failed: {exc}") from None
        return self._markdown

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._markdown = value

    def release(self) -> None:
        """Forget the Markdown once MkDocs has read it: a site's sources are not held to the end."""
        self._markdown, self._render = None, None

    def is_modified(self) -> bool:
        """MkDocs counts every page made in memory as changed; ``--dirty`` skips those this is false for."""
        return not (self.unchanged and Path(self.abs_dest_path).is_file())


class _GeneratedFile(File):
    """A generated file other than a page (``okrs.json``), written in pieces where MkDocs would write
    its content, and made whole only for a plugin that reads it."""

    _pieces: Callable[[], Iterable[bytes]]

    @classmethod
    def of(cls, config: MkDocsConfig, site_file: SiteFile) -> _GeneratedFile:
        file = cls.generated(config, site_file.path, content=b"")
        assert isinstance(file, cls)
        file._pieces = site_file.pieces
        return file

    @property  # MkDocs' plain attribute, read lazily here
    def _content(self) -> bytes:
        return b"".join(self._pieces())

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        content = value.encode("utf-8") if isinstance(value, str) else value
        self._pieces = (lambda: ()) if content is None else (lambda: (content,))

    def is_modified(self) -> bool:
        """Always written (MkDocs' own test would make the whole file just to see that it has content)."""
        return True

    def copy_file(self, dirty: bool = False) -> None:
        destination = Path(self.abs_dest_path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with destination.open("wb") as output:
            output.writelines(self._pieces())


class OkrsConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs is untyped here
    source = c.Type(str, default="okrs")
    include_private = c.Type(bool, default=False)
    as_of = c.Optional(c.Type(str))
    templates_dir = c.Optional(c.Type(str))
    search_past_periods = c.Type(bool, default=True)
    """Off: team pages of ended periods are left out of search (see ``SiteOptions``)."""
    teams = c.Type(str, default="")
    """Comma-separated team ids: a preview of only those teams (with their sub-teams and the teams above)."""


class OkrsPlugin(BasePlugin[OkrsConfig]):  # type: ignore[no-untyped-call]
    dirty = False
    serving = False
    generated: Generated | None = None
    """The pages of the build under way, rendered as MkDocs reads them."""
    building: dict[str, bytes] | None = None
    """A dirty build's page digests, kept for the next one once this one has succeeded."""
    site_dir = ""
    """The resolved site folder of the build under way: what ``_built`` is keyed by."""
    _held: dict[str, tuple[int, int]]
    """Where each rendered page's HTML is in ``_aside``, from when MkDocs renders it to when it writes the page."""
    _aside: IO[bytes] | None = None
    """The generated pages' HTML, compressed, between MkDocs' two passes: on disk beside the site, for
    it is 0.4 GiB at 10,000 teams and four quarters."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty = dirty  # only a dirty build skips pages: the others need no digests
        self.serving = command == "serve"  # builds again in this process: worth remembering what each page read

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._held = {}
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.source = (root / self.config.source).resolve()
        self.templates_dir = (root / self.config.templates_dir).resolve() if self.config.templates_dir else None
        try:
            self.as_of = resolve_as_of(self.config.as_of, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
        except ValueError as exc:
            raise PluginError(f"okrs: {exc}") from None
        for extension in REQUIRED_EXTENSIONS:  # the generated Markdown relies on these
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Reading, computing and (in a dirty build) rendering make millions of short-lived objects while
        # the model, which has no cycles, is alive: every full collection would walk it again.
        gc.disable()
        try:
            return self._generated_files(files, config)
        finally:
            gc.enable()

    def _generated_files(self, files: Files, config: MkDocsConfig) -> Files:
        theme_language = config.theme.get("language") or "en"
        cache = default_folder()
        self.site_dir = str(Path(config.site_dir).resolve())
        teams = [t.strip() for t in self.config.teams.split(",") if t.strip()]
        options = SiteOptions(theme_language, self.templates_dir, self.config.search_past_periods)
        handed = _checked_before_build.pop(self.source, None)
        worker = handed if isinstance(handed, GenerationWorker) else None
        if handed is None and not self.serving:  # serve builds again in this process, keeping what each page read
            worker = started(read_tree(self.source, self.config.source), cache, Path(self.site_dir).parent)
        try:
            if worker is not None:
                generated = worker.generate(as_of=self.as_of, include_private=self.config.include_private,
                                            options=options, teams=teams)
            else:
                generated = generate(self.source, self.config.source, as_of=self.as_of,
                                     include_private=self.config.include_private, options=options, teams=teams,
                                     validation=handed if isinstance(handed, Validation) else None,
                                     cache=ParseCache(cache), reuse=self._model_cache(cache),
                                     remember=self.serving, before=_remembered.get(self.site_dir))
        except GenerationError as exc:
            raise PluginError(f"okrs: {exc}") from None
        except (UnknownTeamError, jinja2.TemplateError) as exc:
            raise PluginError(f"okrs: {told(exc)}") from None
        _report(generated)
        self.generated = generated
        if generated.rerendering is not None and generated.rerendering.kept:
            log.info(f"okrs: {generated.rerendering.kept} of {len(generated.pages)} pages unchanged by the edit")
        docs_dir = Path(config.docs_dir).resolve()
        docs_root = Path(config.docs_dir)
        linked = [f.src_uri for f in files if f.abs_src_path and f.src_dir and Path(f.src_dir) == docs_root
                  and _leaves(Path(f.abs_src_path), docs_root)]
        if linked:  # MkDocs follows symbolic links, and would publish whatever they point at
            raise PluginError(f"okrs: {', '.join(sorted(linked))} in the docs folder are symbolic links or lead "
                              "outside it; they would be published: replace them with real files")
        clashes = [page.path for page in generated.pages if files.get_file_from_path(page.path) is not None]
        if clashes:
            shown = os.path.relpath(docs_dir, Path(config.config_file_path or ".").parent.resolve())
            raise PluginError(f"okrs: {', '.join(sorted(clashes))} in {shown} would replace generated "
                              "pages: rename them (the home page is generated; hand-written pages go beside it)")
        built_before = _built.get(self.site_dir, {}) if self.dirty else None
        self.building = {} if self.dirty else None
        for page in generated.pages:
            file = _GeneratedPage.of(config, page, built_before, self.building)
            file.edit_uri = os.path.relpath(self.source / page.source, docs_dir) if page.source else None
            files.append(file)
        for site_file in generated.files:
            files.append(_GeneratedFile.of(config, site_file))
        if config.nav is None:
            config.nav = _default_nav(generated, files, theme_language)
        # The model stays alive through MkDocs' build, which makes millions of short-lived objects:
        # the collector leaves it alone from now on.
        gc.freeze()
        return files

    # MkDocs renders every page's Markdown before it writes the first one, so a large site held each
    # page's source and HTML at once (1.5 GiB at 5,000 teams with no plugin at all). Between the two
    # passes a generated page's HTML is kept compressed on disk, and neither is kept once the page is written.
    # Hand-written pages are left alone: a tags listing, say, is written into the HTML between the passes.

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not isinstance(page.file, _GeneratedPage):
            return html
        page.markdown = ""  # rendered; only whether it is None is read again (for the title)
        page.file.release()
        if self._aside is None:
            beside = Path(self.site_dir).parent
            self._aside = tempfile.TemporaryFile(  # noqa: SIM115  closed when the build ends
                prefix=".okrs-pages-", dir=beside if beside.is_dir() else None)
        compressed = zlib.compress(html.encode("utf-8", "surrogatepass"), 1)
        self._held[page.file.src_uri] = (self._aside.tell(), len(compressed))
        self._aside.write(compressed)
        return ""

    @event_priority(100)  # before the search plugin indexes the page
    def on_page_context(self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        held = self._held.pop(page.file.src_uri, None)
        if held is not None and self._aside is not None:
            offset, length = held
            self._aside.flush()  # written in the first pass, read in the second
            compressed = os.pread(self._aside.fileno(), length, offset)
            page.content = zlib.decompress(compressed).decode("utf-8", "surrogatepass")
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if isinstance(page.file, _GeneratedPage):
            page.content = None
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        gc.unfreeze()  # mkdocs serve builds again in this process: let what this build left go
        if self.building is not None:  # only now are the pages of this build all in the site folder
            _built[self.site_dir] = self.building
        if self.generated is not None and self.generated.rerendering is not None:
            _remembered[self.site_dir] = self.generated.rerendering.remembered()
        self._finished()

    def on_build_error(self, error: Exception) -> None:
        gc.unfreeze()
        if self.building is not None:  # some pages may be written and others not: the next build does all
            _built.pop(self.site_dir, None)
        self._finished()

    def _model_cache(self, folder: Path | None) -> ModelCache:
        """``mkdocs serve`` keeps the validated files for the next build. A single build does not: they
        are the model, which this process lets go of while MkDocs builds (the worker has its own)."""
        return _validated.setdefault(folder, ModelCache(folder)) if self.serving else ModelCache(folder)

    def _finished(self) -> None:
        self.building = None
        self._held = {}
        if self._aside is not None:
            self._aside.close()
            self._aside = None
        if self.generated is not None:
            self.generated.close()
            self.generated = None

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.source))
        if self.templates_dir is not None:
            server.watch(str(self.templates_dir))
        return server


def _leaves(path: Path, docs_root: Path) -> bool:
    """True when a docs file is a symbolic link, sits under one, or resolves outside the docs folder."""
    relative = path.relative_to(docs_root)
    steps = [docs_root.joinpath(*relative.parts[:n]) for n in range(1, len(relative.parts) + 1)]
    return any(step.is_symlink() for step in steps) or not path.resolve().is_relative_to(docs_root.resolve())


def _report(generated: Generated) -> None:
    for problem in generated.problems:
        if problem.severity.value == "error":
            log.error(str(problem))
        else:
            log.info(str(problem))  # warnings do not fail a strict build; `okr check --strict` makes them
    if generated.failed:
        count = sum(p.severity.value == "error" for p in generated.problems)
        raise PluginError(f"okrs: {count} error(s) in the OKR files; nothing was built. Run `okr check` "
                          "to see them again.")


def _default_nav(generated: Generated, files: Files, theme_language: str) -> list[Any]:
    """Generated sections first (never one entry per team: that would make every page carry every
    link), then the hand-written pages."""
    t = language(theme_language)
    nav: list[Any] = [{t(key): path} for key, path in HOME_PATHS
                      if any(page.path == path for page in generated.pages)]
    generated_paths = {page.path for page in generated.pages}
    nav += [file.src_uri for file in files.documentation_pages() if file.src_uri not in generated_paths]
    return nav
