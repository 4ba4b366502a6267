"""The certificates we issue: title, number series, template and the labels of their fields.

Labels printed on a certificate are data (bilingual, both printed), not interface text, so they
live here as Hindi/English pairs rather than in the message catalogue (see GLOSSARY.md).
A field the applications app passes that a kind does not list is still printed, under its key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Label:
    hi: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"hi": self.hi, "en": self.en}


@dataclass(frozen=True)
class Kind:
    code: str
    series: str  # emitra.core.ids series: 2-12 capital letters
    title: Label
    name: Promise  # for pages (translated through the catalogue)
    statement: Label  # "{name}" is replaced by the holder's name in that language
    fields: tuple[tuple[str, Label], ...] = field(default_factory=tuple)

    @property
    def template(self) -> str:
        return f"certificates/{self.code}.typ"


_COMMON: tuple[tuple[str, Label], ...] = (
    ("father_name", Label("पिता/पति का नाम", "Father's / husband's name")),
    ("address", Label("पता", "Address")),
    ("tehsil", Label("तहसील", "Tehsil")),
)

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            code="domicile",
            series="DOM",
            title=Label("मूल निवास प्रमाण-पत्र", "Domicile Certificate"),
            name=_("Domicile certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} राजस्थान राज्य के मूल निवासी हैं।",
                "This is to certify that {name} is a domicile of the State of Rajasthan.",
            ),
            fields=(
                *_COMMON,
                ("residing_since", Label("निवास की अवधि", "Residing since")),
            ),
        ),
        Kind(
            code="caste",
            series="CST",
            title=Label("जाति प्रमाण-पत्र", "Caste Certificate"),
            name=_("Caste certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} नीचे लिखी जाति के सदस्य हैं।",
                "This is to certify that {name} belongs to the caste stated below.",
            ),
            fields=(
                *_COMMON,
                ("caste", Label("जाति", "Caste")),
                ("category", Label("वर्ग", "Category")),
            ),
        ),
        Kind(
            code="income",
            series="INC",
            title=Label("आय प्रमाण-पत्र", "Income Certificate"),
            name=_("Income certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} के परिवार की सभी स्रोतों से वार्षिक आय नीचे लिखे अनुसार है।",
                "This is to certify that the annual family income of {name} from all sources"
                " is as stated below.",
            ),
            fields=(
                *_COMMON,
                ("annual_income", Label("वार्षिक आय", "Annual income")),
                ("financial_year", Label("वित्तीय वर्ष", "Financial year")),
            ),
        ),
        Kind(
            code="character",
            series="CHR",
            title=Label("चरित्र प्रमाण-पत्र", "Character Certificate"),
            name=_("Character certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} का चरित्र अच्छा है और उनके विरुद्ध कोई"
                " आपराधिक प्रकरण दर्ज नहीं है।",
                "This is to certify that {name} bears a good character and no criminal case"
                " is registered against them.",
            ),
            fields=(*_COMMON, ("purpose", Label("प्रयोजन", "Purpose"))),
        ),
        Kind(
            code="birth",
            series="BRT",
            title=Label("जन्म प्रमाण-पत्र", "Birth Certificate"),
            name=_("Birth certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} के जन्म का विवरण जन्म एवं मृत्यु रजिस्टर में"
                " नीचे लिखे अनुसार दर्ज है।",
                "This is to certify that the birth of {name} is entered in the register of"
                " births and deaths as stated below.",
            ),
            fields=(
                ("date_of_birth", Label("जन्म तिथि", "Date of birth")),
                ("place_of_birth", Label("जन्म स्थान", "Place of birth")),
                ("sex", Label("लिंग", "Sex")),
                ("mother_name", Label("माता का नाम", "Mother's name")),
                ("father_name", Label("पिता का नाम", "Father's name")),
                ("registration_number", Label("पंजीकरण संख्या", "Registration number")),
            ),
        ),
        Kind(
            code="solvency",
            series="SOL",
            title=Label("हैसियत प्रमाण-पत्र", "Solvency Certificate"),
            name=_("Solvency certificate"),
            statement=Label(
                "प्रमाणित किया जाता है कि {name} की हैसियत नीचे लिखी राशि तक की है।",
                "This is to certify that {name} is solvent to the extent stated below.",
            ),
            fields=(
                *_COMMON,
                ("amount", Label("हैसियत राशि", "Solvency amount")),
                ("purpose", Label("प्रयोजन", "Purpose")),
            ),
        ),
    )
}


# Labels for fields a kind does not list but applications often carry (form field names).
COMMON_FIELDS: dict[str, Label] = {
    "father_name": Label("पिता का नाम", "Father's name"),
    "mother_name": Label("माता का नाम", "Mother's name"),
    "spouse_name": Label("पति/पत्नी का नाम", "Spouse's name"),
    "date_of_birth": Label("जन्म तिथि", "Date of birth"),
    "gender": Label("लिंग", "Gender"),
    "sex": Label("लिंग", "Sex"),
    "address": Label("पता", "Address"),
    "village": Label("गाँव", "Village"),
    "ward": Label("वार्ड", "Ward"),
    "gram_panchayat": Label("ग्राम पंचायत", "Gram panchayat"),
    "block": Label("पंचायत समिति (ब्लॉक)", "Block"),
    "tehsil": Label("तहसील", "Tehsil"),
    "district": Label("जिला", "District"),
    "pincode": Label("पिन कोड", "PIN code"),
    "occupation": Label("व्यवसाय", "Occupation"),
    "caste": Label("जाति", "Caste"),
    "category": Label("वर्ग", "Category"),
    "annual_income": Label("वार्षिक आय", "Annual income"),
    "purpose": Label("प्रयोजन", "Purpose"),
    "residence_years": Label("निवास के वर्ष", "Years of residence"),
}


def kind_choices() -> list[tuple[str, Promise]]:
    return [(k.code, k.name) for k in KINDS.values()]
