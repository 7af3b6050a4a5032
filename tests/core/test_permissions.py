"""Who may do what: the table clerks read in docs/codes.md is the table the program keeps
(domain/permissions.py), and what it forbids a college is refused on the command line (exit 3, nothing
written) while what it lets a college report becomes a proposal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from xueji_testkit import make_student, tree_digest
from xueji_tui.cli import cli
from xueji_tui.domain.permissions import ACTIONS, NO, PROPOSE

ROOT = Path(__file__).resolve().parents[2]


def docs_table() -> dict[str, tuple[str, str]]:
    text = (ROOT / "docs" / "codes.md").read_text("utf-8")
    block = text.split("<!-- permissions:begin -->", 1)[1].split("<!-- permissions:end -->", 1)[0]
    rows = {}
    for line in block.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = (cells[-2], cells[-1])
    return rows


def test_the_docs_table_is_the_code_table():
    docs = docs_table()
    code = {a.id: (a.office, a.college) for a in ACTIONS.values()}
    assert docs == code


def test_every_permission_the_code_asks_for_is_in_the_table():
    used = set()
    for path in (ROOT / "xueji_tui").rglob("*.py"):
        used |= set(re.findall(r'require\([^,()]+, "([a-z.]+)"\)', path.read_text("utf-8")))
    assert used and used <= set(ACTIONS)


S = make_student(0)          # 文学院
OTHER = make_student(1)      # another college


def run(root, *args, clerk="wenxue"):
    return CliRunner().invoke(cli, ["--data", str(root), "--clerk", clerk, *args])


# what a 文学院 clerk types for each action the table forbids a college
FORBIDDEN = {
    "correction.submit": ["correction", "submit", "1"],
    "correction.approve": ["correction", "approve", "1", "--doc", "x"],
    "correction.reject": ["correction", "reject", "1", "--reason", "x"],
    "review.accept": ["review", "accept", "1"],
    "review.reject": ["review", "reject", "1", "--reason", "x"],
    "import.chsi": ["import", "students", "x.dbf"],
    "import.identity": ["import", "workbook", "x.xlsx", "--accept-identity"],
    "export.upload": ["export", "registration", "-o", "x.dbf"],
    "users": ["users", "add", "x1", "--role", "office"],
    "settings": ["settings", "--president", "某某"],
    "ssh": ["ssh", "list"],
    "change.reverse": ["change", S["XH"], "9801", "--date", "20250301", "--note", "录错"],
    "certno": ["certno", "assign", "--year", "2026"],
    "precheck.exclude": ["precheck", "exclude", S["XH"], "--reason", "已退学"],
    "change.graduate": ["graduate", "--year", "2026"],
    "audit.anchor": ["audit", "anchor"],
    "doctor": ["doctor"],
    "assign": ["assign", "--year", "2025", "--yes"],
    "campaign.start": ["campaign", "start", "--year", "2025"],
    "majors": ["majors", "add", "050199", "--name", "新专业", "--college", "文学院", "--level", "本科", "--years", "4"],
}
# what a 文学院 clerk types for each action it may only report
REPORTED = {
    "change.status": ["change", S["XH"], "1101", "--date", "20250301", "--doc", "吉师大学字〔2025〕3号",
                      "--approved", "20250228"],
    "change.cancel": ["change", S["XH"], "3106", "--date", "20250301", "--doc", "吉师大教字〔2025〕8号",
                      "--approved", "20250228"],
    "change.record": ["change", S["XH"], "7103", "--date", "20250301", "--note", "校级三好学生"],
    "change.transfer": ["change", S["XH"], "2301", "--date", "20250301", "--doc", "吉师大教字〔2025〕31号",
                        "--approved", "20250228", "--to-major", "080901", "--to-class", "计科251班"],
}


@pytest.mark.parametrize("action", sorted(a.id for a in ACTIONS.values() if a.college == NO))
def test_what_the_table_forbids_a_college_is_refused(school, action, tmp_path, monkeypatch):
    if action not in FORBIDDEN:
        pytest.skip(f"{action}: the command arrives with a later change of this wave")
    monkeypatch.chdir(tmp_path)
    before = tree_digest(school)
    r = run(school, *FORBIDDEN[action])
    assert r.exit_code == 3, (action, r.output)
    assert tree_digest(school) == before


def _freshman_checked(root) -> str:
    """A 待注册 student of 文学院 whose Art. 6 check is complete: registration may be reported."""
    from xueji_tui.domain.fields import ART6_FIELDS
    from xueji_tui.store import open_store

    f = make_student(400, year=2025, college="文学院", status="待注册",
                     verification={k: {"v": "ok", "by": "wenxue", "at": "2025-09-10T10:00:00+08:00"}
                                   for k in ART6_FIELDS})
    with open_store(root).write("office1", "测试") as tx:
        tx.put(f)
        tx.log("test")
    return f["XH"]


def _on_leave(root) -> str:
    assert run(root, "change", S["XH"], "1101", "--date", "20250301", "--doc", "吉师大学字〔2025〕3号",
               "--approved", "20250228", clerk="office1").exit_code == 0
    return S["XH"]


SETUP = {"change.register": (_freshman_checked, ["0101", "--date", "20250915"]),
         "change.move": (_on_leave, ["1201", "--date", "20250901", "--doc", "吉师大教字〔2025〕9号",
                                     "--approved", "20250828"])}


@pytest.mark.parametrize("action", sorted(a.id for a in ACTIONS.values() if a.college == PROPOSE))
def test_what_a_college_may_only_report_becomes_a_proposal(school, action):
    from xueji_tui.store import open_store

    if action == "register.bulk":  # a college's run of the bulk register reports its list
        xh = _freshman_checked(school)
        ksh = open_store(school).find(xh)[0]["KSH"]
        r = run(school, "register", "--year", "2025", "--yes")
        assert r.exit_code == 0, r.output
        assert open_store(school).get(ksh)["status"] == "待注册"
        assert any(p["KSH"] == ksh for p in open_store(school).proposals())
        return
    if action == "verify.edit":  # a non-identity correction by a college is a request the office decides
        before = open_store(school).get(S["KSH"])
        r = run(school, "verify", S["XH"], "LQLX", "wrong", "--value", "国家专项", "--note", "录取通知书")
        assert r.exit_code == 0 and "更正申请" in r.output, r.output
        assert open_store(school).get(S["KSH"])["LQLX"] == before["LQLX"]
        return
    if action in SETUP:
        prepare, args = SETUP[action]
        xh = prepare(school)
        ksh = open_store(school).find(xh)[0]["KSH"]
        cmd = ["change", xh, *args]
    else:
        ksh, cmd = S["KSH"], REPORTED[action]
    before = open_store(school).get(ksh)
    r = run(school, *cmd)
    assert r.exit_code == 0 and r.stdout.strip().startswith("#"), (action, r.output)
    after = open_store(school).get(ksh)
    assert (after["status"], after["ZYDM"], after["history"]) == (before["status"], before["ZYDM"], before["history"])
    assert "已报送" in r.output
