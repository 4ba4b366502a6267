"""Storing checked documents through Django's storage API (local disk or an S3 bucket)."""

from __future__ import annotations

import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from emitra.accounts.models import User
from emitra.core import audit
from emitra.documents.models import EXTENSIONS, Document
from emitra.documents.validation import CheckedFile


def storage_name(checked: CheckedFile) -> str:
    """A random name: never the citizen's file name, never guessable from another one."""
    today = timezone.localdate()
    return f"documents/{today:%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS[checked.kind]}"


@transaction.atomic
def store_document(
    *, checked: CheckedFile, original_name: str = "", uploaded_by: User | None = None
) -> Document:
    """Save a checked file and its record in the caller's transaction.

    Storage is not transactional: if the caller rolls back, the file stays behind under its
    random name with no row pointing at it, so nobody can reach it (a sweep may remove it)."""
    document = Document(
        kind=checked.kind,
        original_name=(original_name or "")[-200:],
        size=len(checked.data),
        pages=checked.pages,
        sha256=checked.sha256,
        original_sha256=checked.original_sha256,
        uploaded_by=uploaded_by,
    )
    document.file.save(storage_name(checked), ContentFile(checked.data), save=False)
    document.save()
    audit.record(
        actor=uploaded_by,
        action="documents.stored",
        obj=document,
        after={"kind": checked.kind, "size": document.size, "sha256": document.sha256},
    )
    return document


def open_document(document: Document) -> IO[bytes]:
    """The stored bytes, through the storage backend (never a public URL)."""
    return document.file.storage.open(document.file.name, "rb")  # type: ignore[no-any-return]
