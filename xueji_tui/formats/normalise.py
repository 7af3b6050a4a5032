"""What an import may safely normalise in a CHSI value, and nothing more.

Surrounding spaces; full-width digits, Ｘ and lower-case x in numbers and dates; a coded value given
as its GB code or an alias becomes the code table's canonical Chinese name. Everything else — a bad
check digit, an unknown code, an impossible date — is kept exactly as received and flagged later.
"""

from __future__ import annotations

from xueji_tui.domain import idcard
from xueji_tui.domain.codes import codes

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
YES = {"是", "Y", "YES", "1", "已采集", "已链接", "TRUE", "√"}
NO = {"否", "N", "NO", "0", "未采集", "未链接", "FALSE", "×"}
PHOTO_CHECKS = ("未校对", "无误", "有异议")

# what a note says, for the summary (counted per kind)
SPACES = "去掉首尾空格"
WIDTH = "全角数字或 Ｘ/x 改为半角大写"
CODE = "代码或别称改为代码表中的标准名称"


def normalise_value(transform: str, code: str, value: str) -> tuple[object, str]:
    """(stored value, note or '') for one imported cell."""
    v = value.strip()
    note = SPACES if v != value else ""
    if transform == "id":
        n = idcard.normalise(v)
        if n != v:
            return n, WIDTH
        return v, note
    if transform == "date":
        n = v.translate(_FULLWIDTH)
        if n != v:
            return n, WIDTH
        return v, note
    if transform == "code" and v:
        try:
            table = codes().table(code)
        except KeyError:
            return v, note
        name = table.normalise(v.translate(_FULLWIDTH))
        if name is not None and name != v:
            return name, CODE
        return v, note
    if transform == "status" and v:
        return (v if v in codes().statuses else v), note
    if transform == "yesno":
        u = v.upper()
        if u in YES:
            return True, ""
        if u in NO:
            return False, ""
        return (None if not v else v), note
    return v, note
