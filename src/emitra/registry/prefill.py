"""Plugging Jan Aadhaar prefill into an application form (for the applications app).

The flow: the form shows ``{% include "registry/_fill_from_jan_aadhaar.html" %}``, whose link
sends the operator to the consent page with ``next=<the form's URL>``; after the family's OTP
the operator comes back to ``<next>?jan_aadhaar_grant=<token>&member=<member id>``. The form
view then calls ``initial_for(request)`` for its initial values (every call is an access the
family sees). A page that prefers JavaScript can fetch the JSON endpoint
``/registry/grants/<token>/prefill/?format=json&member=<id>`` instead (``registry/prefill.js``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from emitra.accounts.models import User
from emitra.core.errors import DomainError
from emitra.registry import selectors, services

GRANT_PARAM = "jan_aadhaar_grant"
MEMBER_PARAM = "member"


def initial_for(request: HttpRequest) -> dict[str, Any]:
    """Form values from the consent grant named in the query string, or {} if there is none,
    it is not this user's, or it has expired (the form then starts empty)."""
    token = request.GET.get(GRANT_PARAM, "")
    user = request.user
    if not token or not isinstance(user, User):
        return {}
    try:
        grant = services.live_grant(requester=user, token=token)
        return selectors.prefill_for(grant, member_id=request.GET.get(MEMBER_PARAM) or None)
    except DomainError:
        return {}
