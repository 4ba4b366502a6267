"""Every view says who may call it. `public` is the declaration for views anyone may open.

Role-based declarations live in `emitra.accounts.access`; both set `view.access`, which a test
checks on every URL so a view without a declaration cannot ship.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

V = TypeVar("V", bound=Callable[..., Any])


def public(reason: str) -> Callable[[V], V]:
    """Mark a view as open to anyone, with the reason it must be."""

    def mark(view: V) -> V:
        view.access = {"public": True, "reason": reason}  # type: ignore[attr-defined]
        return view

    return mark
