"""The reference reproduces the chapter's four printed traces, line for line."""

import subprocess
import sys

from conftest import ROOT


def chapter_blocks() -> list[str]:
    text = (ROOT / "tests" / "data" / "seed_traces.txt").read_text(encoding="utf-8")
    blocks = [b.strip() for b in text.split("\n\n")]
    return ["\n".join(line for line in b.splitlines() if not line.startswith("# "))
            for b in blocks if b]


def test_reference_script_prints_the_chapter_traces_exactly():
    out = subprocess.run([sys.executable, str(ROOT / "solutions" / "linear_backprop.py")],
                         capture_output=True, text=True, check=True).stdout
    printed = [block.strip() for block in out.split("\n\n")]
    expected = chapter_blocks()
    assert len(expected) == 4
    assert printed == expected
