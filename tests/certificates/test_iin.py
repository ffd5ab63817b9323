"""The IIN check digit and the keyed hash and tag."""

import pytest

from course.modules.certificates.iin import (
    IINError,
    check_digit,
    keyed_hash,
    normalize,
    offline_tag,
)


def make_iin(first_eleven: str) -> str:
    digit = check_digit(first_eleven)
    assert digit is not None
    return first_eleven + str(digit)


def test_first_weights_example():
    # 9,0,0,1,0,1,3,0,0,0,1 · 1..11 = 9+0+0+4+0+6+21+0+0+0+11 = 51; 51 mod 11 = 7
    assert check_digit("90010130001") == 7
    assert normalize("900101300017") == "900101300017"


def test_second_weights_when_the_first_give_ten():
    # 0,0,0,0,0,0,0,0,0,1,0 · 1..11 → 10 → second weights: 1·1 = 1
    assert check_digit("00000000010") == 1


def test_no_valid_iin_when_both_give_ten():
    found = [f"{n:011d}" for n in range(0, 2000) if check_digit(f"{n:011d}") is None]
    assert found  # such prefixes exist and are refused
    with pytest.raises(IINError):
        normalize(found[0] + "0")


def test_a_wrong_check_digit_and_bad_format():
    with pytest.raises(IINError) as info:
        normalize("900101300018")
    assert info.value.reason == "check"
    for bad in ("12345", "9001013000177", "90010130001a", "９００１０１３０００１７"):
        with pytest.raises(IINError) as info:
            normalize(bad)
        assert info.value.reason == "format"


def test_birth_date_digits_are_not_checked():
    # 99 13 45 is no date; since 2013 the first six digits need not be one.
    assert normalize(make_iin("99134550001"))


def test_keyed_hash_and_tag():
    iin = make_iin("85020340012")
    other = make_iin("85020340013")
    assert keyed_hash(b"k1", "CODE", iin) != keyed_hash(b"k2", "CODE", iin)
    assert keyed_hash(b"k1", "CODE", iin) != keyed_hash(b"k1", "CODE", other)
    assert iin not in keyed_hash(b"k1", "CODE", iin)
    assert 0 <= offline_tag("CODE", iin) < 1024
    assert offline_tag("CODE", iin) == offline_tag("CODE", iin)
