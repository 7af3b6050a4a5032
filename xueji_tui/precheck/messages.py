"""What each precheck finding tells the clerk to do (docs/precheck.md, "what the clerk does"): the fix
is part of the message, in the CLI, the report and the 预审 area alike."""

from __future__ import annotations

from xueji_tui.domain.fields import IDENTITY_FIELDS, label
from xueji_tui.precheck import graduates

# what a clerk does about an 身份证号 finding, after what the check says
ID_FIX = {"id-format": "；如有误，附公安证明提交信息更正申请（第二十条）",
          "id-checksum": "；如有误，附公安证明提交信息更正申请（第二十条）",
          "id-birthdate": "；找出错的一个，附公安证明提交信息更正申请（第二十条）",
          "id-gender": "；找出错的一个，附公安证明提交信息更正申请（第二十条）",
          "id-region": "；多为新旧行政区划代码，核对无误即可"}
DUPLICATE_FIX = {"KSH": "请核对录取数据，错的一方附证明提交信息更正申请（第二十条）",
                 "XH": "请核对学号，由学生工作处更正错的一方",
                 "SFZH": "请核对身份证原件，错的一方附公安证明提交信息更正申请（第二十条）",
                 "ZSBH": "请学生工作处为错的一方说明原因后重新分配证书编号（xueji certno reassign）"}


def missing_message(f: str, s: dict) -> str:
    if f == "ZSBH":
        return "尚未分配证书编号；其他错误处理完后执行 xueji certno assign 分配"
    if f == "BYRQ":
        return "毕业日期为空（名单和预计毕业日期都没有），请重新导入含毕业日期的学信网预计毕业生名单"
    if f in IDENTITY_FIELDS:
        return f"{label(f)}（{f}）为空，学历注册必填，请按档案提交信息更正申请（第二十条）补充"
    return f"{label(f)}（{f}）为空，学历注册必填，请按学生档案补充：学生页标记“有误”并填写更正值"


def status_message(status: str) -> str:
    if status in graduates.REGISTERED_STATES:
        return f"学籍状态为“{status}”，已注册学历，不能再次上报"
    return (f"学籍状态为“{status or '未知'}”，不是“注册学籍”，不能注册学历；请先办理相应异动（如复学、注册）；"
            f"如不再毕业，请学信网将其移出预计毕业生名单，移出前由学生工作处将其排除出上报（xueji precheck exclude）")
