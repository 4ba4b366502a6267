from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from emitra.core.errors import InvalidInput
from emitra.core.money import parse_rupees

PO = Path(settings.LOCALE_PATHS[0]) / "hi" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_hindi_translation_and_none_is_fuzzy():
    with PO.open("rb") as po_file:
        catalog = read_po(po_file)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
        )
    ]
    assert missing == []


@pytest.mark.django_db
def test_pages_read_in_hindi_by_default_and_english_on_request(client):
    hindi = client.get("/").content.decode()
    assert "लॉगिन करें" in hindi
    client.cookies["emitra_lang"] = "en"
    english = client.get("/").content.decode()
    assert "Log in" in english and "लॉगिन करें" not in english


@pytest.mark.django_db
def test_error_pages_are_translated(client, client_as):
    assert "पेज नहीं मिला" in client.get("/no-such-page/").content.decode()
    refused = client.post("/accounts/language/", {"language": "xx"})
    assert refused.status_code == 400 and "गलत अनुरोध" in refused.content.decode()
    forbidden = client_as("citizen").get("/departments/")
    assert forbidden.status_code == 403 and "अनुमति नहीं" in forbidden.content.decode()


def test_the_server_error_page_is_translated():
    from emitra.views import server_error

    with translation.override("hi"):
        response = server_error(None)  # type: ignore[arg-type]
    assert response.status_code == 500 and "कुछ गड़बड़" in response.content.decode()


def test_service_errors_carry_a_hindi_message():
    with translation.override("hi"), pytest.raises(InvalidInput) as caught:
        parse_rupees("abc")
    assert any("\u0900" <= ch <= "\u097f" for ch in str(caught.value.message))
