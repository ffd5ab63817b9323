"""Legal names: the letters of Kazakh, Russian and Latin-script names, nothing else."""

import unicodedata

import pytest

from course.modules.accounts.names import InvalidName, normalize_name


@pytest.mark.parametrize(
    "name",
    [
        "Әсел Қайратқызы Нұрланова",
        "ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
        "Иванов Иван Иванович",
        "Qasym-Jomart O'Neil",
        "Жанна Д’Арк",
        "Ержан Ә. Сейітов",
    ],
)
def test_accepted_names(name):
    assert normalize_name(name) == name


def test_spaces_are_collapsed_and_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "  Айгүл   Сәтбаева ")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert normalize_name(decomposed) == "Айгүл Сәтбаева"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("А" * 201, "too_long"),
        ("Иван <script>", "characters"),
        ("Иван 2", "characters"),
        ("李小龍", "characters"),
        ("Ж", "too_short"),
    ],
)
def test_refused_names(name, reason):
    with pytest.raises(InvalidName) as info:
        normalize_name(name)
    assert info.value.reason == reason
