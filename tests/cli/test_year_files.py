"""The year's files through the command line: the school's placement file, the intake summary and
its due-back list, the 奖惩 upload, and `xueji progress` with the numbers of the 进度 area."""

from __future__ import annotations

import json
from datetime import date

import dbfread
import openpyxl
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.services.progress import progress
from xueji_tui.services.session import Session, clerk_from
from xueji_tui.store import open_store


def x(school, *args, clerk="office1"):
    return CliRunner().invoke(cli, ["--data", str(school), "--clerk", clerk, *args])


def put(school, students):
    store = open_store(school)
    with store.write("office1", "测试") as tx:
        tx.put_many(students)
        tx.log("import", why="测试")


def test_placement_file_checked_for_unique_numbers(school, tmp_path):
    fresh = [make_student(700 + i, year=2026, status="待注册", XH="", FY="", BH="", XSH="", YJBYRQ="") for i in range(4)]
    put(school, fresh)
    taken = open_store(school).get(make_student(1)["KSH"])["XH"]
    f = tmp_path / "编班.csv"
    f.write_text("考生号,学号,学院,班号\n"
                 f"{fresh[0]['KSH']},2026000701,文学院,汉文2601\n"
                 f"{fresh[1]['KSH']},2026000702,不存在学院,汉文2601\n"
                 f"{fresh[2]['KSH']},{taken},文学院,汉文2601\n"
                 f"{fresh[3]['KSH']},2026000777,外国语学院,英语2601\n"
                 f"99999999999999,2026000777,外国语学院,英语2601\n", "utf-8-sig")
    before = tree_digest(school)
    r = x(school, "import", "placement", str(f), "--dry-run")
    assert r.exit_code == 0 and tree_digest(school) == before
    assert "不在专业目录中" in r.output and f"学号 {taken} 已属于" in r.output and "出现 2 次" in r.output
    r = x(school, "import", "placement", str(f), "--yes")
    assert r.exit_code == 0, r.output
    got = open_store(school).get(fresh[0]["KSH"])
    assert (got["XH"], got["FY"], got["BH"], got["YJBYRQ"]) == ("2026000701", "文学院", "汉文2601", "20300630")
    assert not open_store(school).get(fresh[2]["KSH"])["XH"]
    assert (tmp_path / "编班.rejects.csv").exists()
    assert x(school, "import", "placement", str(f), "--yes", clerk="wenxue").exit_code == 3


def test_intake_summary_adds_up_and_lists_who_is_due_back(school, tmp_path):
    keep = {"id": "E1", "code": "1401", "type": "保留入学资格", "reason": "应征入伍", "kind": "status",
            "date": "20240915", "approved": "", "doc": "吉师大学字〔2024〕9号", "note": "", "from": "待注册",
            "to": "保留入学资格", "fields": {}}
    cohort = [make_student(800 + i, year=2026, status=st) for i, st in
              enumerate(["注册学籍", "注册学籍", "待注册", "放弃入学资格", "取消入学资格", "保留入学资格", "暂缓注册"])]
    back = make_student(900, year=2024, status="保留入学资格", history=[keep])
    put(school, cohort + [back])
    out = tmp_path / "汇总.xlsx"
    r = x(school, "export", "intake", "--year", "2026", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    total = dict(zip(head, rows[-1]))
    assert total[head[0]] == "合计"
    num = lambda v: int(v)  # noqa: E731
    cols = [h for h in head[2:]]
    assert num(total[cols[0]]) == 7 == sum(num(total[c]) for c in cols[1:])  # 录取 = 报到+放弃+保留+取消+未复查
    assert [num(total[c]) for c in cols] == [7, 3, 1, 1, 1, 1]
    for row in rows[1:-1]:
        assert num(row[2]) == sum(num(v) for v in row[3:])
    due = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(due) == 2 and due[1][0] == back["KSH"] and "应征入伍" in due[1]
    r = x(school, "export", "intake", "--year", "2026", "-o", str(tmp_path / "文学院.xlsx"), clerk="wenxue")
    assert r.exit_code == 0
    assert x(school, "export", "awards", clerk="wenxue").exit_code == 3


def test_awards_upload_carries_the_record_entries(school, tmp_path):
    s = make_student(3)
    assert x(school, "change", s["XH"], "7102", "--date", "20251201", "--note", "吉林省三好学生").exit_code == 0
    assert x(school, "change", s["XH"], "7201", "--date", "20251202", "--note", "考试违纪", "--doc", "学字5号").exit_code == 0
    out = tmp_path / "奖惩.dbf"
    r = x(school, "export", "awards", "--year", "2025", "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = list(dbfread.DBF(str(out), encoding="gbk"))
    assert [(r["KSH"], r["JZLX"], r["JZMM"], r["JZYY"], r["JZRQ"]) for r in rows] == [
        (s["KSH"], "奖励", "省级", "吉林省三好学生", "20251201"), (s["KSH"], "处分", "警告", "考试违纪", "20251202")]
    assert rows[1]["WH"] == "学字5号"
    assert x(school, "export", "awards", "--year", "2019", "-o", str(tmp_path / "无.dbf")).exit_code == 1


def test_progress_prints_the_numbers_of_the_progress_area(school):
    put(school, [make_student(600 + i, year=date.today().year if date.today().month >= 9 else date.today().year - 1,
                              status="待注册") for i in range(5)])
    r = x(school, "progress", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    store = open_store(school)
    want = progress(Session(store, clerk_from(store, "office1")))
    assert [d["title"] for d in got["deadlines"]] == [d.title for d in want.deadlines]
    assert [d["days_left"] for d in got["deadlines"]] == [d.days_left for d in want.deadlines]
    assert got["total"]["freshmen"] == want.total.freshmen == 5
    plain = x(school, "progress").output
    assert "第九条" in plain and "第二十一条" in plain and "新生核对完成" in plain
    assert all(d.label in plain for d in want.deadlines)
    mine = json.loads(x(school, "progress", "--json", clerk="wenxue").output)
    assert {c["college"] for c in mine["colleges"]} == {"文学院"}
