from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


@checks.register()
def scheme_rules_load(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A scheme file naming an unknown field or operator stops the start, not a citizen."""
    from emitra.registry import eligibility

    try:
        eligibility.load_schemes()
    except eligibility.RuleError as exc:
        return [checks.Error(str(exc.message), id="registry.E001")]
    return []


class RegistryConfig(AppConfig):
    name = "emitra.registry"
    label = "registry"
    verbose_name = _("Family registry (Jan Aadhaar)")
