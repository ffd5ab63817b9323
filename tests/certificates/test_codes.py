"""Certificate codes: format, forgiving input, and the check symbol's guarantees."""

import itertools
import random

import pytest

from course.modules.certificates.codes import (
    ALPHABET,
    CodeError,
    check_symbol,
    display,
    new_code,
    normalize,
)


def test_new_codes_are_valid_random_and_displayed_in_groups():
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in list(codes)[:50]:
        assert len(code) == 13
        assert set(code) <= set(ALPHABET)
        assert normalize(code) == code
        assert len(display(code)) == 16
        assert display(code).count("-") == 3


def test_input_is_forgiving():
    code = new_code()
    messy = " " + display(code).lower().replace("0", "o").replace("1", "l") + " "
    assert normalize(messy) == code
    assert normalize(display(code).replace("-", " ")) == code


@pytest.mark.parametrize("typed", ["", "ABC", "0" * 14, "UUUU-UUUU-UUUU-U", "ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ-Ж"])
def test_malformed_input_is_a_format_error(typed):
    with pytest.raises(CodeError) as info:
        normalize(typed)
    assert info.value.reason == "format"


@pytest.mark.slow
def test_every_single_wrong_symbol_is_caught():
    rng = random.Random(7)
    for _ in range(200):
        code = new_code()
        for position in range(13):
            for symbol in ALPHABET:
                if symbol == code[position]:
                    continue
                typo = code[:position] + symbol + code[position + 1 :]
                with pytest.raises(CodeError) as info:
                    normalize(typo)
                assert info.value.reason == "typo"
        rng.random()


def test_every_swap_of_neighbours_is_caught_exhaustively_for_symbol_pairs():
    body = "0" * 12
    for a, b in itertools.permutations(ALPHABET, 2):
        for position in range(12):
            original = body[:position] + a + b + body[position + 2 :]
            original = original[:12]
            code = original + check_symbol(original)
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            if swapped == code:
                continue
            with pytest.raises(CodeError):
                normalize(swapped)
