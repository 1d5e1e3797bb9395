"""Regenerate src/stillmotion/director/realwords.py from a local English word list.

    python scripts/realwords.py /usr/share/dict/american-english            # report only
    python scripts/realwords.py /usr/share/dict/american-english --write    # rewrite the file

REAL_WORDS are the real words the typo corrector must leave alone because they lie an edit or
two from a vocabulary word ("streaks" is not "streams"). When a phrase list grows, new real
words come near the new vocabulary words: run this. Any plain word list works (Debian's
`wamerican` or `wbritish` packages install one; several files may be given); nothing is
downloaded. Each word is tried with its plain inflections (-s, -es, -d, -ed, -er, -ing, -ly).

The update only adds what the corrector would now change and drops what it would not change
anyway, so words missing from the given list keep their protection, and dropping changes no
reading. Newly protected words are no longer corrected: run the prompt suite afterwards, and
put a real word that in prompts is nearly always a misspelling ("lightening") in MEANT_AS_TYPOS.
Run from the repository root with PYTHONPATH=src; it takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
from pathlib import Path

from stillmotion.director import realwords, words

TARGET = Path(realwords.__file__)
SUFFIXES = ("s", "es", "d", "ed", "er", "ing", "ly")
# Real words that in a prompt are nearly always a misspelling, so they stay corrected.
MEANT_AS_TYPOS = frozenset({"lightening"})


def inflections(word: str) -> set[str]:
    forms = {word} | {word + suffix for suffix in SUFFIXES}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word[:-1] + "er"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    return forms


def read_words(paths: list[str]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            word = line.strip().lower()
            if len(word) >= 4 and word.isascii() and word.isalpha():
                found.add(word)
    return found


def would_correct(candidates: set[str]) -> set[str]:
    """The candidates the corrector changes when no word is protected."""
    protected = words.REAL_WORDS
    words.REAL_WORDS = frozenset()
    try:
        return {w for w in candidates if words.correct_typo(w) is not None}
    finally:
        words.REAL_WORDS = protected


def render(real: set[str]) -> str:
    doc = realwords.__doc__.strip()
    body = textwrap.fill(" ".join(sorted(real)), width=110, break_long_words=False, break_on_hyphens=False)
    return f'"""{doc}\n"""\n\nREAL_WORDS = frozenset("""\n{body}\n""".split())\n'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wordlists", nargs="+", help="plain word list files, one word a line")
    parser.add_argument("--write", action="store_true", help=f"rewrite {TARGET.name}")
    args = parser.parse_args(argv)
    try:
        listed = read_words(args.wordlists)
    except OSError as exc:
        print(f"error: cannot read a word list: {exc}", file=sys.stderr)
        return 2
    candidates = set().union(*(inflections(w) for w in listed))
    needed = would_correct(candidates | set(realwords.REAL_WORDS)) - MEANT_AS_TYPOS
    old = set(realwords.REAL_WORDS)
    added, dropped = sorted(needed - old), sorted(old - needed)
    print(f"{len(listed)} words, {len(candidates)} forms; REAL_WORDS {len(old)} -> {len(needed)}: "
          f"{len(added)} added, {len(dropped)} no longer needed")
    if added:
        print("added:", " ".join(added[:40]) + (" ..." if len(added) > 40 else ""))
    if args.write and (added or dropped):
        fd, tmp = tempfile.mkstemp(dir=TARGET.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render(needed))
        os.replace(tmp, TARGET)
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
