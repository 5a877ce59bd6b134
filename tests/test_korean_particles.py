"""Korean particles follow the final sound of the word before them (hand-checked words)."""

from __future__ import annotations

import pytest

from churnlens import strings
from churnlens.strings.korean import final_sound, particle, particles


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        # a final consonant (batchim) takes 을 / 이 / 은 / 과
        ("2022년 7월", "을(를)", "을"),
        ("2022년 6월", "와(과)", "과"),
        ("고객", "이(가)", "이"),
        ("매출", "은(는)", "은"),
        ("상품", "와(과)", "과"),
        # no final consonant takes 를 / 가 / 는 / 와
        ("세그먼트", "을(를)", "를"),
        ("고객 ID 사과", "이(가)", "가"),
        ("프로모션 코드", "은(는)", "는"),
        ("이메일 쿠폰 할인", "와(과)", "과"),
        ("VIP 고객 리스트", "와(과)", "와"),
        # digits read as Korean numbers: 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구, 0 영
        ("고객 12", "이(가)", "가"),
        ("고객 13", "이(가)", "이"),
        ("주문 10", "은(는)", "은"),
        ("주문 9", "은(는)", "는"),
        # Latin letters by their Korean names: L 엘, M 엠, N 엔, R 알 end in a consonant
        ("`rfm`", "을(를)", "을"),
        ("CSV", "를(을)", "를"),
        # (으)로: a final ㄹ takes 로 like a vowel
        ("서울", "(으)로", "로"),
        ("부산", "(으)로", "으로"),
        ("학교", "(으)로", "로"),
    ],
)
def test_particle_follows_the_final_sound(word, pair, expected):
    assert particle(word, pair) == expected


def test_final_sound_skips_closing_marks_and_gives_up_on_symbols():
    assert final_sound("“구매”") == "vowel"
    assert final_sound("월)") == "rieul"
    assert final_sound("…") is None
    assert particle("…", "을(를)") == "을(를)"  # no sound to go by: both forms stay


def test_templates_are_filled_with_the_right_particles():
    assert particles("2022년 7월을(를) 2022년 6월와(과) 비교했습니다.") == "2022년 7월을 2022년 6월과 비교했습니다."
    assert particles("2022년 6–7월을(를) 2022년 4–5월와(과) 비교했습니다.") == (
        "2022년 6–7월을 2022년 4–5월과 비교했습니다."
    )
    text = strings.tr("ko", "kpi_help", period="2022년 7월", previous="2022년 6월")
    assert text == "2022년 7월을 2022년 6월과 비교했습니다."
    assert strings.tr("ko", "not_found", id="A-1002") == "결과에 고객 A-1002가 없습니다."
    assert strings.tr("ko", "not_found", id="user_7") == "결과에 고객 user_7이 없습니다."
    # English is left alone
    assert strings.tr("en", "kpi_help", period="Jul 2022", previous="Jun 2022") == "Jul 2022 compared with Jun 2022."
