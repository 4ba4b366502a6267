from django.contrib import admin

from emitra.notifications.models import SentSms


@admin.register(SentSms)
class SentSmsAdmin(admin.ModelAdmin[SentSms]):
    list_display = ["sent_at", "template", "masked_to", "gateway_id"]
    list_filter = ["template"]
    readonly_fields = ["outbox_message_id", "template", "text", "gateway_id", "sent_at"]
    exclude = ["to"]

    @admin.display(description="to")
    def masked_to(self, obj: SentSms) -> str:
        return str(obj)

    def has_add_permission(self, request: object) -> bool:
        return False
