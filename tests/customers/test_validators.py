"""The entry rules (001 篇2): real names, real mainland mobiles, drivable addresses, ID numbers."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from customers.validators import (
    id_number_check_digit,
    normalise_id_number,
    normalise_mobile,
    try_normalise_mobile,
    validate_address,
    validate_full_name,
)


def error_code(fn, value):
    with pytest.raises(ValidationError) as info:
        fn(value)
    return info.value.code


# --- names -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "placeholder",
    ["王先生", "李女士", "张总", "X先生", "x女士", "某先生", "欧阳先生", "陈小姐", "刘经理", "赵老板", "周师傅",
     "孙总经理", "Mr Wang", "mr. wang", "Mrs Li", "Ms Zhang", "Miss Chen", "Wang Xiansheng", "li nvshi"],
)
def test_a_form_of_address_is_rejected_as_a_placeholder_name(placeholder):
    assert error_code(validate_full_name, placeholder) == "placeholder_name"


@pytest.mark.parametrize("not_a_name", ["", "   ", "客户", "测试", "unknown", "N/A"])
def test_an_empty_or_generic_name_is_rejected(not_a_name):
    assert error_code(validate_full_name, not_a_name) == "placeholder_name"


@pytest.mark.parametrize("odd", ["王", "13800138000", "王伟2", "wang"])
def test_a_value_that_is_not_a_name_is_rejected(odd):
    assert error_code(validate_full_name, odd) == "invalid_name"


@pytest.mark.parametrize(
    "name", ["王伟", "李建国", "欧阳娜娜", "司马相如", "阿卜杜·热合曼", "Zhang Wei", "Li Xiaolong"],
)
def test_real_full_names_are_accepted(name):
    validate_full_name(name)


def test_the_placeholder_message_names_the_value_and_asks_for_the_real_name():
    with pytest.raises(ValidationError) as info:
        validate_full_name("王先生")
    message = info.value.messages[0]
    assert "王先生" in message


# --- mobiles ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000",
     "(+86) 138-0013-8000", " 13800138000 "],
)
def test_a_mobile_typed_in_any_common_form_is_normalised_to_eleven_digits(typed):
    assert normalise_mobile(typed) == "13800138000"


@pytest.mark.parametrize(
    "landline", ["021-62345678", "02162345678", "010 8888 6666", "+86 21 6234 5678", "0755-86013388"],
)
def test_a_landline_is_refused_in_the_mobile_field(landline):
    assert error_code(normalise_mobile, landline) == "landline"


@pytest.mark.parametrize("service", ["400-820-8820", "4008208820", "800-810-8888", "8008108888", "+86 400 820 8820"])
def test_400_and_800_service_numbers_are_refused(service):
    assert error_code(normalise_mobile, service) == "service_number"


@pytest.mark.parametrize("bad", ["1380013800", "138001380001", "12345678901", "10086", "abc", "15400000000"])
def test_numbers_that_are_not_real_mainland_mobiles_are_refused(bad):
    with pytest.raises(ValidationError):
        normalise_mobile(bad)


def test_a_foreign_mobile_is_refused_as_not_mainland():
    assert error_code(normalise_mobile, "+1 415 555 0100") == "not_mainland"


def test_an_empty_mobile_is_required():
    assert error_code(normalise_mobile, "") == "required"


def test_search_normalisation_returns_none_for_text_that_is_not_a_mobile():
    assert try_normalise_mobile("+86 139-1234-5678") == "13912345678"
    assert try_normalise_mobile("王伟") is None


# --- addresses -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "vague",
    ["上海", "上海市", "浦东新区", "上海市浦东新区", "北京市朝阳区", "广东省深圳市南山区", "中国上海市徐汇区",
     "江苏省苏州市吴中区"],
)
def test_a_bare_city_or_district_is_not_detailed_enough(vague):
    assert error_code(validate_address, vague) == "address_too_vague"


@pytest.mark.parametrize(
    "address",
    ["上海市浦东新区世纪大道100号环球金融中心", "徐汇区漕溪北路88号1201室", "上海市黄浦区南京东路300号和平饭店",
     "静安区南京西路1266号恒隆广场"],
)
def test_a_street_address_is_accepted(address):
    validate_address(address)


@pytest.mark.parametrize(
    "bare_road",
    ["上海市黄浦区南京东路", "西安市雁塔区高新路", "上海市浦东新区世纪大道", "浦东新区陆家嘴环路",
     "北京市朝阳区建国门外大街"],
)
def test_a_bare_road_after_the_district_is_not_detailed_enough(bare_road):
    # document 001: "高新路" alone does not say where to drive to
    assert error_code(validate_address, bare_road) == "address_too_vague"


@pytest.mark.parametrize(
    "address",
    ["上海市黄浦区南京东路300号", "长宁区虹桥路1弄", "徐汇区漕溪北路圣爱大厦", "浦东新区张杨路5栋2单元",
     "静安区恒隆广场", "闵行区七宝古镇万科小区", "西安市雁塔区高新路十二号"],
)
def test_a_road_with_a_number_a_building_or_a_landmark_is_accepted(address):
    validate_address(address)


# --- ID numbers (GB 11643) -------------------------------------------------------------------
def test_the_standard_example_id_number_with_x_check_digit_is_valid():
    # The GB 11643 example: 11010519491231002X.
    assert id_number_check_digit("11010519491231002") == "X"
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert normalise_id_number(" 110105 19491231 002X ") == "11010519491231002X"


def test_a_wrong_check_digit_is_refused():
    assert error_code(normalise_id_number, "110105194912310021") == "invalid_id_checksum"


@pytest.mark.parametrize("bad", ["11010519491231002", "1101051949123100211", "11010519491231X02X", "01010519491231002X",
                                 "ABCDEFGHIJKLMNOPQR"])
def test_an_id_number_of_the_wrong_shape_is_refused(bad):
    assert error_code(normalise_id_number, bad) == "invalid_id_format"


def test_an_id_number_whose_birth_date_does_not_exist_is_refused():
    first17 = "31010119900230123"  # 30 February
    assert error_code(normalise_id_number, first17 + id_number_check_digit(first17)) == "invalid_id_birth"
    future = "31010121990101123"
    assert error_code(normalise_id_number, future + id_number_check_digit(future)) == "invalid_id_birth"


# Region 1-8, a real date, a sequence: the 17 digits before the check digit.
first17_numbers = st.builds(
    lambda region, date, seq: f"{region}{date:%Y%m%d}{seq:03d}",
    st.integers(min_value=110000, max_value=829999),
    st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(first17_numbers)
def test_check_digit_satisfies_iso_7064_mod_11_2(first17):
    # Independent of the implementation's weight table: Σ a_i · 2^(17-i) + check ≡ 1 (mod 11).
    check = id_number_check_digit(first17)
    value = 10 if check == "X" else int(check)
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17)) + value
    assert total % 11 == 1
    assert normalise_id_number(first17 + check) == first17 + check


@given(first17_numbers, st.sampled_from([0, 1, 2, 3, 4, 5, 14, 15, 16]), st.integers(min_value=1, max_value=9))
def test_any_single_mistyped_digit_is_caught_by_the_check_digit(first17, position, delta):
    number = first17 + id_number_check_digit(first17)
    mistyped_digit = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + mistyped_digit + number[position + 1:]
    if position == 0 and mistyped_digit in "09":
        assert error_code(normalise_id_number, mistyped) == "invalid_id_format"
    else:
        assert error_code(normalise_id_number, mistyped) == "invalid_id_checksum"
