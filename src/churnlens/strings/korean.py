"""Korean particles chosen from the word before them: 을/를, 이/가, 은/는, 와/과, 으로/로.

A template writes both forms, ``{period}을(를)``; `particles` replaces every such pair with the
one form that fits the final sound of the word before it: a final consonant (batchim) takes
을, 이, 은, 과, 으로, none takes 를, 가, 는, 와, 로 (and a final ㄹ takes 로). Digits are read as
Korean numbers (1 일, 2 이, 3 삼 ...), Latin letters by their Korean names (L 엘, M 엠, N 엔, R 알
end in a consonant), so ``2022년 7월을`` and ``고객 12가`` come out right.
"""

from __future__ import annotations

import re

#: Both-form notations in templates -> (form after a final consonant, form after a vowel).
PAIRS: dict[str, tuple[str, str]] = {
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "으로(로)": ("으로", "로"),
}
_PAIR = re.compile("|".join(re.escape(p) for p in sorted(PAIRS, key=len, reverse=True)))
#: Final jamo index of ㄹ in a precomposed Hangul syllable.
_RIEUL = 8
#: Digits whose Korean reading ends in a consonant (영 일 삼 육 칠 팔), and the one ending in ㄹ.
_DIGIT_BATCHIM = set("013678")
_DIGIT_RIEUL = set("178")
_LETTER_BATCHIM = set("lmnr")
#: Characters skipped when looking for the word's final sound (closing quotes, brackets, marks).
_SKIP = set(" \t`'\"’”)]}»>*_%.")


def final_sound(word: str) -> str | None:
    """``"consonant"``, ``"rieul"`` (final ㄹ), ``"vowel"``, or None when the word gives no sound."""
    for ch in reversed(word):
        if ch in _SKIP:
            continue
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            final = code % 28
            return "vowel" if final == 0 else "rieul" if final == _RIEUL else "consonant"
        if ch.isdigit():
            return "rieul" if ch in _DIGIT_RIEUL else "consonant" if ch in _DIGIT_BATCHIM else "vowel"
        low = ch.lower()
        if "a" <= low <= "z":
            return "rieul" if low in ("l", "r") else "consonant" if low in _LETTER_BATCHIM else "vowel"
        return None
    return None


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` (e.g. ``"을(를)"``) that follows ``word``; both forms when unknown."""
    with_final, without = PAIRS[pair]
    sound = final_sound(word)
    if sound is None:
        return pair
    if with_final == "으로":
        return "으로" if sound == "consonant" else "로"
    return with_final if sound in ("consonant", "rieul") else without


def particles(text: str) -> str:
    """``text`` with every both-form particle resolved from the text just before it."""
    out: list[str] = []
    last = 0
    for m in _PAIR.finditer(text):
        out.append(text[last : m.start()])
        out.append(particle("".join(out), m.group(0)))
        last = m.end()
    out.append(text[last:])
    return "".join(out)
