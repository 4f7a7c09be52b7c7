"""Fail when a catalogue has an untranslated or fuzzy entry.

Usage: python scripts/check_translations.py locale/zh_Hant/LC_MESSAGES/*.po
"""

import re
import subprocess
import sys


def statistics(path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", path],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None, result.stderr.strip()
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(
        r"(\d+) (translated|fuzzy|untranslated)", result.stderr
    ):
        counts[kind] = int(number)
    return counts, result.stderr.strip()


def main(paths):
    if not paths:
        print("No catalogues given.")
        return 1
    failed = False
    for path in paths:
        counts, text = statistics(path)
        if counts is None:
            print(f"{path}: msgfmt refused it: {text}")
            failed = True
        elif counts["fuzzy"] or counts["untranslated"]:
            print(f"{path}: {text}")
            failed = True
        else:
            print(f"{path}: {counts['translated']} messages, all translated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
