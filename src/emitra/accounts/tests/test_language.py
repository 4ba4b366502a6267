"""Hindi first: the saved choice, then the cookie, then Hindi — never the browser's header."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from emitra.accounts.roles import Role

SWITCH = "/accounts/language/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def page_language(response) -> str:
    body = str(response.content.decode())
    start = body.index("<html lang=") + len('<html lang="')
    return body[start : body.index('"', start)]


@pytest.mark.django_db
def test_home_page_is_hindi_even_for_an_english_browser(client):
    response = client.get("/", headers={"Accept-Language": "en-IN,en;q=0.9"})

    assert response.status_code == 200
    assert page_language(response) == "hi"
    assert response["Content-Language"] == "hi"


@pytest.mark.django_db
def test_choosing_english_sets_the_cookie_and_the_next_page_is_english(client):
    response = client.post(SWITCH, {"language": "en", "next": "/geo/"})

    assert response.status_code == 302
    assert response["Location"] == "/geo/"
    assert response.cookies[COOKIE].value == "en"
    following = client.get("/")
    assert page_language(following) == "en"
    assert following["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_signed_in_users_choice_is_saved_and_follows_them_without_the_cookie(client_as):
    client = client_as(Role.OPERATOR)

    client.post(SWITCH, {"language": "en"})

    client.user.refresh_from_db()
    assert client.user.preferred_language == "en"
    elsewhere = Client()  # another PC: no language cookie
    elsewhere.force_login(client.user)
    response = elsewhere.get("/")
    assert COOKIE not in elsewhere.cookies
    assert page_language(response) == "en"


@pytest.mark.django_db
def test_the_saved_choice_wins_over_the_cookie(client_as):
    client = client_as(Role.OPERATOR, preferred_language="hi")
    client.cookies[COOKIE] = "en"

    assert page_language(client.get("/")) == "hi"


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_nothing_is_saved(client_as):
    client = client_as(Role.OPERATOR)

    response = client.post(SWITCH, {"language": "xx"})

    assert response.status_code == 400
    assert COOKIE not in response.cookies
    client.user.refresh_from_db()
    assert client.user.preferred_language == ""
    assert page_language(client.get("/")) == "hi"


@pytest.mark.django_db
def test_switching_language_never_redirects_off_site(client):
    response = client.post(SWITCH, {"language": "en", "next": "https://evil.example/phish"})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_switching_language_is_post_only(client):
    assert client.get(SWITCH, {"language": "en"}).status_code == 405


@pytest.mark.django_db
def test_the_menu_leads_to_services_and_districts_for_everyone(client):
    page = client.get("/").content.decode()
    assert 'href="/services/"' in page and 'href="/geo/"' in page
