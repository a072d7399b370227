"""Diagnostics: one problem found in the desired state, with where it is.

Modelled on Terraform's tfdiags: problems are collected, never raised one at a
time, so a merchandiser sees every mistake in one run.

    >>> str(Diagnostic("error", "price: -1 is less than the minimum of 0",
    ...                SourceRange("catalog/products.yaml", 42, 7)))
    'catalog/products.yaml:42:7: price: -1 is less than the minimum of 0'
"""

from __future__ import annotations

from dataclasses import dataclass

EXCERPT = 60            # characters of a written value a message quotes at most
MAX_SUMMARY = 400       # characters of one message at most, whatever it quotes


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` cut to ``limit`` characters (with "…"), one line: a message never
    repeats a whole value back, however long the catalog made it."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True, order=True, slots=True)
class SourceRange:
    """A position in a YAML file. ``line`` and ``col`` are 1-based, as editors show them."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: str  # "error" | "warning"
    summary: str
    source: SourceRange | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if len(self.summary) > MAX_SUMMARY:
            object.__setattr__(self, "summary", excerpt(self.summary, MAX_SUMMARY))

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.summary}"

    def sort_key(self) -> tuple:
        s = self.source
        return (s.file, s.line, s.col) if s else ("", 0, 0)
