"""Schemas every router shares: the error envelope and the page of a list."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    """{"error": {"code": "billpay.not_found", "message": "…translated…"}}"""

    error: ErrorBody


# The refusals any operation may answer with (all in the one envelope).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class Page(Schema, Generic[T]):
    """One page of a list: `items`, the total `count`, and the neighbouring page numbers."""

    items: list[T]
    count: int
    page: int
    page_size: int
    next: int | None = Field(None, description="the next page's number, if any")
    previous: int | None = Field(None, description="the previous page's number, if any")
