"""The IIN's offline tag in the QR: off unless the holder asks, explained on the holder's
page in both languages, and turned off and on again there (on only with the IIN on record)."""

from __future__ import annotations

import re

from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.certificates import cose, iin, verification
from course.modules.certificates import services as certificates
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.clients import csrf_token_from
from tests.support.i18n import t

IIN = "900101300017"
# Another well-formed IIN (its check digit holds) that is not the holder's.
OTHER = next(
    f"8502034{n:04d}{iin.check_digit(f'8502034{n:04d}')}"
    for n in range(10000)
    if iin.check_digit(f"8502034{n:04d}") is not None
)

WHAT_FOR = (
    "What it is for: a commission with no network can check that the person showing the "
    "certificate gives the IIN of its holder. The QR then carries a short tag of the IIN; "
    "a wrong IIN still passes 1 time in 1,024."
)
WHAT_IT_REVEALS = (
    "What it reveals: anyone who scans the QR and knows your birth date and sex can narrow "
    "your IIN down to about ten candidates. That is why it is off unless you turn it on. "
    "Organisations checking online do not need it."
)
MISMATCH = "This IIN is not the one on record for your certificate. Nothing was changed."


def stored(app, user_id: int) -> dict:
    """What the database holds for the holder's certificate."""
    with app.app_context():
        certificate = certificates.current_certificate(user_id)
        return {
            "code": certificate.code,
            "iin_hmac": certificate.iin_hmac,
            "iin_tag": certificate.iin_tag,
            "qr": certificate.qr_text,
            "pdf": certificate.pdf,
            "hmac_of_iin": iin.keyed_hash(certificates.iin_secret(), certificate.code, IIN),
        }


def pdf_claims(app, client) -> dict:
    """The signed claims of the QR printed on the PDF the holder downloads, decoded from
    the rendered page; the signature is checked against the published key list."""
    with client.get("/kk/certificate/certificate.pdf") as response:
        assert response.status_code == 200
        text = verification.qr_text_from_pdf(response.data)
    assert text
    with app.app_context():
        verdict = verification.verify(text, certificates.key_list())
    assert verdict.status == verification.VALID
    raw = cose.parse(verification.payload_of(text)).claims
    assert verification.read_claims(raw) == verdict.claims
    return raw[cose.CERTIFICATE_CLAIM]


def matches_online(app, code: str, lang: str = "kk") -> bool:
    """Whether the public page's identity check says IIN matches (the HMAC at work)."""
    public = app.test_client()
    page = public.post(f"/{lang}/verify/{code}", data={"iin": IIN}).get_data(as_text=True)
    return t(app, lang, "The IIN matches this certificate.") in page


def test_adding_the_iin_keeps_the_tag_out_of_the_qr_by_default(app, holder, lang):
    response = holder["client"].post(f"/{lang}/certificate", data={"iin": IIN})
    assert response.status_code == 302
    after = stored(app, holder["id"])
    assert after["iin_hmac"] == after["hmac_of_iin"]
    assert after["iin_tag"] is None
    assert after["qr"] == holder["qr"]  # the signed QR did not change
    assert "t" not in pdf_claims(app, holder["client"])
    assert matches_online(app, holder["code"], lang)


def test_opting_in_puts_the_tag_into_the_signed_qr(app, holder, lang):
    response = holder["client"].post(f"/{lang}/certificate", data={"iin": IIN, "offline_tag": "on"})
    assert response.status_code == 302
    after = stored(app, holder["id"])
    tag = iin.offline_tag(holder["code"], IIN)
    assert after["iin_tag"] == tag
    assert after["iin_hmac"] == after["hmac_of_iin"]
    assert after["qr"] != holder["qr"]
    assert pdf_claims(app, holder["client"])["t"] == tag
    assert matches_online(app, holder["code"], lang)


def test_the_tag_is_turned_off_and_back_on_only_with_the_iin_on_record(app, holder, lang):
    client = holder["client"]
    client.post(f"/{lang}/certificate", data={"iin": IIN, "offline_tag": "on"})
    tagged = stored(app, holder["id"])
    assert tagged["iin_tag"] is not None

    assert client.post(f"/{lang}/certificate", data={"form": "tag_off"}).status_code == 302
    off = stored(app, holder["id"])
    assert off["iin_tag"] is None
    assert off["qr"] != tagged["qr"]
    assert off["pdf"] != tagged["pdf"]
    assert "t" not in pdf_claims(app, client)
    assert off["iin_hmac"] == tagged["iin_hmac"]  # the online check keeps working
    assert matches_online(app, holder["code"], lang)

    # Another person's IIN is refused, in the page's language, and nothing changes.
    wrong = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": OTHER})
    assert wrong.status_code == 400
    assert t(app, lang, MISMATCH) in wrong.get_data(as_text=True)
    assert stored(app, holder["id"]) == off
    # So is a typo, caught by the check digit.
    typo = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": IIN[:-1] + "8"})
    assert typo.status_code == 400
    message = "This IIN has a typo: its check digit does not match. Check the number."
    assert t(app, lang, message) in typo.get_data(as_text=True)
    assert stored(app, holder["id"]) == off

    # The IIN on record puts the tag back.
    right = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": IIN})
    assert right.status_code == 302
    on = stored(app, holder["id"])
    assert on["iin_tag"] == iin.offline_tag(holder["code"], IIN)
    assert pdf_claims(app, client)["t"] == on["iin_tag"]


def test_the_tag_can_be_put_in_later_by_a_holder_who_did_not_opt_in(app, holder):
    client = holder["client"]
    client.post("/ru/certificate", data={"iin": IIN})
    assert stored(app, holder["id"])["iin_tag"] is None
    # Written with spaces, as on some documents.
    spaced = f"{IIN[:6]} {IIN[6:]}"
    assert client.post("/ru/certificate", data={"form": "tag_on", "iin": spaced}).status_code == 302
    assert stored(app, holder["id"])["iin_tag"] == iin.offline_tag(holder["code"], IIN)


def test_retyping_the_iin_pauses_after_five_misses_and_locks_no_one_else(app, holder, lang):
    client = holder["client"]
    client.post(f"/{lang}/certificate", data={"iin": IIN})
    for _ in range(certificates.MISSES_PER_REQUESTER):
        response = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": OTHER})
        assert response.status_code == 400
    paused = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": IIN})
    assert paused.status_code == 429
    message = "Too many IINs that did not match the one on record. Try again in 24 hours."
    assert t(app, lang, message) in paused.get_data(as_text=True)
    assert stored(app, holder["id"])["iin_tag"] is None
    # The holder's misses are counted on their own: the public check is not locked.
    assert matches_online(app, holder["code"], lang)


def test_bad_requests_are_refused_with_a_message_and_change_nothing(app, holder, lang):
    client = holder["client"]
    before = stored(app, holder["id"])
    # The tag is asked for without an IIN.
    response = client.post(f"/{lang}/certificate", data={"offline_tag": "on"})
    assert response.status_code == 400
    assert t(app, lang, "An IIN has 12 digits. Check the number.") in response.get_data(
        as_text=True
    )
    # The tag asked for before any IIN is on record.
    response = client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": IIN})
    assert response.status_code == 400
    message = "Add your IIN first: the offline check is made from it."
    assert t(app, lang, message) in response.get_data(as_text=True)
    # Malformed input, and a form the page does not have.
    for data in (
        {"iin": "12345", "offline_tag": "on"},
        {"iin": "９００１０１３０００１７", "offline_tag": "on"},  # full-width digits
        {"form": "tag_on", "iin": "x" * 500},
        {"form": "tag_on"},
    ):
        assert client.post(f"/{lang}/certificate", data=data).status_code == 400, data
    assert client.post(f"/{lang}/certificate", data={"form": "tag_maybe"}).status_code == 400
    assert stored(app, holder["id"]) == before


def test_the_holder_page_explains_the_tag_in_both_languages(app, holder, lang):
    client = holder["client"]
    page = client.get(f"/{lang}/certificate").get_data(as_text=True)
    for msgid in (
        "The offline check of the IIN in the QR",
        WHAT_FOR,
        WHAT_IT_REVEALS,
        "Also put an offline check of my IIN into the QR",
    ):
        assert t(app, lang, msgid) in page, msgid
    # The odds stay a number in the translation (1 024, with the language's separator).
    assert re.search(r"1\s?024", t(app, lang, WHAT_FOR))
    # Off by default: the box is there, unticked.
    [box] = re.findall(r'<input type="checkbox" name="offline_tag"[^>]*>', page)
    assert "checked" not in box

    client.post(f"/{lang}/certificate", data={"iin": IIN})
    page = client.get(f"/{lang}/certificate").get_data(as_text=True)
    assert t(app, lang, WHAT_IT_REVEALS) in page
    assert t(app, lang, "Your QR carries no offline check of your IIN.") in page
    assert t(app, lang, "Put the offline check into the QR") in page
    assert 'name="offline_tag"' not in page  # the IIN is on record: retyped to opt in

    client.post(f"/{lang}/certificate", data={"form": "tag_on", "iin": IIN})
    page = client.get(f"/{lang}/certificate").get_data(as_text=True)
    assert t(app, lang, "Your QR carries the offline check of your IIN.") in page
    assert t(app, lang, "Take the offline check out of the QR") in page
    assert IIN not in page


def test_the_tag_forms_need_the_csrf_token(csrf_app):
    with csrf_app.app_context():
        user_id = complete_course()
        certificate = certificates.current_certificate(user_id)
        certificates.set_identity(certificate, IIN, False, offline_tag=True)
        db.session.commit()
        email = accounts.get_user(user_id).email
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/kk/sign-in").get_data(as_text=True))
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/kk/sign-in", data=data).status_code == 302
    forged = client.post("/kk/certificate", data={"form": "tag_off"})
    assert forged.status_code == 400
    assert stored(csrf_app, user_id)["iin_tag"] is not None
    token = csrf_token_from(client.get("/kk/certificate").get_data(as_text=True))
    off = client.post("/kk/certificate", data={"form": "tag_off", "csrf_token": token})
    assert off.status_code == 302
    assert stored(csrf_app, user_id)["iin_tag"] is None
