"""Entry rules for customer data (001 篇2), one validator per rule, used by the model (admin forms,
imports) and the API serializers alike. Messages are translatable; Chinese is the default."""

import datetime as dt
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- names -----------------------------------------------------------------------------------
_HONORIFICS = (
    "先生|女士|小姐|太太|夫人|总|总经理|老板|经理|师傅|老师|阿姨|叔叔|大哥|大姐|姐|哥|同学|主任|局长|处长"
)
# A surname (or X/某) followed only by an honorific: 王先生, 李女士, 张总, X先生, 欧阳先生.
_PLACEHOLDER_CN = re.compile(rf"^(.{{1,2}}|[xX某])({_HONORIFICS})$")
# Pinyin / English forms: "Mr Wang", "Mrs. Li", "Ms Zhang", "Miss Chen", "Wang xiansheng", "Li nvshi".
_PLACEHOLDER_LATIN = re.compile(
    r"^((mr|mrs|ms|miss|mister|madam|madame|sir|dr|boss)\.?\s+[a-z]+|[a-z]+\s+"
    r"(xiansheng|nvshi|nüshi|xiaojie|zong|laoban|jingli|shifu|laoshi))$",
    re.IGNORECASE,
)
_NOT_A_NAME = {"客户", "顾客", "未知", "匿名", "无", "test", "测试", "unknown", "n/a", "na", "none", "null"}
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·•]{2,20}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z'\-]*(\s+[A-Za-z][A-Za-z'\-]*)+$")


def validate_full_name(value: str) -> None:
    name = (value or "").strip()
    if name.lower() in _NOT_A_NAME or not name:
        raise ValidationError(_("Enter the customer's real full name."), code="placeholder_name")
    if _PLACEHOLDER_CN.match(name) or _PLACEHOLDER_LATIN.match(name):
        raise ValidationError(
            _("“%(name)s” is a form of address, not a full name: enter the customer's real full name."),
            code="placeholder_name",
            params={"name": name},
        )
    if not (_CJK_NAME.match(name) or (_LATIN_NAME.match(name) and len(name) <= 60)):
        raise ValidationError(
            _("Enter a real full name: 2–20 Chinese characters, or given name and family name in letters."),
            code="invalid_name",
        )


# --- mobile phones ---------------------------------------------------------------------------
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Prefixes inside 13x-19x that are not issued to subscribers' mobiles (satellite, reserved).
_NOT_ISSUED_PREFIXES = ("154", "174", "179", "194")


def normalise_mobile(value: str) -> str:
    """Any typed form (spaces, dashes, +86, 0086) → the 11-digit mainland mobile. Raises
    ValidationError for landlines, 400/800 numbers, and anything that is not a real mobile."""
    raw = re.sub(r"[\s\-().]", "", str(value or ""))
    if raw.startswith("0086"):
        raw = "+86" + raw[4:]
    if not raw:
        raise ValidationError(_("Enter a mobile phone number."), code="required")
    if re.match(r"^(\+?86)?(400|800)\d{7}$", raw):
        raise ValidationError(
            _("400/800 numbers are service lines, not a customer's mobile."), code="service_number"
        )
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid_mobile", params={"value": value}
        ) from exc
    national = str(parsed.national_number)
    if parsed.country_code != 86:
        raise ValidationError(_("Enter a mainland China mobile number (11 digits starting with 1)."),
                              code="not_mainland")
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.FIXED_LINE or (
        not national.startswith("1") and phonenumbers.is_valid_number(parsed)
    ):
        raise ValidationError(
            _("“%(value)s” is a landline or switchboard number; the mobile field needs a mobile number."),
            code="landline",
            params={"value": value},
        )
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if (
        not _MAINLAND_MOBILE.match(national)
        or national.startswith(_NOT_ISSUED_PREFIXES)
        or not phonenumbers.is_valid_number(parsed)
        or number_type not in mobile_types
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid mainland mobile number (11 digits, 13x–19x)."),
            code="invalid_mobile",
            params={"value": value},
        )
    return national


def validate_mobile(value: str) -> None:
    normalise_mobile(value)


def try_normalise_mobile(value: str) -> str | None:
    """For search boxes: the normalised mobile, or None when the text is not one."""
    try:
        return normalise_mobile(value)
    except ValidationError:
        return None


# --- addresses -------------------------------------------------------------------------------
# Leading administrative divisions; what is left must say where to drive to. A residential or
# industrial compound (小区, 园区, 社区, 景区, 校区, 厂区) is a place, not a division.
_DIVISION = re.compile(
    r"^(中国)?([\u4e00-\u9fff]{1,7}?(特别行政区|自治区|自治州|省|市|盟|地区|新区|开发区|(?<![小园社景校厂])区|县|旗))"
)


# A bare road is not enough (document 001 names 高新路 as too vague): after the divisions the address
# needs a house number (号/弄), a building or room, or a named place a driver can find.
_HOUSE_NUMBER = r"[0-9０-９一二三四五六七八九十百千零〇两]+[号號弄]"
_BUILDING = r"栋|幢|楼|樓|大厦|座|室|单元"
_LANDMARK = (r"广场|中心|小区|花园|公寓|家园|新村|苑|村|酒店|饭店|宾馆|医院|学校|大学|学院|机场|火车站|高铁站|"
             r"地铁站|汽车站|车站|码头|公园|商场|园区|市场|体育馆|剧院")
_DETAIL = re.compile(f"{_HOUSE_NUMBER}|{_BUILDING}|{_LANDMARK}")


def address_detail(value: str) -> str:
    """What the address says beyond its leading administrative divisions (省/市/区/县 …)."""
    rest = re.sub(r"\s+", "", value or "")
    while match := _DIVISION.match(rest):
        rest = rest[match.end():]
    return rest


def validate_address(value: str) -> None:
    """Detailed enough to drive to: beyond the divisions, a road or place *and* a house number
    (号/弄), a building (栋/幢/楼/大厦/座/室/单元) or a landmark (广场/中心/小区/酒店 …)."""
    text = re.sub(r"\s+", "", value or "")
    rest = address_detail(text)
    if len(rest) < 4 or len(text) < 6 or not _DETAIL.search(rest):
        raise ValidationError(
            _("“%(value)s” is not detailed enough to drive to: add the house number, the building or a landmark."),
            code="address_too_vague",
            params={"value": value},
        )


# --- ID numbers (GB 11643) -------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    """Validate a resident ID number (18 characters, GB 11643 check digit) and return it upper-cased."""
    number = re.sub(r"\s", "", value or "").upper()
    if not re.match(r"^[1-8]\d{16}[\dX]$", number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="invalid_id_format"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The ID number's date of birth is not a real date."), code="invalid_id_birth"
        ) from exc
    if birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("The ID number's date of birth is not a real date."), code="invalid_id_birth")
    if id_number_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong: please check the number."), code="invalid_id_checksum"
        )
    return number


def validate_id_number(value: str) -> None:
    normalise_id_number(value)
