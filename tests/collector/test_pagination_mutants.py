"""Cursor pagination of one window (API reference: pass the previous page's ``last_id`` as ``after`` while
``has_more`` is true), with the guards that keep a run from looping: an empty page or a missing ``last_id`` with
``has_more``, and a cursor already used in the window (the last 1,000 remembered). Pure: a scripted fetch."""
from __future__ import annotations

from typing import List, Optional

import pytest

from oai_audit.client import Page, Query
from oai_audit.errors import PaginationError
from oai_audit.pagination import MAX_REMEMBERED_CURSORS, iter_pages


def _page(cursor: Optional[str], more: bool) -> Page:
    return Page(data=[{"id": cursor or "x", "effective_at": 1}], has_more=more, first_id=cursor, last_id=cursor)


class Script:
    def __init__(self, pages: List[Page]) -> None:
        self.pages, self.calls = list(pages), []

    def __call__(self, params):
        self.calls.append(dict(params))
        return self.pages.pop(0)


def test_each_request_carries_the_previous_last_id_and_the_window():
    fetch = Script([_page("c1", True), _page("c2", True), _page("c3", False)])
    got = [p.last_id for p in iter_pages(fetch, Query(), 10, 20)]
    assert got == ["c1", "c2", "c3"]
    assert [c.get("after") for c in fetch.calls] == [None, "c1", "c2"]
    assert all(c["effective_at[gte]"] == "10" and c["effective_at[lte]"] == "20" for c in fetch.calls)


def test_resuming_from_a_saved_cursor_refuses_a_page_that_hands_it_back():
    fetch = Script([_page("saved", True)])
    with pytest.raises(PaginationError, match="repeated cursor 'saved'"):
        list(iter_pages(fetch, Query(), 0, 1, after="saved"))
    assert fetch.calls[0]["after"] == "saved"


def test_a_last_page_may_be_empty_or_lack_ids():
    fetch = Script([Page(data=[], has_more=False, first_id=None, last_id=None)])
    assert [p.data for p in iter_pages(fetch, Query(), 0, 1)] == [[]]


@pytest.mark.parametrize("page,match", [(Page([], True, None, "c9"), "empty page"),
                                        (Page([{"id": "a", "effective_at": 1}], True, "a", None), "without last_id")])
def test_a_page_that_cannot_be_followed_is_refused_before_it_is_written(page, match):
    with pytest.raises(PaginationError, match=match):
        next(iter_pages(Script([page]), Query(), 0, 1))


def test_the_last_1000_cursors_are_remembered():
    n = MAX_REMEMBERED_CURSORS
    assert n == 1000
    cursors = [f"c{i}" for i in range(1, n + 2)]  # c1 .. c1001: c1 is forgotten once c1001 is used
    pages = [_page(c, True) for c in cursors]
    fetch = Script(pages + [_page("c1", True), _page("c3", True)])
    it = iter_pages(fetch, Query(), 0, 1)
    for _ in range(n + 2):  # the 1002nd page hands back c1: forgotten, so followed
        next(it)
    with pytest.raises(PaginationError, match="repeated cursor 'c3'"):
        next(it)  # c3 is still remembered
