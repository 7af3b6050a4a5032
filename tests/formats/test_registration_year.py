"""The registration upload and the school year's 学年注册 (Art. 13): CHSI is never told a returning
student is registered for the year before the year's registration made them so."""

from __future__ import annotations

from datetime import date

import dbfread
from filekit import run

from xueji_testkit import make_student
from xueji_tui.domain.progress import school_year_of
from xueji_tui.store import open_store

S = {i: make_student(i) for i in range(60)}


def _kshs(path) -> set[str]:
    return {r["KSH"] for r in dbfread.DBF(str(path), encoding="gbk")}


def test_once_the_years_registration_has_begun_only_the_registered_are_uploaded_as_registered(school, tmp_path):
    """Before the round the file carries the standing status and says so; once it has begun, a
    student still waiting is left out of the upload and counted, never sent as registered."""
    this = str(school_year_of(date.today()))
    before = tmp_path / "before.dbf"
    r = run(school, "export", "registration", "-o", str(before))
    assert r.exit_code == 0 and f"{this} 学年的学年注册尚未开始" in r.output, r.output
    assert S[10]["KSH"] in _kshs(before)
    store = open_store(school)
    marked = [dict(store.get(S[i]["KSH"]), annual={this: {"at": "x", "by": "office1", "status": "注册学籍"}})
              for i in (0, 7, 8)]
    with store.write("office1", "测试：学年注册") as tx:
        tx.put_many(marked)
        tx.log("test", why="学年注册")
    after = tmp_path / "after.dbf"
    r = run(school, "export", "registration", "-o", str(after))
    assert r.exit_code == 0, r.output
    got = _kshs(after)
    assert {S[i]["KSH"] for i in (0, 7, 8)} <= got and S[10]["KSH"] not in got
    waiting = sum(1 for s in open_store(school).students() if s["status"] == "注册学籍") - 3
    assert len(got) == 3 and f"{waiting} 名在校生尚未办理 {this} 学年注册，未写入注册文件" in r.output, r.output
