"""How long a built site's search takes to answer for the first time, in headless Chromium:
``python -m benchmarks.search_ready SITE [SITE ...] [--word metric] [--chromium /usr/bin/chromium]``.

Material's search loads the whole index into the reader's browser and indexes it there on first use:
this is the wait of someone who opens the site and searches at once. It is what decides how much the
index may hold (``docs/site.md``, "Search"). The site is served from a local HTTP server, and nothing
outside it is fetched.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
PATIENCE_MS = 600_000
"""A large index takes minutes on a slow machine; longer than this, it is not usable anyway."""


@dataclass(frozen=True)
class FirstSearch:
    seconds: float
    """From typing the word on the loaded home page to the first result shown."""
    first_result: str
    index_bytes: int


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def first_search(site: Path, word: str, chromium: str, patience_ms: int = PATIENCE_MS) -> FirstSearch:
    from playwright.sync_api import sync_playwright  # a development dependency, as the browser test's

    with served(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
            page.goto(url)
            page.wait_for_load_state("load")
            started = time.monotonic()
            # typed, not filled: Material searches on a key's release (or when its index is ready)
            page.type("input.md-search__input", word, delay=20)
            page.wait_for_selector(".md-search-result__item", timeout=patience_ms)
            seconds = time.monotonic() - started
            first = page.inner_text(".md-search-result__item")
        finally:
            browser.close()
    return FirstSearch(seconds, first, (site / "search" / "search_index.json").stat().st_size)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_ready", description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    parser.add_argument("--word", default="metric", help="what to search for (default: metric)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    arguments = parser.parse_args(argv)
    for site in arguments.sites:
        found = first_search(site, arguments.word, arguments.chromium)
        print(f"{site}: index {found.index_bytes / 2**20:.1f} MiB, first answer after {found.seconds:.1f} s",
              flush=True)


if __name__ == "__main__":
    main()
