"""Counting words the same way in English and Chinese.

Each CJK character (Han, kana, bopomofo) is a word, and each run of other letters,
marks or digits is a word. ``static/js/wordcount.js`` applies the same rule in the
browser; ``tests/common/word_count_cases.json`` holds the cases both must pass.
"""

import re
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


# One pass of the regular expression engine finds them all, instead of a test of
# each character against each range in Python.
_CJK = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _CJK_RANGES) + "]"
)


def _is_word_char(char):
    return unicodedata.category(char)[0] in "LMN"


def count_words(text):
    text = text or ""
    words = len(_CJK.findall(text))
    in_run = False
    # Each CJK character counted, it ends a run of other letters like a space.
    for char in _CJK.sub(" ", text):
        if _is_word_char(char):
            if not in_run:
                words += 1
                in_run = True
        else:
            in_run = False
    return words
