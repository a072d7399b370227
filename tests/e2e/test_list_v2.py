"""``StoreClient.list_v2`` (v2 collections: bare arrays, no pagination meta): the first page,
and ``/count`` and the other pages only when that page is full; every row either way."""

from __future__ import annotations

import pytest

GROUPS = "/v2/customer_groups"


def _reads(sandbox, start: int) -> list[str]:
    return [r["path"] for r in sandbox.requests()[start:] if r["method"] == "GET"]


@pytest.mark.parametrize("page_size, reads", [
    (10, [GROUPS]),                                   # fewer than a page: no /count
    (5, [GROUPS, GROUPS + "/count"]),                # a full page: /count says it was all
    (2, [GROUPS, GROUPS + "/count", GROUPS, GROUPS]),  # three pages
])
def test_list_v2_reads_every_row_and_counts_only_a_full_page(sandbox, client, page_size, reads):
    sandbox.reset()
    for i in range(5):
        client.post(GROUPS, {"name": f"Group {i}"})
    start = len(sandbox.requests())
    rows = client.list_v2(GROUPS, page_size=page_size)
    assert sorted(r["name"] for r in rows) == [f"Group {i}" for i in range(5)]
    assert sorted(_reads(sandbox, start)) == sorted(reads)
