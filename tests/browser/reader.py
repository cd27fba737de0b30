"""A browser tab as a reader has it, recording everything that should never happen:
console errors, uncaught exceptions, dialogs, requests that leave the page, and calls of
`pwned()`, the function every hostile payload in the test books calls if it ever runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

_TRAP = "window.__pwned = []; window.pwned = (what) => window.__pwned.push(String(what));"


@dataclass
class Reader:
    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, book: Path, fragment: str = "") -> Reader:
        self.page.goto(book.as_uri() + fragment)
        self.page.wait_for_load_state("load")
        return self

    def pwned(self) -> list[str]:
        return self.page.evaluate("window.__pwned")

    def trouble(self) -> list[str]:
        """Everything a clean book must not cause, empty when all is well."""
        return [*self.errors, *(f"dialog: {d}" for d in self.dialogs), *(f"pwned: {p}" for p in self.pwned())]

    def visible_sections(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "main section.chapter", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)"
        )


def new_reader(browser: Any, viewport: dict[str, int] = DESKTOP) -> Reader:
    page = browser.new_page(viewport=viewport)
    reader = Reader(page)
    page.add_init_script(_TRAP)
    page.on("console", lambda m: m.type == "error" and reader.errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: reader.errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (reader.dialogs.append(d.message), d.dismiss()))
    page.on("popup", lambda p: reader.errors.append(f"popup: {p.url}"))
    page.on(
        "request",
        lambda r: r.url.startswith(("file:", "data:")) or reader.errors.append(f"request: {r.url}"),
    )
    return reader
