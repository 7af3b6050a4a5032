"""The 进度 area's figures: deadlines from the regulation, per-college counts that add up."""

from datetime import date

from click.testing import CliRunner

from xueji_testkit import make_student
from xueji_tui.cli import cli
from xueji_tui.domain.progress import deadlines, default_term_start
from xueji_tui.services.progress import progress
from xueji_tui.services.changes import change
from xueji_tui.services.students import verify
from xueji_tui.domain.status import ChangeRequest


def test_deadlines_follow_the_regulation():
    d = {x.article + x.title[:4]: x for x in deadlines(date(2026, 9, 7), date(2026, 10, 1))}
    assert d["第九条新生入学"].due == date(2026, 12, 7)
    assert d["第二十一条学年电子"].due == date(2026, 11, 7)
    assert d["第二十一条学年电子"].days_left == 37
    assert d["第二十一条学年电子"].due > date(2026, 10, 30)
    assert deadlines(date(2026, 9, 1), date(2026, 12, 2))[-1].label.startswith("已过")
    assert default_term_start(date(2027, 3, 1)) == date(2026, 9, 1)


def test_college_progress_adds_up(office, tmp_path):
    today = date(2022, 10, 1)  # the test school's freshmen entered in 2022
    p = progress(office, today)
    assert p.school_year == 2022 and p.total.freshmen == 60
    assert sum(c.freshmen for c in p.colleges) == p.total.freshmen
    s = make_student(0)
    for f in ("KSH", "XM", "XB", "MZ", "CSRQ", "SFZH", "RXRQ", "XZ", "YXMC", "ZYMC", "CC", "LQLX", "ZP"):
        verify(office, s["XH"], f, "ok")
    verify(office, make_student(3)["XH"], "MZ", "wrong", "满族", "户口本", evidence="公安证明 1号")
    change(office, make_student(6)["XH"], ChangeRequest(code="0501", date="20220915"))
    p = progress(office, today)
    wen = next(c for c in p.colleges if c.college == "文学院")
    assert (wen.freshmen_verified, wen.wrong, wen.open_requests, wen.postponed) == (1, 1, 1, 1)
    # 已注册 counts the freshmen holding a 学籍: not one whose registration is postponed (was: anyone no
    # longer 待注册, so 已注册 could exceed 核对完成)
    assert wen.freshmen_registered == wen.freshmen - 1
    assert p.total.in_school == 60


def test_settings_command(school):
    r = CliRunner().invoke(cli, ["--data", str(school), "--clerk", "office1", "settings", "--term-start", "2022-09-05"])
    assert r.exit_code == 0 and "20220905" in r.output
    r = CliRunner().invoke(cli, ["--data", str(school), "--clerk", "wenxue", "settings", "--term-start", "20220905"])
    assert r.exit_code == 3
    r = CliRunner().invoke(cli, ["--data", str(school), "--clerk", "office1", "settings", "--term-start", "20220231"])
    assert r.exit_code == 2


def test_a_freshman_holds_a_xueji_once_registered_and_not_after_giving_up_the_place():
    from xueji_tui.domain.progress import has_xueji

    assert [has_xueji(s) for s in ("待注册", "暂缓注册", "保留入学资格", "放弃入学资格", "取消入学资格")] == [False] * 5
    assert all(has_xueji(s) for s in ("注册学籍", "休学(病休)", "保留学籍", "退学"))
