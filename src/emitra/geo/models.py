"""Rajasthan's administrative units, loaded from the LGD snapshots in ``geo/data/``.

These are master data: written only by ``services.load_geography`` (and read everywhere else).
Every unit below the district is keyed by its LGD code so a refresh from lgdirectory.gov.in can
update rows in place. The LGD lists predate the 2023 districts, so blocks, tehsils, GPs and
urban bodies all hang off the 33 older districts (see ``data/SOURCES.md``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _hindi_active() -> bool:
    return (get_language() or "").split("-")[0] == "hi"


class DistrictStatus(models.TextChoices):
    PRE_2023 = "pre_2023", _("District before 2023")
    NEW_2023_RETAINED = "new_2023_retained", _("Created in 2023, retained in 2024")


class District(models.Model):
    """One of the 41 districts in force since 28 Dec 2024; citizens and kiosks belong to one."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_hi = models.CharField(_("name (Hindi)"), max_length=60)
    name_hi_variant = models.CharField(
        _("other Hindi spelling"),
        max_length=60,
        blank=True,
        help_text=_("A spelling also in common use, so searches find it."),
    )
    lgd_code = models.PositiveIntegerField(
        _("LGD district code"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Empty for the districts created in 2023: no trustworthy LGD code yet."),
    )
    census2011_code = models.PositiveIntegerField(_("Census 2011 code"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DistrictStatus.choices)
    carved_from = models.ForeignKey(
        "self",
        verbose_name=_("carved from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carved_districts",
        help_text=_("The main parent district of a district created in 2023."),
    )
    division = models.CharField(_("division"), max_length=40, blank=True)
    headquarters = models.CharField(_("headquarters"), max_length=60)
    osm_relation_id = models.BigIntegerField(_("OpenStreetMap relation"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the current request (Hindi by default)."""
        return self.name_hi if _hindi_active() and self.name_hi else self.name_en

    @property
    def is_new(self) -> bool:
        return self.status == DistrictStatus.NEW_2023_RETAINED


class Block(models.Model):
    """A panchayat samiti (CD block), as listed by LGD in 2022."""

    lgd_code = models.PositiveIntegerField(_("LGD block code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="blocks"
    )

    class Meta:
        verbose_name = _("panchayat samiti (block)")
        verbose_name_plural = _("panchayat samitis (blocks)")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en


class Tehsil(models.Model):
    """A tehsil (LGD sub-district): the unit revenue certificates are issued for."""

    lgd_code = models.PositiveIntegerField(_("LGD sub-district code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="tehsils"
    )

    class Meta:
        verbose_name = _("tehsil")
        verbose_name_plural = _("tehsils")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en


class GramPanchayat(models.Model):
    """A gram panchayat, keyed by its LGD local-body code.

    The panchayat samiti is kept as LGD gives it (a local-body code and name) because only
    some samitis match a 2022 LGD block; ``block`` is set where they do.
    """

    lgd_code = models.PositiveIntegerField(_("LGD local-body code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    panchayat_samiti_code = models.PositiveIntegerField(
        _("panchayat samiti local-body code"), db_index=True
    )
    panchayat_samiti_name = models.CharField(_("panchayat samiti"), max_length=80)
    block = models.ForeignKey(
        Block,
        verbose_name=_("block"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gram_panchayats",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="gram_panchayats",
    )

    class Meta:
        verbose_name = _("gram panchayat")
        verbose_name_plural = _("gram panchayats")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en


class UrbanBodyType(models.TextChoices):
    """LGD local-body types 4, 5 and 7, under the names Rajasthan uses."""

    CORPORATION = "corporation", _("Municipal corporation (Nagar Nigam)")
    COUNCIL = "council", _("Municipal council (Nagar Parishad)")
    BOARD = "board", _("Municipal board (Nagar Palika)")


class UrbanBody(models.Model):
    """An urban local body: a town's counterpart of the gram panchayat."""

    lgd_code = models.PositiveIntegerField(_("LGD local-body code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_hi = models.CharField(_("name (Hindi)"), max_length=80, blank=True)
    body_type = models.CharField(_("type"), max_length=12, choices=UrbanBodyType.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="urban_bodies",
    )

    class Meta:
        verbose_name = _("urban body")
        verbose_name_plural = _("urban bodies")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the current request; English where LGD has no Hindi."""
        return self.name_hi if _hindi_active() and self.name_hi else self.name_en
