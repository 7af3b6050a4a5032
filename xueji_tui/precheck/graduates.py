"""Who graduates in a year, and with what date and conclusion (docs/precheck.md, docs/formats.md).

Who is checked for year Y
    * a student on the imported CHSI expected-graduate list of Y (``grad_year == Y``) whose
      graduation date (below) falls in Y — or who has no date at all, so that the list's student
      is checked and shown the missing date instead of silently dropped — unless a 跳级 / 留降级 /
      转专业 recorded here has since moved the student's YJBYRQ to another year (the list is stale);
    * plus every student whose YJBYRQ (预计毕业日期) falls in Y;
    * but a student whose status has ended without graduating (退学, 取消学籍, 死亡, 转出, 放弃入学资格
      …) only when CHSI's list still names them: their YJBYRQ is stale, they are no longer expected
      to graduate, and the list is what needs fixing then (`status` says so).
    Students already registered (status 毕业 / 结业 through ``xueji graduate``) are counted apart as
    ``registered`` and not checked — except a 结业 student for whom a clerk has since recorded the
    conclusion 毕业: that is a 结业换发毕业证书 still to be uploaded, checked again, keeping its number.

Graduation date (BYRQ)
    BYRQ as CHSI's list sent it; when the list lacks it, the student's YJBYRQ (the expected date
    CHSI itself holds). When both are empty it is ``missing-field`` on BYRQ.

Conclusion (BJYJL)
    What a clerk recorded with ``xueji conclusion`` (the local key ``conclusion``) wins — it is the
    later and local decision; else BJYJL as the list sent it; else 毕业 (docs/graduation.md: "BJYJL is the
    clerk's xueji conclusion, else the list's value, else 毕业").

School
    YXDM / YXMC / XZXM come from the data directory's settings (school_code, school_name,
    president), never from the student's record.
"""

from __future__ import annotations

from functools import lru_cache

from xueji_tui.domain.codes import codes

REGISTERED_STATES = ("毕业", "结业")
IN_SCHOOL = "注册学籍"

# the 学历注册 upload layout (docs/formats.md "graduates"), in file order
UPLOAD_FIELDS: tuple[str, ...] = (
    "KSH", "XM", "XB", "CSRQ", "SFZH", "YXDM", "YXMC", "ZYDM", "ZYMC", "XZ", "XXXS", "CC", "RXRQ",
    "BYRQ", "BJYJL", "ZSBH", "XZXM", "BZ",
)
# required for registration (docs/precheck.md missing-field), in the order findings are listed
REQUIRED_FIELDS: tuple[str, ...] = (
    "KSH", "XM", "XB", "CSRQ", "SFZH", "ZYMC", "CC", "XXXS", "XZ", "RXRQ", "BYRQ", "BJYJL", "ZSBH",
)
# upload field -> settings key: the school's values, from the data directory
SCHOOL_FIELDS: dict[str, str] = {"YXDM": "school_code", "YXMC": "school_name", "XZXM": "president"}

REISSUE_NOTE = "结业换发毕业证书，证书编号不变"


def grad_date(s: dict) -> str:
    return (s.get("BYRQ") or "").strip() or (s.get("YJBYRQ") or "").strip()


def conclusion(s: dict) -> str:
    recorded = (s.get("conclusion") or {}).get("v")
    return recorded or (s.get("BJYJL") or "").strip() or "毕业"


def reissue(s: dict) -> bool:
    """A registered 结业 student whose conclusion is now 毕业: 结业换发毕业证书 still to upload."""
    return s.get("status") == "结业" and (s.get("conclusion") or {}).get("v") == "毕业"


def is_registered(s: dict) -> bool:
    return s.get("status") in REGISTERED_STATES and not reissue(s)


def _year_of(date: str) -> str:
    return date[:4] if len(date) >= 4 else ""


def moved_class(s: dict, y: str) -> bool:
    """A 跳级 / 留降级 / 转专业 recorded here moved the student's expected graduation out of year ``y``:
    the local entry is later than the CHSI list that still names the student for ``y``."""
    if _year_of((s.get("YJBYRQ") or "").strip()) in ("", y):
        return False
    return any("YJBYRQ" in (e.get("fields") or {}) and not e.get("reversed_by") and e.get("kind") != "reversal"
               for e in s.get("history") or ())


def in_year(s: dict, year: int) -> bool:
    """Is the student one of year's expected graduates (checked or already registered)?"""
    y = str(year)
    on_list = s.get("grad_year") == year
    date = grad_date(s)
    if on_list and (not date or _year_of(date) == y) and not moved_class(s, y):
        return True
    if _year_of((s.get("YJBYRQ") or "").strip()) != y:
        return False
    status = s.get("status", "")
    return status in REGISTERED_STATES or not codes().is_ended(status)


def certno_started(settings: dict, year: int) -> bool:
    """The precheck's stage 2: ``certno assign`` has run for the year (it records the year in the
    settings, ``certno_years``); before it, a missing 证书编号 is counted, not a finding."""
    return year in (settings.get("certno_years") or ())


def sent_to_chsi(exports, year: int) -> dict[str, dict]:
    """KSH -> what the latest logged 学历注册 file of ``year`` carried for the student (BJYJL, ZSBH),
    with that file's name, digest and time: the record of what CHSI was sent."""
    out: dict[str, dict] = {}
    logged = [e for e in exports or () if e.get("kind") == "graduates" and e.get("year") == year]
    for e in sorted(logged, key=lambda e: e.get("at") or ""):
        for row in e.get("students") or ():
            out[row.get("KSH", "")] = dict(row, file=e.get("file", ""), sha256=e.get("sha256", ""),
                                           at=e.get("at", ""))
    return out


def resend_reason(s: dict, sent: dict | None) -> str:
    """Why a student already in a written 学历注册 file must be uploaded again (须重新上报): the
    conclusion or the certificate number changed since. '' when the file still says what we hold."""
    if not sent:
        return ""
    now = (conclusion(s), (s.get("ZSBH") or "").strip())
    was = (sent.get("BJYJL") or "", (sent.get("ZSBH") or "").strip())
    changed = []
    if now[0] != was[0]:
        changed.append(f"毕结业结论由“{was[0]}”改为“{now[0]}”")
    if "ZSBH" in sent and now[1] != was[1]:
        changed.append(f"证书编号由 {was[1] or '（空）'} 改为 {now[1] or '（空）'}")
    if not changed:
        return ""
    return ("导出上报文件（" + (sent.get("at") or "")[:10] + "）后" + "，".join(changed) +
            "，须重新上报：请重新导出学历注册文件并上报学信网")


def order_key(s: dict) -> tuple:
    """Stable order of a year's graduates: college, major, class, 学号 (certificate numbers too)."""
    return (s.get("FY") or "", s.get("ZYDM") or "", s.get("ZYMC") or "", s.get("BH") or "",
            s.get("XH") or "", s.get("KSH") or "")


@lru_cache(maxsize=4096)
def canonical(field: str, value: str) -> str:
    """The code table's name of a coded value ('专科(高职)' -> '专科'), else the value itself."""
    v = (value or "").strip()
    try:
        table = codes().table(field)
    except KeyError:
        return v
    return table.normalise(v) or v


def upload_bz(s: dict) -> str:
    bz = (s.get("BZ") or "").strip()
    if reissue(s) and REISSUE_NOTE not in bz:
        bz = f"{REISSUE_NOTE}；{bz}" if bz else REISSUE_NOTE
    return bz


def upload_row(s: dict, settings: dict) -> dict[str, str]:
    """One student's row of the 学历注册 upload file, as text, field code -> value."""
    row: dict[str, str] = {}
    for f in UPLOAD_FIELDS:
        if f in _PLAIN:
            v = s.get(f)
            row[f] = (v if type(v) is str else str(v or "")).strip()
        elif f in SCHOOL_FIELDS:
            row[f] = str(settings.get(SCHOOL_FIELDS[f]) or "").strip()
        elif f == "BYRQ":
            row[f] = grad_date(s)
        elif f == "BJYJL":
            row[f] = conclusion(s)
        elif f == "BZ":
            row[f] = upload_bz(s)
        else:
            row[f] = canonical(f, s.get(f) or "")
    return row


# upload fields taken from the record as they are (the rest: the school's, derived, or code names)
_PLAIN = frozenset(UPLOAD_FIELDS) - set(SCHOOL_FIELDS) - {"BYRQ", "BJYJL", "BZ", "XB", "CC", "XXXS", "XZ"}
