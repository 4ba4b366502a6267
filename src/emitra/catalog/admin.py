"""Back office for the catalog. Department admins see and change only their department's
services and drafts; published versions and rate cards are read-only (a change is a new
draft, published from a date); the state admin alone edits rate cards and commission rules.
Every save goes through ``services`` so that it is checked and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.catalog import selectors, services
from emitra.catalog.models import (
    Category,
    CommissionRule,
    Department,
    DepartmentStaff,
    DocumentType,
    PublishStatus,
    RateCard,
    RevenueHead,
    Service,
    ServiceDocument,
    ServiceVersion,
    VersionFee,
)
from emitra.core.admin import DomainErrorsAsMessages
from emitra.core.errors import DomainError


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _own_department(request: HttpRequest) -> Department | None:
    user = _user(request)
    return selectors.staff_department(user) if user is not None else None


def _statewide(request: HttpRequest) -> bool:
    user = _user(request)
    return user is not None and user.is_statewide


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["code", "name_en", "name_hi", "kind", "settlement_mode", "is_active"]
    search_fields = ["code", "name_en", "name_hi"]
    list_filter = ["kind", "is_active", "settlement_mode"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        queryset = super().get_queryset(request)
        user = _user(request)
        if user is None:
            return queryset.none()
        return queryset if user.is_statewide else queryset.filter(staff__user=user)


@admin.register(DepartmentStaff)
class DepartmentStaffAdmin(admin.ModelAdmin[DepartmentStaff]):
    list_display = ["user", "department"]
    list_filter = ["department"]
    autocomplete_fields = ["user"]


@admin.register(RevenueHead)
class RevenueHeadAdmin(admin.ModelAdmin[RevenueHead]):
    list_display = ["code", "name_en", "name_hi", "department", "budget_head", "is_active"]
    search_fields = ["code", "name_en", "name_hi"]
    list_filter = ["department"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RevenueHead]:
        queryset = super().get_queryset(request).select_related("department")
        return (
            queryset
            if _statewide(request)
            else queryset.filter(department=_own_department(request))
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or services.may_edit_department(_user(request), obj.department)
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department" and not _statewide(request):
            kwargs["queryset"] = Department.objects.filter(staff__user=_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_en", "name_hi", "sort_order"]
    search_fields = ["code", "name_en", "name_hi"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin[DocumentType]):
    list_display = ["code", "name_en", "name_hi"]
    search_fields = ["code", "name_en", "name_hi"]


class ServiceDocumentInline(admin.TabularInline[ServiceDocument, Service]):
    model = ServiceDocument
    extra = 0
    autocomplete_fields = ["document_type"]


@admin.register(Service)
class ServiceAdmin(DomainErrorsAsMessages, admin.ModelAdmin[Service]):
    list_display = ["code", "name_en", "name_hi", "department", "service_type", "status"]
    list_filter = ["service_type", "status", "category", "department"]
    search_fields = ["code", "name_en", "name_hi"]
    inlines = [ServiceDocumentInline]
    actions = ["new_draft_version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        user = _user(request)
        return selectors.services_editable_by(user) if user else Service.objects.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or services.may_edit_department(_user(request), obj.department)
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department" and not _statewide(request):
            kwargs["queryset"] = Department.objects.filter(staff__user=_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Service, form: ModelForm[Any], change: bool
    ) -> None:
        services.save_service(actor=_user(request), service=obj)

    @admin.action(description=_("Start a new draft version (copy of the one in force)"))
    def new_draft_version(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        for service in queryset:
            try:
                services.create_draft_version(actor=_user(request), service=service)
            except DomainError as error:
                self.message_user(request, f"{service.code}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("Draft created for %(code)s.") % {"code": service.code}
                )


class VersionFeeInline(admin.TabularInline[VersionFee, ServiceVersion]):
    model = VersionFee
    extra = 0
    autocomplete_fields = ["revenue_head"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == PublishStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == PublishStatus.DRAFT

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == PublishStatus.DRAFT


@admin.register(ServiceVersion)
class ServiceVersionAdmin(DomainErrorsAsMessages, admin.ModelAdmin[ServiceVersion]):
    list_display = ["service", "number", "status", "effective_from", "effective_to", "charge_rule"]
    list_filter = ["status", "charge_rule"]
    search_fields = ["service__code", "service__name_en"]
    inlines = [VersionFeeInline]
    actions = ["publish"]
    exclude = ["created_by", "published_by", "published_at", "status", "effective_to"]
    autocomplete_fields = ["collection_head"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceVersion]:
        user = _user(request)
        queryset = super().get_queryset(request).select_related("service__department")
        if user is None:
            return queryset.none()
        return queryset.filter(service__in=selectors.services_editable_by(user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != PublishStatus.DRAFT:
            return [f.name for f in ServiceVersion._meta.fields]
        return ["number"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or services.may_edit_department(_user(request), obj.service.department)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a version explains past transactions; drafts are simply never published

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "service":
            user = _user(request)
            kwargs["queryset"] = (
                selectors.services_editable_by(user) if user else Service.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: ServiceVersion, form: ModelForm[Any], change: bool
    ) -> None:
        if obj.pk is None and not obj.number:
            obj.number = max(obj.service.versions.values_list("number", flat=True), default=0) + 1
        services.save_draft_version(actor=_user(request), version=obj)

    @admin.action(description=_("Publish the selected drafts from their “in force from” date"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ServiceVersion]) -> None:
        for version in queryset:
            try:
                services.publish_version(
                    actor=_user(request), version=version, effective_from=version.effective_from
                )
            except DomainError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s published.") % {"version": version})


@admin.register(RateCard)
class RateCardAdmin(DomainErrorsAsMessages, admin.ModelAdmin[RateCard]):
    list_display = ["effective_from", "effective_to", "status", "g2c_application_charge"]
    exclude = ["created_by", "published_by", "published_at", "status", "effective_to"]
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != PublishStatus.DRAFT:
            return [f.name for f in RateCard._meta.fields]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RateCard, form: ModelForm[Any], change: bool
    ) -> None:
        services.save_rate_card_draft(actor=_user(request), rate_card=obj)

    @admin.action(description=_("Publish the selected drafts from their “in force from” date"))
    def publish(self, request: HttpRequest, queryset: QuerySet[RateCard]) -> None:
        for card in queryset:
            try:
                services.publish_rate_card(
                    actor=_user(request), rate_card=card, effective_from=card.effective_from
                )
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                self.message_user(request, _("Rate card published."))


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin[CommissionRule]):
    list_display = ["code", "name_en", "kiosk_b_bp", "lsp_b_bp", "state_b_bp"]
    search_fields = ["code", "name_en", "name_hi"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CommissionRule, form: ModelForm[Any], change: bool
    ) -> None:
        services.save_commission_rule(actor=_user(request), rule=obj)
