"""Compatibility name for the GitHub double: it is tests/ci/github_double.py now (one double for
the suite, checked against GitHub's REST description). Kept so tests written against the old
module keep working; new tests import tests.ci.github_double."""

from tests.ci.github_double import GitHubDouble, Seen, _json  # noqa: F401
