"""Files as students save them (issue #11, item 5): graded on their merits, or with one clear
message where Python itself could not read the file. Through `grader check --json`, real sandbox.
"""

import json

import pytest
from conftest import SUBMISSIONS, exercise_scores

CORRECT = (SUBMISSIONS / "correct_fstrings.py").read_text(encoding="utf-8")
FULL = {"derive-dz-db": 2.0, "iterate-by-hand": 2.0, "two-variable-solver": 6.0}
ZERO = dict.fromkeys(FULL, 0.0)
CHINESE = "# 反向传播：线性模型\n学习率 = 0.5  # 中文变量名\nprint('开始')\n"
MAIN_BLOCK = '''

if __name__ == "__main__":
    import matplotlib.pyplot as plt  # only when run as a script: never while graded

    double_variable_new(3, 4, 150)
    plt.plot([1, 2, 3])
    plt.show()
'''
TOP_LEVEL = "\n\ndouble_variable_new(3, 4, 150)\nprint('z =', 150, 'done!')\n"


def tabs(text: str) -> str:
    return "\n".join("\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line.lstrip(" ")
                     for line in text.split("\n"))


SAVED = {  # file bytes -> what they deserve
    "bom-crlf": ("\ufeff" + CORRECT.replace("\n", "\r\n")).encode("utf-8"),
    "tabs-crlf": tabs(CORRECT).replace("\n", "\r\n").encode("utf-8"),
    "gbk-declared": ("# -*- coding: gbk -*-\n" + CHINESE + CORRECT).encode("gbk"),
    "gbk-declared-crlf-second-line": ("#!/usr/bin/env python\r\n# coding=gb2312\r\n" + CHINESE
                                      + CORRECT).replace("\n", "\r\n").encode("gb2312"),
    "latin1-declared": ("# -*- coding: latin-1 -*-\n# café\n" + CORRECT).encode("latin-1"),
    "bom-and-utf8-cookie": ("\ufeff# -*- coding: utf-8 -*-\n" + CHINESE + CORRECT).encode(),
    "main-block": (CORRECT + MAIN_BLOCK).encode(),
    "top-level-calls": (CORRECT + TOP_LEVEL).encode(),
}
UNREADABLE = {  # file bytes -> the one message Python's own reading gives rise to
    "gbk-undeclared": (CHINESE + CORRECT).encode("gbk"),
    "bom-with-gbk-cookie": b"\xef\xbb\xbf# -*- coding: gbk -*-\n" + CORRECT.encode(),
    "unknown-cookie": ("# -*- coding: klingon -*-\n" + CORRECT).encode(),
}


@pytest.mark.parametrize("style", sorted(SAVED))
def test_a_file_as_saved_is_graded_on_its_merits(style, tmp_path, check_json):
    """Before: a BOM gave 0/10; a GBK file was decoded as UTF-8 with replacement characters."""
    path = tmp_path / "linear_backprop.py"
    path.write_bytes(SAVED[style])
    code, report = check_json(path)
    assert exercise_scores(report) == FULL, report["tests"][0]["output"]
    assert code == 0


@pytest.mark.parametrize(("style", "message"), [
    ("gbk-undeclared", "line 1 is not utf-8 text (byte 0xb7); save it as UTF-8, or name its "
                       "encoding on its first line (e.g. `# -*- coding: gbk -*-`)"),
    ("bom-with-gbk-cookie", "it begins with a UTF-8 byte-order mark but declares another "
                            "encoding"),
    ("unknown-cookie", "unknown encoding: klingon"),
])
def test_a_file_python_cannot_read_gets_one_clear_message(style, message, tmp_path, check_json):
    path = tmp_path / "linear_backprop.py"
    path.write_bytes(UNREADABLE[style])
    code, report = check_json(path)
    assert code == 1 and exercise_scores(report) == ZERO
    assert f"Python cannot read the file: {message}" in report["tests"][0]["output"]


def test_a_notebook_saved_with_a_bom_is_graded(tmp_path, check_json):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# 反向传播"},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": CHINESE + CORRECT}]}
    path = tmp_path / "linear_backprop.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(notebook, ensure_ascii=False).encode())
    code, report = check_json(path)
    assert code == 0 and exercise_scores(report) == FULL
