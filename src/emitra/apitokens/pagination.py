"""One way to page every list: `?page=1&page_size=20` (at most 100) → Page[T].

A page past the end is empty (with the true `count`), not an error: a list can shrink
between two requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from emitra.apitokens.schemas import Page

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1 is the first page")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def paginate(
    rows: QuerySet[Any] | Sequence[Any], params: PageParams, to_item: Callable[[Any], T]
) -> Page[T]:
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (params.page - 1) * params.page_size
    chunk = list(rows[start : start + params.page_size]) if start < count else []
    return Page(
        items=[to_item(row) for row in chunk],
        count=count,
        page=params.page,
        page_size=params.page_size,
        next=params.page + 1 if start + params.page_size < count else None,
        previous=params.page - 1 if params.page > 1 else None,
    )
