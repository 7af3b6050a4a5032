"""The keyboard traps a clerk met (issue: never trapped, never surprised), each replayed on the real
``xueji`` in tmux as a key sequence, with what the screen then shows asserted."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from tmux_kit import TMUX, Terminal, command

from xueji_tui.domain.record import ROW
from xueji_tui.services.session import open_session

pytestmark = [pytest.mark.slow, pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")]

LOADED = "显示 60 / 60"


def rows(data_dir, **want) -> list[list]:
    return [r for r in open_session(data_dir, "office1").store.rows() if all(r[ROW[k]] == v for k, v in want.items())]


def stored(data_dir, ksh: str) -> dict:
    return open_session(data_dir, "office1").store.get(ksh)


def start(terminals, data_dir, home, clerk="office1", size=(80, 24), name="a") -> Terminal:
    t = Terminal(terminals, name, command(data_dir, clerk, home), size)
    t.wait(LOADED if clerk.startswith("office") else "显示 ")
    return t


def joined(shown: str) -> str:
    """The screen's lines stripped and joined: text the app wrapped reads as one line again."""
    return "".join(line.strip() for line in shown.splitlines())


def open_student(t: Terminal, xh: str) -> None:
    t.keys("/")
    t.text(xh)
    t.keys("Enter")
    t.wait(f"学号 {xh}")


def test_files_area_does_not_take_the_keys(data_dir, home, terminals):
    """Was: 5 put the cursor in the path box, and ?, Esc, 1 were typed into it (it showed '?1')."""
    t = start(terminals, data_dir, home)
    t.keys("5")
    t.wait("导入（i）")
    t.keys("?")
    t.wait("5 文件 · 按键")
    t.keys("Escape")
    t.gone("5 文件 · 按键")
    t.keys("1")
    shown = t.wait(LOADED)
    assert "学籍状态" in shown
    t.keys("5")
    shown = t.wait("导入（i）")
    path_row = next(line for line in shown.splitlines() if line.startswith("文件"))
    assert "?1" not in path_row and "路径（→ 补全）" in path_row
    # in a text box the keys are typed; Esc leaves it, and then the area keys work again. Tab to the
    # path box: there the footer drops the keys a text box takes (/ 筛选). On a busy machine the area
    # may still be restoring its focus when the first Tab comes, so Tab until the footer says so.
    for _ in range(4):
        t.keys("Tab")
        if "/ 筛选" not in t.settle().splitlines()[-1]:
            break
    t.text("/tmp/x?1")
    t.wait("/tmp/x?1")
    t.keys("Escape", "6")
    t.wait("各学院进度")


def test_ctrl_o_on_the_import_tab_shows_the_export_form(data_dir, home, terminals):
    """Was: ctrl+o on 导入 wrote an upload file at once into the current directory."""
    before = set(home.iterdir())
    t = start(terminals, data_dir, home)
    t.keys("5")
    t.wait("导入（i）")
    t.keys("C-o")
    shown = t.wait("先选导出类型和输出位置")
    assert "输出目录" in shown and f"{home}/学籍注册-" in joined(shown)  # the full path, before writing
    assert set(home.iterdir()) == before  # nothing written yet
    t.gone("按 ctrl+o 写出")  # the hint's toast has gone: the result is in full view
    t.keys("C-o")  # now on the form: it writes, to the full path shown
    shown = t.wait("已写出")
    written = set(home.iterdir()) - before
    assert len(written) == 1 and str(next(iter(written))) in joined(shown)


def test_status_form_chooses_nothing_and_asks_before_an_expulsion(data_dir, home, terminals):
    """Was: s preselected the first code (ctrl+s saved 0101), 开除 picked 4201, 4204 saved unasked."""
    row = rows(data_dir, status="注册学籍")[3]
    t = start(terminals, data_dir, home)
    open_student(t, row[ROW["XH"]])
    t.keys("s")
    t.wait("尚未选择原因")
    t.keys("C-s")
    t.wait("请先选择原因代码")
    assert stored(data_dir, row[0])["status"] == "注册学籍"
    t.text("开除 作弊")
    t.wait("已选：4204 开除学籍·替考")
    t.keys("Tab", "Tab")  # 生效日期 → 批准日期
    t.text(date.today().strftime("%Y%m%d"))
    t.keys("Tab")  # → 文号
    t.text("吉师大教字〔2025〕40号")
    t.keys("C-s")
    shown = t.wait("学籍状态 注册学籍 → 开除学籍")
    assert "确认办理 4204" in shown and "吉师大教字〔2025〕40号" in shown and row[ROW["XM"]] in shown
    t.keys("n")
    t.wait("已取消")
    assert stored(data_dir, row[0])["status"] == "注册学籍"
    t.keys("C-s")
    t.wait("学籍状态 注册学籍 → 开除学籍")
    t.keys("y")
    t.wait("已办理 4204")
    assert stored(data_dir, row[0])["status"] == "开除学籍"


def test_keys_after_opening_from_the_filter_go_to_the_list(data_dir, home, terminals):
    """Was: /, a 学号, Enter, Esc, f — the filter read '2023010005f' and showed 0 rows."""
    row = rows(data_dir, status="注册学籍")[0]
    t = start(terminals, data_dir, home)
    open_student(t, row[ROW["XH"]])
    t.keys("Escape")
    t.wait("显示 1 / 60")
    t.keys("f")
    shown = t.wait("筛选条件")
    assert row[ROW["XH"]] + "f" not in shown


def test_palette_students_replace_each_other_and_1_lands_on_the_roster(data_dir, home, terminals):
    """Was: students opened from ctrl+p piled up (three Esc back); 1 went back to an old student page."""
    picks = rows(data_dir, status="注册学籍")[:3]
    t = start(terminals, data_dir, home)
    for r in picks:
        t.keys("C-p")
        t.wait("输入命令，或学号")  # the palette speaks Chinese
        t.text(r[ROW["XH"]])
        t.wait(f"学号 {r[ROW['XH']]}")
        t.keys("Enter")
        t.wait(f"考生号 {r[ROW['KSH']]}")
    t.keys("Escape")
    shown = t.wait(LOADED)
    assert "考生号 " + picks[-1][ROW["KSH"]] not in shown
    t.keys("C-p")
    t.wait("输入命令，或学号")  # keys typed before the palette is open would go to the roster
    t.text(picks[0][ROW["XH"]])
    t.wait(f"学号 {picks[0][ROW['XH']]}")
    t.keys("Enter")
    t.wait(f"考生号 {picks[0][ROW['KSH']]}")
    t.keys("2")
    t.wait("待核")
    t.keys("1")
    shown = t.wait(LOADED)
    assert f"考生号 {picks[0][ROW['KSH']]}" not in shown


def test_student_page_closes_when_the_student_leaves_the_college(data_dir, home, terminals):
    """Was: after a 转专业 out of the clerk's college the page stayed and every key said 'outside'."""
    row = rows(data_dir, status="注册学籍", FY="文学院")[0]
    t = start(terminals, data_dir, home, clerk="wenxue")
    open_student(t, row[ROW["XH"]])
    done = subprocess.run([sys.executable, "-m", "xueji_tui", "--data", str(data_dir), "--clerk", "office2",
                           "change", row[ROW["XH"]], "2301", "--date", "20250915", "--doc", "吉师大教字〔2025〕31号",
                           "--approved", "20250914", "--to-major", "080901", "--to-class", "计算机2502"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    shown = t.wait("学生页已关闭")
    assert "已不属于文学院" in _toast_text(shown)
    shown = t.wait("显示 ")
    assert f"考生号 {row[ROW['KSH']]}" not in shown  # the page is closed


def test_keys_sent_fast_after_enter_land_in_their_fields(data_dir, home, terminals):
    """Was: keys sent fast after Enter in a form landed in another field (pastes, scripts)."""
    row = rows(data_dir, status="注册学籍")[1]
    t = start(terminals, data_dir, home)
    t.keys("/")
    t.burst(row[ROW["XH"]], "Enter", "s")  # the filter, the student, the form: one write
    t.wait("尚未选择原因")
    t.burst("1101", "Enter", "20250915", "Enter", "20250914", "Enter", "吉师大教字〔2025〕3号", "Enter", "病休",
            "C-s")
    t.wait("已办理 1101")
    entry = stored(data_dir, row[0])["history"][-1]
    assert (entry["code"], entry["date"], entry["approved"], entry["doc"], entry["note"]) == \
        ("1101", "20250915", "20250914", "吉师大教字〔2025〕3号", "病休")


def _toast_text(shown: str, width: int = 80, marker: str = "▌") -> str:
    """The text of the toasts on the screen, their lines joined: what is right of their bar, at the cell
    where the bar is on most lines (characters left of it may be wide), as wide as a toast's text."""
    from collections import Counter

    from rich.cells import cell_len

    from xueji_tui.screens.messages import toast_width

    def cells(line: str) -> list[tuple[int, str]]:
        out, x = [], 0
        for ch in line:
            out.append((x, ch))
            x += cell_len(ch)
        return out

    lines = [cells(line) for line in shown.splitlines()]
    bars = Counter(x for line in lines for x, ch in line if ch == marker)
    if not bars:
        return ""
    bar = bars.most_common(1)[0][0]
    text_from, text_to = bar + 2, bar + 2 + toast_width(width)
    out = []
    for line in lines:
        if any(x == bar and ch == marker for x, ch in line):
            out.append("".join(ch for x, ch in line if text_from <= x < text_to).strip())
    return "".join(out)


def test_wide_characters_stay_whole_in_toasts_and_after_a_select_closes(data_dir, short_home, terminals):
    """Was: toasts dropped characters next to wide ones ('请先更正  些学生的'); a closed select left half a
    wide character behind."""
    from xueji_tui.store import open_store

    store = open_store(data_dir)
    long_name = "阿卜杜热合曼江·麦麦提吐尔荪·阿卜杜克热木江"  # 44 GBK bytes: too long for the upload file
    row = rows(data_dir, status="注册学籍")[2]
    with store.write("office1", "测试：长姓名") as tx:
        s = tx.get(row[0])
        s["XM"] = long_name
        tx.put(s)
        tx.log("edit", ksh=s["KSH"], field="XM", new=long_name)
    home = short_home
    t = start(terminals, data_dir, home)
    t.keys("5", "o")
    t.wait("输出目录")
    # the select over Chinese rows: open, move, choose; every row under it is whole afterwards
    t.keys("Tab", "Enter")
    t.wait("学籍异动")
    t.keys("Down", "Enter")
    want = {"类型": "学籍异动", "格式": "DBF 上报文件", "年份": "可空", "学院": "可空：全校", "输出目录": str(home),
            "文件名": "可空：按类型和日期取名"}

    def form_whole(shown: str) -> bool:
        lines = [line.rstrip() for line in shown.splitlines()]
        for label, value in want.items():
            line = next((x for x in lines if x.startswith(label)), "")
            if line[len(label):].strip().rstrip("▼").strip() != value:
                return False
        return True

    # nothing left over from the list that was over it: on a busy machine the repaint may take a while,
    # so wait for the whole form (a leftover fragment never goes away and fails here), then check it
    # has stayed so once the screen stopped changing
    t.until(form_whole, "the form with every row whole")
    assert form_whole(t.settle()), t.screen()
    t.keys("Enter", "Up", "Enter")  # back to 学籍注册结果
    t.wait("类型        学籍注册结果")
    t.keys("C-o")
    shown = t.wait("未导出")
    toast = _toast_text(shown)
    assert "请先更正这些学生的数据" in toast and long_name in toast, toast
    assert "字段" not in toast or "XM" not in toast  # the field by its name, not its code


def test_chase_list_goes_to_the_output_folder_with_its_full_path(data_dir, home, terminals):
    """Was: the chase list was written to the current directory and only a relative name was shown."""
    t = start(terminals, data_dir, home)
    t.keys("3")
    t.wait("届毕业生照片")
    t.keys("x")
    shown = t.wait("导出照片催办名单")
    assert "写到" in shown and str(home)[:40] in shown
    t.keys("C-s")
    shown = t.wait("催办名单已写入")
    written = list(home.glob("照片催办-*.xlsx"))
    assert len(written) == 1 and str(written[0]) in _toast_text(shown), _toast_text(shown)
    # again: the file is there, so it asks before replacing it
    t.keys("x")
    t.wait("导出照片催办名单")
    t.keys("C-s")
    t.wait("覆盖已有的文件？")
    t.keys("n")
    t.wait("未覆盖")


def test_quit_asks_in_chinese_and_ctrl_c_says_how(data_dir, home, terminals):
    t = start(terminals, data_dir, home)
    t.keys("C-c")
    shown = t.wait("要退出吗？")
    assert "ctrl+q" in shown and "Do you want" not in shown
    t.keys("q")
    t.wait("退出 xueji？")
    t.keys("n")
    t.gone("退出 xueji？")
    t.keys("q", "q")
    t.wait("XUEJI-EXITED-0")


def test_at_80_columns_the_roster_shows_the_status_before_the_exam_number(data_dir, home, terminals):
    t = start(terminals, data_dir, home)
    head = next(line for line in t.screen().splitlines() if line.startswith("学号"))
    assert "学籍状态" in head and head.index("学籍状态") < head.index("考生号")
