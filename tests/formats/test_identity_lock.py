"""Art. 20 on the import path: a registered student's 身份信息 never changes through a plain import;
the office may accept CHSI's values, audited with the file; numbers stay one student's each."""

from __future__ import annotations

import json

from filekit import chsi_file, run

from xueji_testkit import make_student, tree_digest
from xueji_tui.domain.idcard import check_char
from xueji_tui.services import corrections, imports
from xueji_tui.store import open_store


def audit(root):
    return [json.loads(ln) for ln in (root / "audit.jsonl").read_bytes().splitlines()]


def test_a_plain_import_lists_identity_differences_and_changes_nothing(school, tmp_path):
    s = [make_student(i) for i in range(60)]
    s[1] = dict(s[1], XM="改过的名字", MZ="满族")
    s[2] = dict(s[2], BH="新班级2班")  # not an identity field: applied
    path = chsi_file(tmp_path / "在校生.dbf", s)
    r = run(school, "import", "students", str(path), "--yes")
    assert r.exit_code == 0, r.output
    assert "身份信息与学信网不同（第二十条" in r.output and "改过的名字" in r.output
    st = open_store(school)
    assert st.get(s[1]["KSH"])["XM"] == make_student(1)["XM"] and st.get(s[1]["KSH"])["MZ"] == "汉族"
    assert st.get(s[2]["KSH"])["BH"] == "新班级2班"
    assert not [ln for ln in audit(school) if ln["action"] in ("import-change", "import-identity")
                and ln["KSH"] == s[1]["KSH"]]


def test_the_office_accepts_chsi_identity_audited_with_the_file_and_closes_the_request(school, office, tmp_path):
    a = make_student(3)
    rid = corrections.file(office, a["KSH"], "XM", "王晓明", "户籍更名", evidence="长春市公安局证明 2025-4")
    rows = [make_student(i) for i in range(60)]
    rows[3] = dict(a, XM="王晓明")
    path = chsi_file(tmp_path / "在校生.dbf", rows)
    assert run(school, "import", "students", str(path), "--accept-identity", "--yes", clerk="wenxue").exit_code == 3
    r = run(school, "import", "students", str(path), "--accept-identity", "--yes")
    assert r.exit_code == 0 and "按学信网数据更正的身份信息" in r.output, r.output
    st = open_store(school)
    assert st.get(a["KSH"])["XM"] == "王晓明"
    (line,) = [ln for ln in audit(school) if ln["action"] == "import-identity"]
    assert line["KSH"] == a["KSH"] and line["file"] == "在校生.dbf" and len(line["sha256"]) == 64
    req = next(q for q in st.corrections() if q["id"] == rid)
    assert req["status"] == "已由学信网更正"


def test_a_broken_chsi_number_is_never_taken_and_a_freshman_is_chsi_s_until_registered(school, tmp_path):
    rows = [make_student(i) for i in range(60)]
    bad = rows[4]["SFZH"][:17] + ("0" if check_char(rows[4]["SFZH"][:17]) != "0" else "1")
    rows[4] = dict(rows[4], SFZH=bad)
    fresh = make_student(300, year=2025, status="待注册")
    st = open_store(school)
    with st.write("office1", "测试：新生") as tx:
        tx.put(dict(fresh))
        tx.log("test")
    path = chsi_file(tmp_path / "在校生.dbf", rows)
    plan = imports.plan_import(open_session(school), "students", path, accept_identity=True)
    (held,) = [d for d in plan.identity if d.field == "SFZH"]
    assert "本身有误" in held.held and not plan.changed
    freshman_file = chsi_file(tmp_path / "新生.dbf", [dict(fresh, XM="招生更正名")], "freshmen")
    r = run(school, "import", "freshmen", str(freshman_file), "--yes")
    assert r.exit_code == 0 and open_store(school).get(fresh["KSH"])["XM"] == "招生更正名"


def test_a_row_that_would_share_a_number_is_rejected_the_rest_imported(school, tmp_path):
    newcomers = [make_student(500), make_student(501), make_student(502)]
    newcomers[1]["XH"] = make_student(7)["XH"]          # an existing student's 学号
    newcomers[2]["SFZH"] = make_student(8)["SFZH"]      # an existing student's 身份证号
    path = chsi_file(tmp_path / "在校生.dbf", [make_student(i) for i in range(60)] + newcomers)
    before = tree_digest(school)
    r = run(school, "import", "students", str(path), "--dry-run")
    assert r.exit_code == 0 and "拒收 2 行" in r.output and "只能属于一名学生" in r.output
    assert make_student(8)["SFZH"] not in r.output  # masked
    assert tree_digest(school) == before
    assert run(school, "import", "students", str(path), "--yes").exit_code == 0
    st = open_store(school)
    assert st.get(newcomers[0]["KSH"]) and not st.get(newcomers[1]["KSH"]) and not st.get(newcomers[2]["KSH"])
    assert [x["KSH"] for x in st.find(make_student(7)["XH"])] == [make_student(7)["KSH"]]


def open_session(root):
    from xueji_tui.services.session import open_session as opened

    return opened(root, "office1")
