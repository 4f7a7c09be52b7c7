"""Fail when a catalogue has an untranslated or fuzzy entry, or a Chinese message that
is not in Chinese.

A zh_Hant message must contain a Chinese character unless it is only codes, file types,
names, placeholders or e-mail addresses; a Latin word in it, with or without Chinese
around it, must be one of those (``ALLOWED_WORDS``, ``NOT_WORDS``); it must not contain
Japanese kana. That is what a catalogue copied from the wrong language, or half
translated, looks like: 「Inloggen」 for "Log in", 「authenticator 驗證器」.

Usage: python scripts/check_translations.py locale/zh_Hant/LC_MESSAGES/*.po
"""

import ast
import re
import subprocess
import sys

# Han ideographs, with extension A and the compatibility block.
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")

# What a Chinese message may keep as it is: codes, units, file types and names.
ALLOWED_WORDS = {
    "SHA-256",
    "KB",
    "MB",
    "GB",
    "TB",
    "ID",
    "QR",
    "IP",
    "PDF",
    "CSV",
    "XLSX",
    "Excel",
    "HTML",
    "JPEG",
    "PNG",
    "WebP",
    "GIF",
    "HEIC",
    "TIFF",
    "MP3",
    "MP4",
    "MOV",
    "WebM",
    "WAV",
    "M4A",
    "FLAC",
    "OGG",
    "Django",
    "JavaScript",
    "FreeOTP",
    "Markdown",
    "RSS",
    "Atom",
}

# Placeholders, e-mail addresses, addresses of pages, HTML tags and dotted codes
# (``submissions.round:3``) are not words a reader reads as language.
NOT_WORDS = re.compile(
    r"%\([A-Za-z_]\w*\)[sdif]"
    r"|%[sdif]"
    r"|\{[A-Za-z_]*\w*\}"
    r"|<[^>]*>"
    r"|&\w+;"
    r"|https?://\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[a-z_]+(?:\.[a-z_]+)+(?::\d+)?"
    r"|\b(?:Google|Microsoft) Authenticator\b"
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


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


def entries(path):
    """The entries of a .po file as dicts of ``msgctxt``, ``msgid``,
    ``msgid_plural`` and ``msgstr``/``msgstr[N]``; obsolete entries are left out."""
    found = []
    current = {}
    key = None
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                if line.startswith("#~"):
                    key = None
                continue
            match = re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line
            )
            if match:
                key = match.group(1)
                if key in {"msgctxt", "msgid"} and "msgid" in current:
                    found.append(current)
                    current = {}
                current[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key is not None:
                current[key] += ast.literal_eval(line)
    if "msgid" in current:
        found.append(current)
    return [entry for entry in found if entry.get("msgid")]


def language_problem(text):
    """Why a zh_Hant message is not Chinese, or None when it is."""
    if KANA.search(text):
        return "has Japanese kana"
    words = [
        w for w in WORD.findall(NOT_WORDS.sub(" ", text)) if w not in ALLOWED_WORDS
    ]
    if not words:
        return None
    if not CHINESE.search(text):
        return "has no Chinese character"
    return f"keeps words that are not Chinese: {' '.join(words)}"


def language_problems(path):
    problems = []
    for entry in entries(path):
        for key, text in entry.items():
            if key.startswith("msgstr") and text:
                problem = language_problem(text)
                if problem:
                    problems.append((entry["msgid"], text, problem))
    return problems


def main(paths):
    if not paths:
        print("No catalogues given.")
        return 1
    failed = []
    for path in paths:
        counts, text = statistics(path)
        if counts is None:
            print(f"{path}: msgfmt refused it: {text}")
            failed.append(path)
            continue
        if counts["fuzzy"] or counts["untranslated"]:
            print(f"{path}: {text}")
            failed.append(path)
        for msgid, msgstr, problem in language_problems(path):
            print(f"{path}: {msgid!r} → {msgstr!r} {problem}")
            failed.append(path)
        if path not in failed:
            print(f"{path}: {counts['translated']} messages, all translated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
