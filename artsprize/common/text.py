"""Counting words the same way in English and Chinese.

Each CJK character (Han, kana, bopomofo) is a word, and each run of other letters,
marks or digits is a word. ``static/js/wordcount.js`` applies the same rule in the
browser; ``tests/common/word_count_cases.json`` holds the cases both must pass.
"""

import unicodedata

_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3038, 0x303B),
    (0x3041, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x31A0, 0x31BF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF66, 0xFF9D),  # half-width katakana
    (0x20000, 0x323AF),  # extensions B and later
)


def is_cjk(char):
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_word_char(char):
    return unicodedata.category(char)[0] in "LMN"


def count_words(text):
    words = 0
    in_run = False
    for char in text or "":
        if is_cjk(char):
            words += 1
            in_run = False
        elif _is_word_char(char):
            if not in_run:
                words += 1
                in_run = True
        else:
            in_run = False
    return words
