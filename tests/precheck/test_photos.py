"""The photo checklist of a graduation year (Art. 28) and its chase list."""

from __future__ import annotations

import openpyxl
import pytest

from grad_kit import make_grads
from grad_factory import YEAR, graduate
from xueji_tui.domain.clerks import Clerk
from xueji_tui.domain.errors import NotAllowed
from xueji_tui.services import photos
from xueji_tui.services.session import Session
from xueji_tui.store import open_store


@pytest.fixture
def photo_school(tmp_path):
    students = [graduate(i) for i in range(12)]
    students[0]["photo"] = {"taken": False, "linked": False, "check": "未校对"}
    students[1]["photo"].update(linked=False)
    students[2]["photo"].update(check="未校对", checked_on="")
    students[3]["photo"].update(check="有异议")
    students[4]["photo"].update(taken_on="20251010", checked_on="20251101")  # 22 days: too early
    students.append(graduate(20, grad_year=None, YJBYRQ="20270630", photo={"taken": False}))  # next year
    students.append(graduate(21, status="毕业"))  # registered: not on the checklist
    return make_grads(tmp_path / "d", students)


def test_counts_per_step_and_per_college(photo_school):
    office = Session(open_store(photo_school), Clerk("office1", "office"))
    c = photos.photo_checklist(office, YEAR)
    assert c.total == 12
    assert c.counts["taken"] == 11 and c.counts["missing"] == 1
    assert c.counts["linked"] == 10 and c.counts["unlinked"] == 1
    assert c.counts["checked"] == 8 and c.counts["unchecked"] == 1 and c.counts["disputed"] == 1
    assert c.counts["early"] == 1
    assert sum(col["total"] for col in c.by_college.values()) == 12
    assert c.by_college["文学院"]["missing"] == 1  # student 0 is in 文学院
    assert [s["KSH"] for s in c.lacking("missing")] == [graduate(0)["KSH"]]


def test_college_filter_and_scope(photo_school):
    office = Session(open_store(photo_school), Clerk("office1", "office"))
    assert photos.photo_checklist(office, YEAR, "数学学院").total == 3
    wen = Session(open_store(photo_school), Clerk("wenxue", "college", "文学院"))
    assert set(photos.photo_checklist(wen, YEAR).by_college) == {"文学院"}
    with pytest.raises(NotAllowed):
        photos.photo_checklist(wen, YEAR, "数学学院")


def test_chase_list_export(photo_school, tmp_path):
    office = Session(open_store(photo_school), Clerk("office1", "office"))
    out = tmp_path / "催办.xlsx"
    n = photos.export_chase_list(office, out, YEAR)
    assert n == 5
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    why = head.index(next(h for h in head if "催办原因" in h))
    xh = head.index(next(h for h in head if "XH" in h))
    reasons = {r[xh]: r[why] for r in rows[1:]}
    assert "未采集" in reasons[graduate(0)["XH"]]
    assert "未链接" in reasons[graduate(1)["XH"]]
    assert "未校对" in reasons[graduate(2)["XH"]]
    assert "异议" in reasons[graduate(3)["XH"]]
    assert "40 天" in reasons[graduate(4)["XH"]]
