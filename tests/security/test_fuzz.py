"""Property-based fuzz tests (Hypothesis) of every parser that reads outside input.

OWASP ASVS L2, V5 (input validation) and V7 (error handling): a typed certificate code,
an IIN, a signed QR payload, a submitted quiz form and a content folder must each give
their documented result or their documented refusal, never some other exception (in a
view that is a 500 and a stack trace in the log). Alongside "never crashes", each
section states the guarantee the checker really gives (a code's check symbol catches
every single slip; an IIN's check digit does not) and holds the code to it.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from unittest import mock

import cbor2
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course.core import identifiers
from course.core.content import ContentError, Problem, check_content, load_course
from course.modules.certificates import codes, cose, iin, verification
from course.modules.certificates.keys import Keyring
from course.modules.quizzes.answers import AnswerError, DrawnQuestion, parse_answers
from course.modules.quizzes.grading import GRADERS, Score, grade
from tests.support.app import FIXTURE_CONTENT
from tests.support.certificates import signed_status_list

# No deadline: the first examples pay for imports and caches, and the 2-core test
# machine is shared; a slow example is not a bug here, a wrong or crashing one is.
FUZZ = settings(deadline=None, max_examples=200)
QUICK = settings(deadline=None, max_examples=60)
# Each content example checks (and loads) the whole fixture course, about 40 ms. The
# content tests share one module-scoped copy of it, put back after every example, so
# there is no function-scoped fixture for Hypothesis to warn about.
CONTENT = settings(deadline=None, max_examples=40)


def _outcome(refusal: type[Exception], call, *args, **kwargs):
    """(result, None), or (None, error) when `call` raises `refusal`.

    Any other exception propagates and fails the test: that is the crash being hunted.
    """
    try:
        return call(*args, **kwargs), None
    except refusal as e:
        return None, e


# ---------------------------------------------------------------- 1. certificate codes

CODE_BODIES = st.text(
    alphabet=codes.ALPHABET, min_size=codes.BODY_LENGTH, max_size=codes.BODY_LENGTH
)
VALID_CODES = CODE_BODIES.map(lambda body: body + codes.check_symbol(body))
# Text that looks like a code: its alphabet, the letters read as digits, separators.
CODE_LIKE = st.text(alphabet=codes.ALPHABET + "oilOILu -\u2013\u00a0", max_size=20)


def _code_canonical(code: str) -> bool:
    return (
        len(code) == codes.BODY_LENGTH + 1
        and all(ch in codes.ALPHABET for ch in code)
        and codes.check_symbol(code[:-1]) == code[-1]
    )


@FUZZ
@given(st.one_of(st.text(), CODE_LIKE, VALID_CODES.map(codes.display)))
@example("ﬀ" * 13)  # upper() of one character may give two
def test_any_text_is_a_canonical_code_or_a_code_error(typed):
    code, error = _outcome(codes.CodeError, codes.normalize, typed)
    if error is not None:
        assert error.reason in ("format", "typo")
        return
    assert _code_canonical(code)
    assert codes.normalize(code) == code


@FUZZ
@given(VALID_CODES)
def test_every_single_substitution_is_a_typo(code):
    # All 13 positions and all 31 other symbols, for each drawn code: the check symbol's
    # promise is "every", so the test is exhaustive where that is cheap.
    for position in range(len(code)):
        for symbol in codes.ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1 :]
            with pytest.raises(codes.CodeError) as info:
                codes.normalize(typo)
            assert info.value.reason == "typo", (code, typo)


@FUZZ
@given(VALID_CODES)
def test_every_swap_of_neighbours_is_a_typo(code):
    # Including the last body symbol with the check symbol itself.
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped == code:  # two equal neighbours: nothing was changed
            continue
        with pytest.raises(codes.CodeError) as info:
            codes.normalize(swapped)
        assert info.value.reason == "typo", (code, swapped)


@FUZZ
@given(VALID_CODES)
def test_display_round_trips(code):
    shown = codes.display(code)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", shown)
    assert codes.normalize(shown) == code


@FUZZ
@given(st.integers(0, 2 ** (5 * codes.BODY_LENGTH) - 1))
def test_every_random_value_makes_a_canonical_code_and_keeps_all_its_bits(value):
    # new_code's randomness, fixed: every 60-bit value must give a valid code, and a
    # different one (no bit dropped, so no two values share a code).
    with mock.patch.object(codes.secrets, "randbits", return_value=value):
        code = codes.new_code()
    assert _code_canonical(code)
    assert codes.normalize(codes.display(code)) == code
    assert sum(codes.VALUE[ch] << (5 * i) for i, ch in enumerate(reversed(code[:-1]))) == value


@st.composite
def typed_forms(draw, code: str) -> str:
    """The code as someone might type it: any case, O for 0, I or L for 1, separators."""
    read_as = {"0": "0oO", "1": "1iIlL"}
    typed = [draw(st.text(alphabet=sorted(codes.IGNORED), max_size=2))]
    for ch in code:
        typed.append(draw(st.sampled_from(read_as.get(ch, ch + ch.lower()))))
        typed.append(draw(st.text(alphabet=sorted(codes.IGNORED), max_size=2)))
    return "".join(typed)


@FUZZ
@given(st.data(), VALID_CODES)
def test_case_separators_and_look_alike_letters_are_forgiven(data, code):
    assert codes.normalize(data.draw(typed_forms(code))) == code


# ---------------------------------------------------------------- 2. the IIN

DIGITS = "0123456789"


@st.composite
def valid_iins(draw) -> str:
    first = draw(st.text(alphabet=DIGITS, min_size=11, max_size=11))
    check = identifiers.check_digit(first)
    # About 1 in 121 prefixes has no valid check digit at all; draw another.
    return first + str(check) if check is not None else draw(valid_iins())


def _first_sum(number: str) -> int:
    """The weighted sum with weights 1…11 that picks the check digit, mod 11."""
    return sum(int(d) * w for d, w in zip(number[:11], identifiers.WEIGHTS_FIRST, strict=True)) % 11


@FUZZ
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=DIGITS + " \t\u00a0\u2003٣", max_size=16),
        valid_iins().map(lambda n: f" {n[:6]} {n[6:]}\t"),
    )
)
@example("１２３４５６７８９０１２")  # full-width digits are digits to str.isdigit
def test_any_text_is_an_iin_or_an_iin_error(typed):
    number, error = _outcome(iin.IINError, iin.normalize, typed)
    if error is not None:
        assert error.reason in ("format", "check")
        return
    assert re.fullmatch(r"[0-9]{12}", number)
    assert identifiers.is_valid(number)
    assert number == "".join(typed.split())  # only whitespace is dropped, nothing invented


@FUZZ
@given(valid_iins())
def test_one_changed_digit_is_refused_as_far_as_the_check_digit_guarantees(number):
    """What the state's algorithm really guarantees for one changed digit, and what not.

    The weights 1…11 make the check digit `S mod 11`. Changing one of the first ten
    digits (weights 1…10, never 0 mod 11) always changes S mod 11, so it is refused
    whenever neither number falls to the second weights (S mod 11 = 10). The eleventh
    digit has weight 11 ≡ 0: with the first weights it does not take part at all, so a
    slip there passes (the second weights 3…11, 1, 2 give it 2, and then it is caught).
    A slip that moves the number between the two weightings passes about 1 time in 10.
    The check digit itself, changed, is always refused.
    """
    original = _first_sum(number)
    for position in range(12):
        for digit in DIGITS:
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            new = _first_sum(changed)
            if position == 10 and original != 10:
                # Not a wish: real IINs follow this algorithm, so "fixing" it would refuse them.
                assert iin.normalize(changed) == changed
            elif position in (10, 11) or (original != 10 and new != 10):
                with pytest.raises(iin.IINError) as info:
                    iin.normalize(changed)
                assert info.value.reason == "check", (number, changed)
            else:  # the weighting changed: no guarantee, only no crash
                _number, error = _outcome(iin.IINError, iin.normalize, changed)
                assert error is None or error.reason == "check"


# ---------------------------------------------------------------- 3. the signed QR payload

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
ISSUER = "http://127.0.0.1:8000"
CODE = "0123456789AB" + codes.check_symbol("0123456789AB")
CLAIMS = verification.make_claims(
    ISSUER, NOW, CODE, "Әсел Қайратқызы Нұрланова", 2, date(2026, 11, 20), 12345, 517
)
KEY = Ed25519PrivateKey.generate()
GENUINE = cose.sign(CLAIMS, KEY)
PROTECTED, _UNPROTECTED, PAYLOAD, SIGNATURE = cbor2.loads(GENUINE).value


def _message(items, tag: int | None = cose.COSE_SIGN1_TAG) -> bytes:
    return cbor2.dumps(items if tag is None else cbor2.CBORTag(tag, items))


def test_a_genuine_message_parses_and_verifies():
    assert _message([PROTECTED, {}, PAYLOAD, SIGNATURE]) == GENUINE  # the rebuilding is exact
    signed = cose.parse(GENUINE)
    assert signed.claims == CLAIMS
    assert signed.kid == cose.key_id(KEY.public_key())
    assert signed.verify(KEY.public_key())
    assert not signed.verify(Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    "data",
    [
        # The unprotected header is not signed: whatever it says, anyone could have put it.
        _message([PROTECTED, {cose.KID: b"x"}, PAYLOAD, SIGNATURE]),
        _message([PROTECTED, {cose.ALG: cose.EDDSA}, PAYLOAD, SIGNATURE]),
        _message([PROTECTED, [], PAYLOAD, SIGNATURE]),
        _message([PROTECTED, b"", PAYLOAD, SIGNATURE]),
        _message([PROTECTED, None, PAYLOAD, SIGNATURE]),
        _message([PROTECTED, cbor2.CBORTag(1000, {}), PAYLOAD, SIGNATURE]),
        _message([PROTECTED, {}, PAYLOAD, SIGNATURE], tag=None),
        _message([PROTECTED, {}, PAYLOAD, SIGNATURE], tag=98),  # COSE_Sign, not Sign1
        _message([PROTECTED, {}, PAYLOAD, SIGNATURE], tag=17),  # COSE_Mac0
        _message(cbor2.CBORTag(18, [PROTECTED, {}, PAYLOAD, SIGNATURE])),
        GENUINE + b"\x00",
        GENUINE + b"\xf6",
        GENUINE + GENUINE,
        _message([PROTECTED, {}, PAYLOAD]),
        _message([PROTECTED, {}, PAYLOAD, SIGNATURE, b""]),
        _message([cbor2.loads(PROTECTED), {}, PAYLOAD, SIGNATURE]),
        _message([cbor2.dumps([cose.ALG, cose.EDDSA]), {}, PAYLOAD, SIGNATURE]),
        _message([PROTECTED + b"\x00", {}, PAYLOAD, SIGNATURE]),
        _message([PROTECTED, {}, cbor2.loads(PAYLOAD), SIGNATURE]),
        _message([PROTECTED, {}, PAYLOAD + b"\x00", SIGNATURE]),
        _message([PROTECTED, {}, PAYLOAD, SIGNATURE.hex()]),
        _message({0: PROTECTED, 1: {}, 2: PAYLOAD, 3: SIGNATURE}),
    ],
    ids=[
        "unprotected-kid",
        "unprotected-alg",
        "unprotected-array",
        "unprotected-bstr",
        "unprotected-null",
        "unprotected-tagged-map",
        "untagged",
        "tag-98",
        "tag-17",
        "tag-in-tag",
        "trailing-zero",
        "trailing-null",
        "trailing-message",
        "three-elements",
        "five-elements",
        "protected-not-bstr",
        "protected-not-map",
        "protected-trailing",
        "payload-not-bstr",
        "payload-trailing",
        "signature-not-bstr",
        "map-not-array",
    ],
)
def test_only_a_strict_tagged_cose_sign1_is_accepted(data):
    with pytest.raises(cose.MalformedPayload):
        cose.parse(data)


def _parses_unverified(changed: bytes) -> bool:
    """Whether a changed message parsed; it must never verify. MalformedPayload is False."""
    signed, error = _outcome(cose.MalformedPayload, cose.parse, changed)
    if error is not None:
        return False
    assert not signed.verify(KEY.public_key()), changed.hex()
    return True


def _one_byte(position: int, value: int) -> bytes:
    return GENUINE[:position] + bytes([value]) + GENUINE[position + 1 :]


# The bytes inside the payload and signature strings: any change there is a change to
# what was signed, so a sample of values is enough; everywhere else (the tag, the array,
# the headers, the protected map, the string lengths) every value is tried.
SIGNED_CONTENT = {
    *range(GENUINE.index(PAYLOAD), GENUINE.index(PAYLOAD) + len(PAYLOAD)),
    *range(len(GENUINE) - len(SIGNATURE), len(GENUINE)),
}


def test_every_changed_byte_is_refused_or_fails_the_signature():
    parsed = 0
    for position in range(len(GENUINE)):
        if position in SIGNED_CONTENT:
            values = {GENUINE[position] ^ (1 << bit) for bit in range(8)} | {0x00, 0xFF}
        else:
            values = set(range(256))
        for value in values - {GENUINE[position]}:
            parsed += _parses_unverified(_one_byte(position, value))
    assert parsed  # changes inside the signed strings still parse, and fail the signature


@FUZZ
@given(st.integers(0, len(GENUINE) - 1), st.integers(1, 255))
def test_any_one_byte_changed_is_refused_or_fails_the_signature(position, mask):
    _parses_unverified(_one_byte(position, GENUINE[position] ^ mask))


CBOR_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond 64 bits cbor2 writes a bignum (tag 2/3)
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=20),
)
CBOR_VALUES = st.recursive(
    CBOR_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.integers(-8, 8) | st.text(max_size=3), inner, max_size=4),
        st.builds(cbor2.CBORTag, st.sampled_from([0, 1, 2, 4, 18, 24, 28, 29, 30, 258]), inner),
    ),
    max_leaves=8,
)


@st.composite
def changed_messages(draw, message: bytes = GENUINE) -> bytes:
    """The message with a few bytes replaced, inserted or cut."""
    data = bytearray(message)
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 8)))
        data[start:end] = draw(st.binary(max_size=8))
    return bytes(data)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=300),
        changed_messages(),
        CBOR_VALUES.map(cbor2.dumps),
        st.lists(CBOR_VALUES, min_size=3, max_size=5).map(_message),
    )
)
@example(b"\x5b\x7f\xff\xff\xff\xff\xff\xff\xff")  # a byte string "2^63 bytes long"
@example(b"\x81" * 5000 + b"\x00")  # nesting deeper than the decoder allows
def test_any_bytes_are_a_signed_message_or_malformed(data):
    signed, error = _outcome(cose.MalformedPayload, cose.parse, data)
    if error is not None:
        return
    assert isinstance(signed, cose.Signed)
    assert isinstance(signed.claims, dict)
    assert isinstance(signed.kid, bytes)
    if signed.verify(KEY.public_key()):
        # Only the very bytes that were signed verify (CBOR can write one length in
        # more ways than one, so equal bytes, not an equal message, is the claim).
        assert signed.to_be_signed == cose.parse(GENUINE).to_be_signed
        assert signed.signature == SIGNATURE


@FUZZ
@given(st.text())
def test_any_text_is_a_payload_or_malformed(text):
    payload, error = _outcome(cose.MalformedPayload, verification.payload_of, text)
    assert error is not None or isinstance(payload, bytes)


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    ring = Keyring(tmp_path_factory.mktemp("fuzz") / "keys")
    assert ring.init(NOW - timedelta(days=1), ISSUER)
    return ring


@pytest.fixture(scope="module")
def status_list(keyring) -> dict:
    """A genuine status list of this key ring, nothing revoked."""
    return signed_status_list(keyring, ISSUER, NOW)


STATUSES = {
    verification.VALID,
    verification.REVOKED,
    verification.REPLACED,
    verification.WITHDRAWN,
    verification.FORGED,
    verification.UNKNOWN_KEY,
}


@QUICK
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=").map(lambda t: f"{ISSUER}/V1/{t}"),
        st.binary(max_size=200).map(lambda b: verification.qr_text(ISSUER, b)),
    )
)
def test_verify_calls_any_random_text_forged(keyring, status_list, text):
    verdict = verification.verify(text, keyring.published(), status_list)
    assert verdict.status == verification.FORGED
    assert verdict.claims is None


@QUICK
@given(st.data())
def test_verify_never_calls_a_changed_certificate_valid(keyring, status_list, data):
    _entry, private = keyring.active()
    genuine = cose.sign(CLAIMS, private)
    changed = data.draw(changed_messages(genuine))
    text = verification.qr_text(ISSUER, changed)
    verdict = verification.verify(text, keyring.published(), status_list)
    if changed == genuine:
        assert verdict.status == verification.VALID
        assert verdict.checked_status
    else:  # a changed key id names no key of ours; any other change breaks the signature
        assert verdict.status in (verification.FORGED, verification.UNKNOWN_KEY)


@st.composite
def odd_claims(draw) -> dict:
    """Our claims with some fields replaced by values of any type, or left out."""
    claims = dict(CLAIMS)
    private = dict(claims[cose.CERTIFICATE_CLAIM])
    odd = CBOR_VALUES | st.integers() | st.floats()
    for key in draw(st.sets(st.sampled_from([cose.ISS, cose.IAT, cose.CTI]))):
        if draw(st.booleans()):
            claims[key] = draw(odd)
        else:
            del claims[key]
    for key in draw(st.sets(st.sampled_from("nedst"))):
        private[key] = draw(odd)
    claims[cose.CERTIFICATE_CLAIM] = draw(st.just(private) | odd)
    return claims


@QUICK
@given(odd_claims(), st.booleans(), st.booleans())
@example({**CLAIMS, cose.IAT: 10**20}, True, False)  # an issue time past the year 9999
@example({**CLAIMS, cose.IAT: float("inf")}, False, False)
def test_verify_gives_a_verdict_for_any_claims(keyring, claims, our_kid, our_key):
    """Claims are read before the signature is checked, so anyone can send these."""
    entry, private = keyring.active()
    kid = bytes.fromhex(entry.kid) if our_kid else b"\x00" * 8
    protected = cbor2.dumps({cose.ALG: cose.EDDSA, cose.KID: kid})
    payload = cbor2.dumps(claims)
    signer = private if our_key else Ed25519PrivateKey.generate()
    signature = signer.sign(cbor2.dumps(["Signature1", protected, b"", payload]))
    text = verification.qr_text(ISSUER, _message([protected, {}, payload, signature]))
    verdict = verification.verify(text, keyring.published())
    assert verdict.status in STATUSES
    if not (our_kid and our_key):
        assert verdict.status in (verification.FORGED, verification.UNKNOWN_KEY)


# ---------------------------------------------------------------- 4. grading and the form

QUESTION_TYPES = sorted(GRADERS)
SET_TYPES = [t for t in QUESTION_TYPES if t != "ordering"]
OPTION_IDS = st.text(alphabet="abcxyz", min_size=1, max_size=3)
KEYS = st.lists(OPTION_IDS, min_size=1, max_size=6, unique=True)


@st.composite
def keys_and_answers(draw) -> tuple[list[str], list[str] | tuple[str, ...] | None]:
    key = draw(KEYS)
    near = [*key, "q", "zz"]
    chosen = draw(
        st.one_of(
            st.none(),
            st.just([]),
            st.permutations(key),
            st.permutations(key).map(tuple),
            st.lists(st.sampled_from(near), max_size=8),
            st.lists(st.text(max_size=3), max_size=8),
        )
    )
    return key, chosen


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
@FUZZ
@given(case=keys_and_answers())
def test_grading_is_exactly_the_key(qtype, case):
    key, chosen = case
    right = grade(qtype, key, chosen)
    assert isinstance(right, bool)
    if not chosen:
        assert right is False
    elif qtype == "ordering":
        assert right is (list(chosen) == list(key))
    else:  # the same options, each once, in any order (no partial credit)
        assert right is (Counter(chosen) == Counter(key))


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
@FUZZ
@given(key=st.lists(st.text(max_size=4), max_size=6), chosen=st.lists(st.text(), max_size=8))
def test_grading_never_raises_for_any_strings(qtype, key, chosen):
    assert grade(qtype, key, chosen) in (True, False)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
@FUZZ
@given(st.data(), KEYS)
def test_a_repeated_option_is_always_wrong(qtype, data, key):
    chosen = list(data.draw(st.permutations(key)))
    chosen.insert(data.draw(st.integers(0, len(chosen))), data.draw(st.sampled_from(key)))
    assert grade(qtype, key, chosen) is False


@pytest.mark.parametrize("qtype", SET_TYPES)
@FUZZ
@given(st.data(), KEYS)
def test_set_questions_ignore_the_order_and_need_every_option(qtype, data, key):
    assert grade(qtype, key, data.draw(st.permutations(key))) is True
    if len(key) > 1:
        missing = data.draw(st.integers(0, len(key) - 1))
        assert grade(qtype, key, key[:missing] + key[missing + 1 :]) is False
    assert grade(qtype, key, [*key, "not-an-option"]) is False


@FUZZ
@given(st.data(), st.integers(0, 1000), st.integers(1, 100))
def test_score_never_shows_more_than_was_scored(data, total, pass_mark):
    correct = data.draw(st.integers(0, total))
    score = Score(correct, total, pass_mark)
    assert 0 <= score.percent <= 100
    if total == 0:
        assert score.percent == 0
        return
    true_percent = Fraction(100 * correct, total)
    assert score.percent <= true_percent < score.percent + 1
    # No rounding in the learner's favour: 79.9 % against a mark of 80 fails.
    assert score.passed is (true_percent >= pass_mark)


TOKENS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567", min_size=4, max_size=4)
REFUSALS = {"unknown_field", "duplicate", "forged", "ordering", "missing"}


@st.composite
def drawn_questions(draw) -> list[DrawnQuestion]:
    questions = []
    for position in range(1, draw(st.integers(1, 4)) + 1):
        qtype = draw(st.sampled_from(QUESTION_TYPES))
        ids = (
            ["true", "false"]
            if qtype == "true_false"
            else ["a", "b", "c", "d"][: draw(st.integers(2, 4))]
        )
        tokens = draw(st.lists(TOKENS, min_size=len(ids), max_size=len(ids), unique=True))
        questions.append(
            DrawnQuestion(position, f"q-{position}", qtype, dict(zip(tokens, ids, strict=True)))
        )
    return questions


@st.composite
def intended(draw, questions: list[DrawnQuestion]) -> tuple[list[tuple[str, str]], dict]:
    """A form a browser could send for these questions, and the answers it means."""
    fields, answers = [("csrf_token", "t"), ("action", "submit")], {}
    for q in questions:
        tokens = list(q.tokens)
        if q.type == "ordering":
            ranked = draw(st.permutations(tokens))
            fields += [(f"q{q.position}-{t}", str(ranked.index(t) + 1)) for t in tokens]
            answers[q.question_id] = [q.tokens[t] for t in ranked]
        else:
            count = draw(st.integers(1, len(tokens))) if q.type == "multiple" else 1
            chosen = draw(st.permutations(tokens))[:count]
            fields += [(f"q{q.position}", t) for t in chosen]
            answers[q.question_id] = [q.tokens[t] for t in chosen]
    return draw(st.permutations(fields)), answers


@st.composite
def odd_forms(draw, questions: list[DrawnQuestion]) -> list[tuple[str, str]]:
    """A genuine form, then fields dropped, repeated, changed, or made up."""
    fields = list(draw(intended(questions))[0])
    names = ["csrf_token", "action", "q", "q-", "q0", "q1000"]
    values = ["", " ", "0", "-1", "1_0", " 2 ", "١", "1e3", "9" * 5000]
    for q in questions:
        names += [f"q{q.position}", f"q0{q.position}", f"q{q.position}\n", f"q{q.position}-"]
        names += [f"q{q.position}-{t}" for t in q.tokens] + [
            f"q{q.position}-{t.upper()}" for t in q.tokens
        ]
        values += [*q.tokens, *(str(i) for i in range(len(q.tokens) + 2))]
    made_up = st.tuples(
        st.sampled_from(names) | st.text(max_size=8), st.sampled_from(values) | st.text(max_size=8)
    )
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["drop", "repeat", "change", "add"]))
        if action == "add" or not fields:
            fields.insert(draw(st.integers(0, len(fields))), draw(made_up))
            continue
        index = draw(st.integers(0, len(fields) - 1))
        if action == "drop":
            del fields[index]
        elif action == "repeat":
            fields.append(fields[index])
        else:
            fields[index] = (fields[index][0], draw(st.sampled_from(values) | st.text(max_size=8)))
    return fields


@FUZZ
@given(st.data(), drawn_questions())
def test_a_genuine_form_means_what_it_says_in_any_field_order(data, questions):
    fields, answers = data.draw(intended(questions))
    parsed = parse_answers(fields, questions, require_all=True)
    assert parsed.keys() == answers.keys()
    for q in questions:
        if q.type == "multiple":  # chosen in field order; grading compares sets
            assert sorted(parsed[q.question_id]) == sorted(answers[q.question_id])
        else:
            assert parsed[q.question_id] == answers[q.question_id]


@FUZZ
@given(st.data(), drawn_questions(), st.booleans())
def test_any_form_is_answers_or_an_answer_error(data, questions, require_all):
    fields = data.draw(
        odd_forms(questions)
        | st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=8)
    )
    by_id = {q.question_id: q for q in questions}
    answers, error = _outcome(
        AnswerError, parse_answers, fields, questions, require_all=require_all
    )
    if error is not None:
        assert error.code in REFUSALS
        assert set(error.positions) <= {q.position for q in questions}
        assert error.positions or error.code == "unknown_field"
        return
    # What is accepted is well formed: issued options only, shaped as the type needs.
    assert set(answers) <= set(by_id)
    if require_all:
        assert set(answers) == set(by_id)
    for question_id, chosen in answers.items():
        q = by_id[question_id]
        options = list(q.tokens.values())
        assert chosen
        assert set(chosen) <= set(options)
        assert len(chosen) == len(set(chosen))
        if q.type == "ordering":
            assert sorted(chosen) == sorted(options)
        elif q.type != "multiple":
            assert len(chosen) == 1


# ---------------------------------------------------------------- 5. the content loader

CONTENT_FILES = sorted(
    p.relative_to(FIXTURE_CONTENT).as_posix()
    for p in FIXTURE_CONTENT.rglob("*")
    if p.suffix in (".yaml", ".md")
)
FRONT_MATTER = re.compile(r"---\n(.*?\n)---\n", re.S)
# Lines that are odd YAML in a way random text rarely is: complex keys, impossible
# dates and times, aliases, tags, mixed key types, deep nesting, scalars where
# lists or mappings belong.
ODD_YAML = [
    "? [a, b]\n: c",
    "published: 2026-02-30",
    "status_as_of: 2021-13-01",
    "minutes: 2021-01-10 25:00:00",
    "x: 2021-01-10 10:00:00 +99:00",
    "x: &a [*a]",
    "x: *nowhere",
    "x: !!binary AAA",
    "x: !!python/name:os.system",
    "x: !!set {a, b}",
    "x: !!omap [a: 1]",
    "<<: 5",
    "{1: a, b: c, 2.5: d, null: e}",
    "[" * 2000,
    "languages: 5",
    "correct: 5",
    "module: [alpha]",
    "  1: x",
    "  zz: y",
    "  - 1",
    "- {a: b}",
    "---",
    "...",
    "%YAML 1.1",
    "\t",
    "\ufeff",
]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-content") / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def _problems_after(root: Path, rel: str, data: bytes, *, load: bool = True) -> list[Problem]:
    """Write `data` over one file, check the course (and load it), put the file back."""
    path = root / rel
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        problems = check_content(root)
        assert all(isinstance(p, Problem) for p in problems)
        if not load:
            return problems
        # The checker and the loader must agree: a course loads iff nothing is wrong.
        course, error = _outcome(ContentError, load_course, root)
        if error is not None:
            assert set(error.problems) == set(problems)
            assert problems
        else:
            assert course is not None
            assert problems == []
        return problems
    finally:
        path.write_bytes(original)


@pytest.mark.slow
@CONTENT
@given(rel=st.sampled_from(CONTENT_FILES), data=st.data())
def test_a_file_replaced_by_garbage_is_a_problem(content, rel, data):
    original = (FIXTURE_CONTENT / rel).read_bytes()
    garbage = data.draw(st.one_of(st.text().map(str.encode), st.binary()), label="garbage")
    if garbage != original:
        assert _problems_after(content, rel, garbage)


def test_a_letter_cut_in_half_is_a_problem(content):
    original = (FIXTURE_CONTENT / "kk/alpha/first.md").read_bytes()
    cut = original[: original.index("Қазақ".encode()) + 1]  # the first byte of "Қ"
    assert _problems_after(content, "kk/alpha/first.md", cut)


@pytest.mark.slow
@CONTENT
@given(rel=st.sampled_from(CONTENT_FILES), data=st.data())
def test_a_cut_or_oddly_edited_file_is_checked_without_crashing(content, rel, data):
    original = (FIXTURE_CONTENT / rel).read_bytes()
    lines = original.decode().split("\n")
    at = data.draw(st.integers(0, len(lines)), label="line")
    odd = data.draw(st.sampled_from(ODD_YAML) | st.text(max_size=30), label="odd")
    edited = data.draw(
        st.one_of(
            st.integers(0, len(original)).map(lambda n: original[:n]),
            st.just("\n".join([*lines[:at], odd, *lines[at + 1 :]]).encode()),
            st.just("\n".join([*lines[:at], odd, *lines[at:]]).encode()),
        ),
        label="edited",
    )
    _problems_after(content, rel, edited)


MARKDOWN_FILES = [rel for rel in CONTENT_FILES if rel.endswith(".md")]  # all have front matter
LINK_TARGETS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "../../media/" + "x" * 300 + ".svg",  # longer than a file name may be
            "../../media/\x00.svg",
            "../../../../../../etc/passwd",
            "glossary:",
            "glossary:nowhere",
            "#",
            "..",
            "/",
            "second.md#" + "x" * 300,
            "a/" * 200,
        ]
    ),
)


@st.composite
def markdown_bodies(draw) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.text(max_size=40),
                st.builds("[{}]({})".format, st.text(max_size=5), LINK_TARGETS),
                st.builds("![{}](<{}>)".format, st.text(max_size=5), LINK_TARGETS),
            ),
            max_size=5,
        )
    )
    return "\n".join(parts)


@pytest.mark.slow
@CONTENT
@given(rel=st.sampled_from(MARKDOWN_FILES), body=markdown_bodies())
@example(rel="kk/alpha/first.md", body="![x](<../../media/" + "x" * 300 + ".svg>)")
def test_any_lesson_body_is_checked_without_crashing(content, rel, body):
    text = (FIXTURE_CONTENT / rel).read_text(encoding="utf-8")
    front = FRONT_MATTER.match(text)
    _problems_after(content, rel, (text[: front.end()] + body + "\n").encode())


YAML_FILES = [rel for rel in CONTENT_FILES if rel.endswith(".yaml")]
YAML_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.dates(),
)
YAML_VALUES = st.recursive(
    YAML_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _kind(value) -> str:
    """The type as the loader sees it; a bool is not a number to it."""
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, types):
            return kind
    for kind, types in (("date", date), ("list", list), ("dict", dict)):
        if isinstance(value, types):
            return kind
    return "none"


def _paths(value, path=()):
    """Every place in a YAML document: the root, each mapping value and list item."""
    yield path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        yield from _paths(child, (*path, key))


def _document(rel: str):
    """(text, front matter match or None, the parsed YAML) of a fixture file."""
    text = (FIXTURE_CONTENT / rel).read_text(encoding="utf-8")
    front = FRONT_MATTER.match(text) if rel.endswith(".md") else None
    return text, front, yaml.safe_load(front.group(1) if front else text)


def _value_at(document, path):
    for key in path:
        document = document[key]
    return document


def _with_value(rel: str, path: tuple, new) -> bytes:
    """The fixture file with the value at `path` replaced by `new`, written out again."""
    text, front, document = _document(rel)
    if path:
        _value_at(document, path[:-1])[path[-1]] = new
    else:
        document = new
    dumped = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    if front:
        dumped = "---\n" + dumped + "---\n" + text[front.end() :]
    return dumped.encode()


def _unlike(old) -> set[str]:
    # A `false` option id and the text "false" are the same id to the loader.
    return {_kind(old)} | ({"str"} if _kind(old) == "bool" else set())


PLACES = [(rel, path) for rel in YAML_FILES + MARKDOWN_FILES for path in _paths(_document(rel)[2])]
# Where the typed data is (numbers, dates, id lists, the answer keys); the other files
# hold texts, which any non-string refuses alike.
STRUCTURE_FILES = ("course.yaml", "glossary.yaml", "quizzes/alpha.yaml", "quizzes/final-exam.yaml")


@pytest.mark.slow
@CONTENT
@given(place=st.sampled_from(PLACES), data=st.data())
def test_a_value_of_the_wrong_type_is_a_problem(content, place, data):
    rel, path = place
    unlike = _unlike(_value_at(_document(rel)[2], path))
    new = data.draw(YAML_VALUES.filter(lambda v: _kind(v) not in unlike), label="new")
    assert _problems_after(content, rel, _with_value(rel, path, new)), (rel, path, new)


@pytest.mark.slow
def test_every_place_in_the_structure_refuses_a_number_and_a_list(content):
    """Exhaustive where random sampling is thin: each place, a scalar and a container."""
    for rel, path in PLACES:
        if rel not in STRUCTURE_FILES:
            continue
        unlike = _unlike(_value_at(_document(rel)[2], path))
        for new, instead in ((7, "7"), (["x"], {"x": 1})):
            value = instead if _kind(new) in unlike else new
            data = _with_value(rel, path, value)
            assert _problems_after(content, rel, data, load=False), (rel, path, value)
