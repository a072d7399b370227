"""Machine-readable view of a Plan: the plan file itself.

The output is exactly ``Plan.to_json()`` (``"format_version": "2"``), documented
by schemas/plan.schema.json, so ``catalog plan --format json > plan.json`` gives a
file that ``apply --plan plan.json`` and ``Plan.from_json`` read back unchanged.

    >>> Plan.from_json(render_json(plan)).to_dict() == plan.to_dict()
    True
"""

from __future__ import annotations

from reconciler.plan.model import Plan


def render_json(plan: Plan) -> str:
    """The plan as JSON, ending with a newline. Decimals are ``{"$decimal": "12.50"}``."""
    return plan.to_json()
