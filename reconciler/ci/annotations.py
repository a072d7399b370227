"""Diagnostics as GitHub workflow commands: ``::error file=F,line=L,col=C::message``.

GitHub shows each one as an annotation on that line of the PR's diff. Escaping per
GitHub's toolkit (``@actions/core`` command.ts): in the message ``%``, CR and LF; in a
property value also ``:`` and ``,``.

    >>> workflow_command(Diagnostic("error", "price: 50% off, no", SourceRange("a.yaml", 3, 7)))
    '::error file=a.yaml,line=3,col=7::price: 50%25 off, no'
"""

from __future__ import annotations


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(diagnostic) -> str:
    level = "warning" if diagnostic.severity == "warning" else "error"
    s = diagnostic.source
    props = f" file={escape_property(s.file)},line={s.line},col={s.col}" if s else ""
    message = diagnostic.summary + (f"\n{diagnostic.detail}" if diagnostic.detail else "")
    return f"::{level}{props}::{escape_data(message)}"


def annotations(diagnostics) -> str:
    """One workflow command a line, in the diagnostics' order."""
    return "".join(workflow_command(d) + "\n" for d in diagnostics)
