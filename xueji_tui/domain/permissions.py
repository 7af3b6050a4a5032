"""Who may do what (Art. 3, 5, 6, 15–20): the office reviews, marks and uploads; a college checks its own
students and reports (报送) what the office then decides.

One table, read by every service before it acts and checked by the tests against the table
"Who may do what" in docs/codes.md, so the rule a clerk reads is the rule the program keeps.
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
    # id                    what                                                         office college
    ("student.view",       "查看、查询学生（学院：本学院学生）",                            DO, DO),
    ("student.reveal",     "查看完整身份证号（每次留审计记录）",                            DO, DO),
    ("verify",             "核对第六条字段，标记无误、有误",                                DO, DO),
    ("verify.edit",        "更正非身份信息字段的录入错误、补充不完整的信息",                DO, PROPOSE),
    ("correction.file",    "提交身份信息更正申请（附公安证明）",                            DO, DO),
    ("correction.submit",  "更正申请报教育厅",                                              DO, NO),
    ("correction.approve", "批准更正申请（附教育厅文号，非申请人本人）",                    DO, NO),
    ("correction.reject",  "驳回更正申请",                                                  DO, NO),
    ("change.register",    "注册学籍（0101 复查合格、0102、0103 补注册）",                  DO, PROPOSE),
    ("register.bulk",      "批量注册（学院上报的注册名单）",                                DO, PROPOSE),
    ("change.status",      "暂缓注册、保留入学资格、放弃入学资格、取消入学资格、休学、保留学籍", DO, PROPOSE),
    ("change.move",        "学籍异动：复学、跳级、留降级、本学院内转专业",                  DO, PROPOSE),
    ("change.transfer",    "跨学院转专业，转学（转入、转出）",                              DO, PROPOSE),
    ("change.cancel",      "学籍注销：退学、取消学籍、开除学籍、死亡",                      DO, PROPOSE),
    ("change.record",      "学籍记载：奖励、处分、其他",                                    DO, PROPOSE),
    ("change.graduate",    "登记学历注册：毕业、结业、结业换发毕业证书",                    DO, NO),
    ("change.reverse",     "撤销录入错误的记录（9801）",                                    DO, NO),
    ("review.list",        "查看报送及复核结果",                                            DO, DO),
    ("review.accept",      "复核：接受报送",                                                DO, NO),
    ("review.reject",      "复核：驳回报送（说明原因）",                                    DO, NO),
    ("campaign.start",     "开启本学年核对",                                                DO, NO),
    ("assign",             "新生编班、分配学号",                                            DO, NO),
    ("import.chsi",        "导入学信网数据（在校生、录取新生、预计毕业生、照片；暂缓注册名单）", DO, NO),
    ("import.identity",    "按学信网数据更正身份信息",                                      DO, NO),
    ("import.workbook",    "导入学院核对表",                                                DO, DO),
    ("export.upload",      "导出上报文件（注册、异动、注销、入学资格、信息修改、学历注册、奖惩）", DO, NO),
    ("export.report",      "导出学院核对表、统计表、预审报告、新生汇总、照片催办名单",      DO, DO),
    ("stats",              "统计学籍人数和异动、查看进度",                                  DO, DO),
    ("precheck",           "毕业生本机数据预审",                                            DO, DO),
    ("precheck.exclude",   "将学生排除出学历注册上报",                                      DO, NO),
    ("certno",             "分配、重新分配证书编号",                                        DO, NO),
    ("conclusion",         "记录毕结业结论（上报前）",                                      DO, DO),
    ("users",              "经办人管理（登记、列出）",                                      DO, NO),
    ("settings",           "修改学校设置（院校名称、校长、开学日期）",                      DO, NO),
    ("majors",             "维护专业目录",                                                  DO, NO),
    ("ssh",                "SSH 授权、收回",                                                DO, NO),
    ("audit.view",         "查看审计记录（学院：本学院学生）",                              DO, DO),
    ("audit.verify",       "校验审计记录",                                                  DO, DO),
    ("audit.anchor",       "取审计锚点、保存在服务器之外",                                  DO, NO),
    ("doctor",             "检查数据目录、确认审计记录的中断",                              DO, NO),
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
        return "change.graduate"
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
