"""Chinese line breaking (screens/wrap.py), the UI's wording of service messages (screens/words.py) and
the ranked reason search the status form uses (domain/codes.py)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from xueji_tui.domain.codes import codes
from xueji_tui.screens.words import for_screen
from xueji_tui.screens.wrap import NO_END, NO_START, break_line, break_text

PIECES = ["请先更正", "这些学生的数据", "，", "。", "、", "：", "（", "）", "“", "”", "学号", " ", "2023010005",
          "/home/office1/学籍注册-20250920.dbf", "GBK", "阿卜杜热合曼江·麦麦提", "𠮷", "；", "…"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(min_value=8, max_value=60))
def test_lines_fit_and_keep_every_character(pieces, width):
    text = "".join(pieces)
    lines = break_line(text, width)
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # only spaces at breaks go


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([p for p in PIECES if not p.isascii() and "/" not in p]), max_size=40),
       st.integers(min_value=8, max_value=60))
def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(pieces, width):
    text = "".join(pieces)
    marks = NO_START | NO_END
    assume(not any(a in marks and b in marks for a, b in zip(text, text[1:])))  # text, not a run of marks
    lines = break_line(text, width)
    for before, line in zip(lines, lines[1:]):
        assert line[:1] not in NO_START, (before, line)
        assert before.rstrip()[-1:] not in NO_END, (before, line)


def test_the_messages_of_the_issue_break_the_chinese_way():
    text = "选择类型和文件，回车预览：先看新增、变更、冲突、拒收，确认后再应用。"
    assert break_text(text, 64).split("\n") == ["选择类型和文件，回车预览：先看新增、变更、冲突、拒收，确认后再应", "用。"]
    shown = break_text("无法写出 /home/a/学籍注册-20261201.dbf：4 处取值不符合文件格式，未写出任何文件。", 36)
    assert all(line[:1] not in NO_START for line in shown.split("\n"))


def test_command_line_words_become_the_forms_words():
    assert for_screen("请填写生效日期 --date YYYYMMDD") == "请填写生效日期（YYYYMMDD）"
    assert for_screen("转专业须填写新专业代码（--to-major）和新班号（--to-class）") == "转专业须填写新专业代码和新班号"
    assert for_screen("休学须填写批准文号（--doc，如 吉师大教字〔2025〕31号）") == "休学须填写批准文号（如 吉师大教字〔2025〕31号）"
    assert for_screen("x 是目录；请用 -o 指定文件名") == "x 是目录；请写出文件名"
    assert "勾选“只导出通过预审的毕业生”" in for_screen("或加 --skip-invalid 只导出通过预审的学生")
    assert for_screen("考生号 1（学号 2） 字段 XM 姓名“王𠮷”：无法用 GBK 编码") == "考生号 1（学号 2） 姓名“王𠮷”：无法用 GBK 编码"
    assert for_screen("第 3 行 字段 SFZH 的内容") == "第 3 行 字段 身份证号 的内容"
    # was: a refused export's list of students showed "\x0a" where each line ends
    assert for_screen("无法写出：\n  考生号 1 姓名\x1b“王”") == "无法写出：\n  考生号 1 姓名\\x1b“王”"


def test_reason_search_ranks_the_best_match_first():
    c = codes()

    def top(query: str, pool=None) -> list[str]:
        return [r.code for r in c.search_reasons(query, pool)]

    assert top("开除")[:8] == ["4201", "4202", "4203", "4204", "4205", "4206", "4207", "4208"]
    assert top("开除 作弊") == ["4204"] and top("开除作弊") == ["4204"] and top("替考") == ["4204"]
    assert top("1101") == ["1101"] and top("11")[:4] == ["1101", "1102", "1103", "1199"]
    assert top("因病休学") == ["1101"]
    # an irreversible reason is first only when asked for by its code or its type's name
    from xueji_tui.domain.status import allowed_reasons

    registered = allowed_reasons("注册学籍", office=True)
    assert top("因病", registered)[0] == "1101" and top("死亡 因病", registered) == ["5101"]
    assert top("", registered) == [r.code for r in registered]  # nothing typed: the allowed list as is
    assert c.reasons["4204"].irreversible and c.reasons["1601"].irreversible and c.reasons["3106"].irreversible
    assert not c.reasons["1101"].irreversible and not c.reasons["1502"].irreversible
