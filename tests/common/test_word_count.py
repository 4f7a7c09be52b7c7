"""The word counting rule: each CJK character is a word, and each run of other
letters, marks or digits is a word. The cases live in JSON so that the browser's
counter can be held to exactly the same ones."""

import json
from pathlib import Path

import pytest

from artsprize.common.text import count_words

CASES_FILE = Path(__file__).with_name("word_count_cases.json")
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def test_every_case_is_a_text_and_its_count():
    assert CASES
    assert all(set(case) == {"text", "words"} for case in CASES)
    assert all(
        isinstance(case["text"], str) and isinstance(case["words"], int)
        for case in CASES
    )
    texts = [case["text"] for case in CASES]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "case", CASES, ids=[ascii(case["text"])[1:-1][:40] or "empty" for case in CASES]
)
def test_word_count(case):
    assert count_words(case["text"]) == case["words"]


def test_no_text_has_no_words():
    assert count_words(None) == 0
