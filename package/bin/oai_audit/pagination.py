"""Follow the cursor pages of one list (an audit-log time window, an inventory list), refusing anything that
could loop forever."""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterator, Optional

from .client import Page, Query, QueryParams
from .errors import PaginationError

MAX_REMEMBERED_CURSORS = 1000


def iter_pages(fetch: Callable[[QueryParams], Page], query: Query, gte: Optional[int], lte: Optional[int],
               after: Optional[str] = None) -> Iterator[Page]:
    """Yield the audit-log pages of [gte, lte] from cursor ``after`` on (see follow_cursor)."""
    return follow_cursor(lambda cursor: fetch(query.params(gte, lte, cursor)), after)


def follow_cursor(fetch_after: Callable[[Optional[str]], Page], after: Optional[str] = None) -> Iterator[Page]:
    """Yield the pages of one list from cursor ``after`` on (``after`` = ``last_id`` while ``has_more``), for any
    Admin API list endpoint; ``fetch_after(cursor)`` requests one page.

    A page is checked before it is yielded, so an anomalous page is never written: ``has_more`` with
    no ``last_id``, an empty page with ``has_more``, or a cursor already used in this list raise
    PaginationError.
    """
    used: "OrderedDict[str, None]" = OrderedDict()
    if after:
        used[after] = None
    while True:
        page = fetch_after(after)
        if page.has_more:
            if not page.data:
                raise PaginationError(f"empty page with has_more=true (after={after!r}); stopping")
            if not page.last_id:
                raise PaginationError(f"has_more=true without last_id (after={after!r}); stopping")
            if page.last_id in used:
                raise PaginationError(f"repeated cursor {page.last_id!r} (after={after!r}); stopping")
        yield page
        if not page.has_more:
            return
        after = page.last_id
        used[after] = None
        if len(used) > MAX_REMEMBERED_CURSORS:
            used.popitem(last=False)
