"""API v1 plumbing shared by every router: bearer tokens, access, idempotency, pagination."""
