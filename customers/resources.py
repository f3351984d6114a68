"""Import and export of customers (django-import-export).

Import creates customers through ``customers.services.customer_create``, so a file meets exactly
the rules of the admin form and the API (names, mobiles, addresses, ID check digit, one customer per
mobile). It is all or nothing per file: the dry run reports every rejected row with its reasons, and
the confirm step is only offered when no row is rejected; the real import runs in one transaction
and rolls back entirely if any row fails then.

Export masks per role (customers.privacy): mobiles masked unless the user has
``customers.view_full_mobile``; birthdays as month-day unless ``customers.view_sensitive``; the ID
number only ever masked (last 4). A duplicate found on import names the existing customer only for a
user who may see that field whole.
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from core.masking import mask_mobile
from core.names import person_name
from customers import privacy, services
from customers.errors import CustomerError, DuplicateCustomer
from customers.models import Customer, Place, Tag

# Column headers accepted on import: the English key, or its Chinese name.
IMPORT_COLUMNS = {
    "full_name": "姓名",
    "mobile": "手机",
    "email": "邮箱",
    "gender": "性别",
    "birthday": "生日",
    "id_number": "身份证号",
    "customer_type": "客户类型",
    "company_name": "公司",
    "source": "来源渠道",
    "marketing_consent": "同意营销",
    "tags": "标签",
    "notes": "备注",
    "pickup_address": "常用上车地点",
    "dropoff_address": "常用下车地点",
}
REQUIRED_COLUMNS = ("full_name", "mobile")
_ALIASES = {**{zh: en for en, zh in IMPORT_COLUMNS.items()}, **{en: en for en in IMPORT_COLUMNS}}
_TRUE = {"1", "true", "yes", "y", "是", "同意", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "不同意", ""}


def _text(value) -> str:
    """Cell → text. Spreadsheets turn 13800138000 into 13800138000.0; undo that."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return str(value).strip()


# Short forms people type in spreadsheets, beside the codes and the full labels.
_CHOICE_ALIASES = {
    "个人": Customer.Type.INDIVIDUAL, "企业": Customer.Type.ENTERPRISE,
    "平台": Customer.Source.PLATFORM, "热线": Customer.Source.HOTLINE, "app": Customer.Source.OWN_APP,
    "司机": Customer.Source.DRIVER, "活动": Customer.Source.EVENT, "网站": Customer.Source.WEBSITE,
}


def _choice(value: str, choices) -> str:
    """A code, its label in Chinese or English, or a short form → the code."""
    text = value.strip().lower()
    codes = {code for code, _label in choices}
    if _CHOICE_ALIASES.get(text) in codes:
        return _CHOICE_ALIASES[text]
    for code, label in choices:
        with override("zh-hans"):
            zh = str(label).lower()
        with override("en"):
            en = str(label).lower()
        if text in (code.lower(), zh, en):
            return code
    raise ValidationError(
        gettext("“%(value)s” is not one of: %(choices)s") % {
            "value": value, "choices": ", ".join(str(label) for _code, label in choices)},
        code="invalid_choice",
    )


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValidationError(gettext("“%(value)s” is not a date (use 1990-03-07).") % {"value": text}, code="invalid_date")


class CustomerImportResource(resources.ModelResource):
    """Create-only: a row whose mobile already belongs to a customer is rejected as a duplicate
    (merge it in the admin instead)."""

    full_name = Field(attribute="full_name", column_name="full_name")
    mobile = Field(attribute="mobile", column_name="mobile")
    email = Field(attribute="email", column_name="email")
    gender = Field(attribute="gender", column_name="gender")
    birthday = Field(attribute="birthday", column_name="birthday")
    id_number = Field(attribute="id_number_masked", column_name="id_number")
    customer_type = Field(attribute="customer_type", column_name="customer_type")
    company_name = Field(attribute="company_name", column_name="company_name")
    source = Field(attribute="source", column_name="source")
    marketing_consent = Field(attribute="marketing_consent", column_name="marketing_consent")
    tags = Field(column_name="tags")
    notes = Field(attribute="notes", column_name="notes")
    pickup_address = Field(column_name="pickup_address")
    dropoff_address = Field(column_name="dropoff_address")

    class Meta:
        model = Customer
        fields = tuple(IMPORT_COLUMNS)
        import_order = tuple(IMPORT_COLUMNS)
        use_transactions = True
        clean_model_instances = False  # the service validates
        skip_html_diff = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._disclosed: list[DuplicateCustomer] = []

    # --- the file ------------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        headers = [_ALIASES.get(_text(h), _text(h)) for h in dataset.headers or []]
        missing = [f"{c} ({IMPORT_COLUMNS[c]})" for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            raise ValueError(gettext("The file lacks the required columns: %(columns)s") % {
                "columns": ", ".join(missing)})
        dataset.headers = headers

    def get_instance(self, instance_loader, row):
        return None  # create only

    # --- a row ---------------------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        data = {key: row.get(key) for key in IMPORT_COLUMNS}

        def parse(key, func):
            try:
                return func(data[key])
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
                return None

        fields = {
            "full_name": _text(data["full_name"]),
            "mobile": _text(data["mobile"]),
            "email": _text(data["email"]),
            "company_name": _text(data["company_name"]),
            "notes": _text(data["notes"]),
        }
        if _text(data["gender"]):
            fields["gender"] = parse("gender", lambda v: _choice(_text(v), Customer.Gender.choices))
        if _text(data["birthday"]):
            fields["birthday"] = parse("birthday", _date)
        if _text(data["customer_type"]):
            fields["customer_type"] = parse("customer_type", lambda v: _choice(_text(v), Customer.Type.choices))
        if _text(data["source"]):
            fields["source"] = parse("source", lambda v: _choice(_text(v), Customer.Source.choices))
        consent = _text(data["marketing_consent"]).lower()
        if consent not in _TRUE | _FALSE:
            errors.setdefault("marketing_consent", []).append(gettext("Write 是 or 否 (yes or no)."))
        fields["marketing_consent"] = consent in _TRUE
        id_raw = data["id_number"]
        if isinstance(id_raw, float):
            errors.setdefault("id_number", []).append(
                gettext("The ID number became a number in the spreadsheet: format the column as text."))
        fields["id_number"] = _text(id_raw)
        names = [t.strip() for t in re.split(r"[,，、;；]", _text(data["tags"])) if t.strip()]
        fields["tags"] = names
        fields["places"] = [
            {"kind": kind, "label": label, "address": _text(data[key])}
            for key, kind, label in (("pickup_address", Place.Kind.PICKUP, Place.Label.OTHER),
                                     ("dropoff_address", Place.Kind.DROPOFF, Place.Label.HOME))
            if _text(data[key])
        ]
        # What the preview shows (the ID number is shown masked once the service has set it).
        for name in ("full_name", "email", "company_name", "notes"):
            setattr(instance, name, fields[name])
        instance.mobile = fields["mobile"]
        instance._import_fields = fields
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        fields = dict(instance._import_fields)
        tag_names = fields.pop("tags")
        try:
            tags = [Tag.objects.get_or_create(name=name)[0] for name in tag_names]
            customer = services.customer_create(actor=self.user, tags=tags, **fields)
        except DuplicateCustomer as exc:
            raise ValidationError({exc.field: [self._duplicate_message(exc)]}) from exc
        except CustomerError as exc:
            key = exc.field if exc.field in IMPORT_COLUMNS else NON_FIELD_ERRORS
            raise ValidationError({key: [exc.message]}) from exc
        instance.__dict__.update(customer.__dict__)

    def _duplicate_message(self, exc: DuplicateCustomer) -> str:
        # Names the existing customer only for a user who may see that field whole; an ID number told
        # to such a user is recorded after the import (import_data), outside its rolled-back dry run.
        may_see = privacy.can_see_sensitive if exc.field == "id_number" else privacy.can_see_full_mobile
        if not may_see(self.user):
            return str(exc.message)
        self._disclosed.append(exc)
        return gettext("%(message)s (existing: %(customer)s)") % {"message": exc.message, "customer": exc.existing}

    def import_data(self, *args, **kwargs):
        self._disclosed = []
        try:
            return super().import_data(*args, **kwargs)
        finally:
            for exc in self._disclosed:
                services.duplicate_disclose(duplicate=exc, user=self.user, where=gettext("customer import"))

    def save_m2m(self, instance, row, **kwargs):
        return  # tags were set by the service

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        return  # import_instance parses the row itself

    def dehydrate_mobile(self, obj):
        return mask_mobile(obj.mobile)

    def dehydrate_tags(self, obj):
        return ""

    def dehydrate_pickup_address(self, obj):
        return ""

    def dehydrate_dropoff_address(self, obj):
        return ""


class CustomerExportResource(resources.ModelResource):
    """Selected customers, as the user may see them."""

    public_id = Field(attribute="public_id", column_name=_("public id"))
    full_name = Field(attribute="full_name", column_name=_("full name"))
    mobile = Field(column_name=_("mobile"))
    email = Field(attribute="email", column_name=_("email"))
    gender = Field(column_name=_("gender"))
    birthday = Field(column_name=_("birthday"))
    id_number = Field(attribute="id_number_masked", column_name=_("ID number"))
    customer_type = Field(column_name=_("customer type"))
    company_name = Field(attribute="company_name", column_name=_("company"))
    source = Field(column_name=_("source channel"))
    status = Field(column_name=_("status"))
    owner = Field(column_name=_("account manager"))
    tags = Field(column_name=_("tags"))
    marketing_consent = Field(column_name=_("consents to marketing messages"))
    last_order_at = Field(column_name=_("last completed order"))
    created_at = Field(column_name=_("created at"))

    class Meta:
        model = Customer
        fields = ("public_id", "full_name", "mobile", "email", "gender", "birthday", "id_number", "customer_type",
                  "company_name", "source", "status", "owner", "tags", "marketing_consent", "last_order_at",
                  "created_at")
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.full_mobile = bool(user and user.has_perm("customers.view_full_mobile"))

    def dehydrate_mobile(self, obj):
        return (obj.mobile or "") if self.full_mobile else mask_mobile(obj.mobile)

    def dehydrate_birthday(self, obj):
        return privacy.birthday_for(self.user, obj.birthday)  # month-day without view_sensitive

    def dehydrate_gender(self, obj):
        return obj.get_gender_display()

    def dehydrate_customer_type(self, obj):
        return obj.get_customer_type_display()

    def dehydrate_source(self, obj):
        return obj.get_source_display()

    def dehydrate_status(self, obj):
        return obj.get_status_display()

    def dehydrate_owner(self, obj):
        return person_name(obj.owner, empty="") if obj.owner_id else ""

    def dehydrate_tags(self, obj):
        return "、".join(t.name for t in obj.tags.all())

    def dehydrate_marketing_consent(self, obj):
        return gettext("Yes") if obj.marketing_consent else gettext("No")

    def _local(self, value):
        """A time as a date-time cell in the company's time zone (Asia/Shanghai), to the minute: Excel
        sorts and filters it as a time; CSV writes "2026-12-05 14:03:00"."""
        if not value:
            return None
        return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)

    def dehydrate_last_order_at(self, obj):
        return self._local(obj.last_order_at)

    def dehydrate_created_at(self, obj):
        return self._local(obj.created_at)
