"""Who may do what (Art. 3, 5, 6, 15–20): the office reviews, marks and uploads; a college checks its own
students and reports (报送) what the office then decides.

One table, read by every service before it acts and checked by the tests against the table in
docs/codes.md, so the rule a clerk reads is the rule the program keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from xueji_tui.domain.codes import Reason
from xueji_tui.domain.errors import NotAllowed

DO, PROPOSE, NO = "办理", "报送", "—"


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    office: str
    college: str


_TABLE = [
    # id                    what                                                  office college
    ("student.view",       "查看、查询学生（学院：只限本学院）",                    DO, DO),
    ("verify",             "核对第六条录取信息",                                    DO, DO),
    ("correction.file",    "提交身份信息更正申请（附公安证明）",                    DO, DO),
    ("correction.submit",  "更正申请报教育厅",                                      DO, NO),
    ("correction.approve", "批准更正申请（教育厅批文；须另一名学生工作处经办人）",  DO, NO),
    ("correction.reject",  "驳回更正申请",                                          DO, NO),
    ("change.register",    "注册学籍（0101 复查合格 / 0102 / 0103）",               DO, PROPOSE),
    ("change.status",      "暂缓注册、休学、保留学籍、保留或放弃入学资格",         DO, PROPOSE),
    ("change.move",        "学籍异动（复学、跳级、留降级、本学院内转专业）",       DO, PROPOSE),
    ("change.transfer",    "跨学院转专业、转学（转入、转出）",                      DO, PROPOSE),
    ("change.cancel",      "注销（退学、取消学籍、开除学籍、死亡）、取消入学资格", DO, PROPOSE),
    ("change.record",      "学籍记载（奖励、处分、其他）",                          DO, PROPOSE),
    ("change.reverse",     "撤销录入错误的记录（9801）",                            DO, NO),
    ("review",             "复核学院报送（接受或驳回）",                            DO, NO),
    ("register.bulk",      "批量注册（新生、学年注册；学院为报送注册名单）",        DO, PROPOSE),
    ("assign",             "新生编班、分配学号",                                    DO, NO),
    ("campaign",           "开启学年核对",                                          DO, NO),
    ("import.chsi",        "导入学信网数据（新生、在校生、毕业生、照片、暂缓注册名单）", DO, NO),
    ("import.workbook",    "导入学院核对表",                                        DO, DO),
    ("export.upload",      "导出上报学信网的文件",                                  DO, NO),
    ("export.report",      "导出核对表、统计表、预审报告、照片催办名单",           DO, DO),
    ("graduation",         "分配证书编号、登记学历注册、结论换发",                  DO, NO),
    ("precheck.exclude",   "预审排除（学信网名单上已离校的学生）",                  DO, NO),
    ("majors.edit",        "维护专业目录",                                          DO, NO),
    ("clerks",             "经办人管理、SSH 授权",                                  DO, NO),
    ("settings",           "学校设置",                                              DO, NO),
    ("audit",              "查看审计记录（学院：只限本学院学生）",                  DO, DO),
    ("audit.anchor",       "审计锚点、数据目录体检",                                DO, NO),
]
ACTIONS: dict[str, Action] = {a[0]: Action(*a) for a in _TABLE}


def mode(clerk, action: str) -> str:
    """办理, 报送 or — for this clerk (domain.clerks.Clerk)."""
    a = ACTIONS[action]
    return a.office if clerk.office else a.college


def require(clerk, action: str) -> str:
    """The clerk's mode for ``action``; NotAllowed (exit 3) when the table says —."""
    got = mode(clerk, action)
    if got == NO:
        a = ACTIONS[action]
        raise NotAllowed(f"“{a.title}”由学生工作处办理（第十五、十八条）；{clerk.name} 是{clerk.college}的学院账号，"
                         f"请联系学生工作处")
    return got


def change_action(reason: Reason, student: dict, to_college: str = "") -> str:
    """The action a change entry is: what decides whether a college may record it or only report it."""
    t = reason.type
    if t.kind == "reversal":
        return "change.reverse"
    if t.kind == "graduation":
        return "graduation"
    if t.kind == "record":
        return "change.record"
    if t.kind == "cancellation" or t.type == "16":
        return "change.cancel"
    if t.type in ("21", "22") or (to_college and to_college != (student.get("FY") or "")):
        return "change.transfer"
    if t.type == "01":
        return "change.register"
    if t.kind == "movement":
        return "change.move"
    return "change.status"
