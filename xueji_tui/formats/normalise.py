"""What an import may safely normalise in a CHSI value, and nothing more.

Surrounding spaces; full-width digits, Ｘ and lower-case x in numbers and dates; a coded value given
as its GB code or an alias becomes the code table's canonical Chinese name — unless that name does
not fit the CHSI field (ZZMM C(16) cannot hold 中国共产主义青年团团员, so CHSI writes 共青团员): then the
shortest spelling that fits. Everything else — a bad check digit, an unknown code, an impossible
date — is kept exactly as received and flagged later.
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


def _gbk_len(v: str) -> int:
    try:
        return len(v.encode("gbk"))
    except UnicodeEncodeError:
        return 10**6


def coded_name(code: str, value: str, width: int = 254) -> str | None:
    """The spelling to store for a coded value: the table's name, or a spelling of it that fits."""
    try:
        table = codes().table(code)
    except KeyError:
        return None
    name = table.normalise(value.translate(_FULLWIDTH))
    if name is None:
        return None
    if _gbk_len(name) <= width:
        return name
    if not value.isdigit() and _gbk_len(value) <= width:
        return value
    fits = [k for k, n in table.aliases.items() if n == name and not k.isdigit() and _gbk_len(k) <= width]
    return min(fits, key=_gbk_len) if fits else name


def same_code(code: str, a, b) -> bool:
    """Two spellings of one coded value (共青团员 and 中国共产主义青年团团员, 03)."""
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return False
    try:
        table = codes().table(code)
    except KeyError:
        return False
    na = table.normalise(a)
    return na is not None and na == table.normalise(b)


def normalise_value(transform: str, code: str, value: str, width: int = 254) -> tuple[object, str]:
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
        name = coded_name(code, v, width)
        if name is not None and name != v:
            return name, CODE
        return v, note
    if transform == "yesno":
        u = v.upper()
        if u in YES:
            return True, ""
        if u in NO:
            return False, ""
        return (None if not v else v), note
    return v, note


def normaliser(transform: str, code: str, width: int = 254):
    """``normalise_value`` for one field, with the fast paths a 100,000-row file needs: most cells
    are already clean digit strings, and coded values repeat (男, 汉族, 本科) so they are memoised."""
    if transform in ("id", "date"):
        def fast(value: str):
            if not value or value.isascii() and (value.isdigit() or (transform == "id" and value.isalnum()
                                                        and "x" not in value)):
                return value, ""
            return normalise_value(transform, code, value, width)
        return fast
    if transform == "code":
        memo: dict[str, tuple] = {}

        def coded(value: str):
            hit = memo.get(value)
            if hit is None:
                hit = memo[value] = normalise_value(transform, code, value, width)
            return hit
        return coded
    if transform in ("", "status"):
        def plain(value: str):
            v = value.strip()
            if v is value or v == value:
                return value, ""
            return v, SPACES
        return plain
    return lambda value: normalise_value(transform, code, value, width)
