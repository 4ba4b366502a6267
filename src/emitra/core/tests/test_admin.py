from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from emitra.core.admin import DomainErrorsAsMessages
from emitra.core.errors import InvalidInput


class RefusingAdmin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        raise InvalidInput("catalog.channels", "Choose at least one known channel.")


class Admin(DomainErrorsAsMessages, RefusingAdmin):
    pass


def test_a_service_refusal_in_the_admin_is_a_message_not_a_server_error():
    request = RequestFactory().post("/admin/catalog/service/add/?_changelist_filters=x")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware
    response = Admin().changeform_view(request)
    assert response.status_code == 302
    assert response["Location"] == "/admin/catalog/service/add/?_changelist_filters=x"
    assert [str(m) for m in get_messages(request)] == ["Choose at least one known channel."]
