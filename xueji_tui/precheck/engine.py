"""The graduate precheck (本机数据预审, Art. 29): every rule of docs/precheck.md, one engine.

The CLI (`xueji precheck`), the precheck screen, `certno assign`, `export graduates` and `graduate`
all call ``run``. It is pure: it reads the student dicts it is given and never edits them.

Field-level rules come from ``domain.checks`` (bad-date, bad-code, id-*, not-encodable, name-format,
ksh-format); this module adds what needs the year, the school or the whole population: required
fields, date order, duplicates, certificate numbers, widths, status, photos, identity flags, open
correction requests and the expected-graduate list. Who is checked, and where BYRQ and BJYJL come
from, is decided in ``precheck.graduates``.

Speed (30,000 graduates in well under 2 s): one pass over the students; duplicates by hashing;
date parses memoised; GBK encodability and widths measured once per value, with an ASCII fast path.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from xueji_tui.domain import checks, idcard, lost, photos
from xueji_tui.domain.corrections import is_open
from xueji_tui.domain.fields import IDENTITY_FIELDS, label
from xueji_tui.domain.validate import gbk_bytes, ksh_issues, name_issues, parse_date, unencodable_chars
from xueji_tui.precheck import certno, graduates
from xueji_tui.precheck.graduates import REQUIRED_FIELDS, SCHOOL_FIELDS
from xueji_tui.precheck.messages import DUPLICATE_FIX, ID_FIX, missing_message, status_message
from xueji_tui.precheck.rules import ERROR, ORDER, RULES
from xueji_tui.precheck import result as kept_result
from xueji_tui.precheck.result import Finding, Result  # noqa: F401  (re-exported)
from xueji_tui.precheck.verdicts import Verdicts, context_of

# change types whose entries explain a study length different from 学制
EXPLAINS_LENGTH = frozenset({"跳级", "留降级", "休学", "保留学籍", "复学"})
DUPLICATE_FIELDS = ("KSH", "XH", "SFZH", "ZSBH")
CODE_FIELDS = ("XB", "MZ", "ZZMM", "CC", "XXXS", "XZ", "BJYJL")  # docs/precheck.md bad-code
MIN_ENTRY_AGE = 14


def _school(settings: dict) -> dict[str, str]:
    """The school's upload values (YXDM, YXMC, XZXM) from the data directory's settings."""
    return {f: str(settings.get(key) or "").strip() for f, key in SCHOOL_FIELDS.items()}


class _Dates:
    """Memoised YYYYMMDD parses: a cohort shares its RXRQ and BYRQ."""

    def __init__(self) -> None:
        self._memo: dict[str, date | None] = {}

    def __call__(self, value: str) -> date | None:
        try:
            return self._memo[value]
        except KeyError:
            d = self._memo[value] = parse_date(value)
            return d


def _age_at(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month) + (1 if b.day - a.day >= 15 else 0) - (
        1 if a.day - b.day >= 15 else 0)


class _Checker:
    def __init__(self, year: int, settings: dict, list_imported: bool, corrections: Iterable[dict],
                 widths: dict[str, tuple[str, int]] | None, verdicts: Verdicts | None = None):
        self.year = year
        self.verdicts = verdicts
        self.list_imported = list_imported
        self.numbering = graduates.certno_started(settings, year)  # stage 2: a missing number is an error
        self.school = _school(settings)
        self.widths = widths if widths is not None else _default_widths()
        # the upload fields measured against a width, in file order (the school's are checked apart)
        self.sized = [(f, *self.widths[f]) for f in graduates.UPLOAD_FIELDS
                      if f not in SCHOOL_FIELDS and self.widths.get(f, (f, 0))[1]]
        self.open: dict[str, list[dict]] = defaultdict(list)
        for c in corrections:
            if is_open(c) and c.get("KSH") and c.get("field") in IDENTITY_FIELDS:
                self.open[c["KSH"]].append(c)
        self.date = _Dates()
        self.dup: dict[str, dict[str, int]] = {}
        self.dup_fields: list[tuple[str, dict[str, int]]] = []  # the fields with a duplicate, and theirs
        self.good_codes: set[tuple] = set()  # combinations of coded values already found valid
        self.bytes: dict[str, int | None] = {}  # value -> GBK bytes

    def context(self) -> str:
        return context_of(self.school, self.widths)

    # -- the school ------------------------------------------------------------------------
    def school_findings(self) -> list[Finding]:
        out = []
        how = {"YXDM": "学校代码", "YXMC": "学校名称", "XZXM": "校长姓名"}
        fix = {"YXDM": "院校代码在建立数据目录时确定（xueji init --school-code），请联系系统管理员",
               "YXMC": "请学生工作处执行 xueji settings --school-name 学校名称",
               "XZXM": "请学生工作处执行 xueji settings --president 校长姓名"}
        for f, v in self.school.items():
            if not v:
                out.append(Finding("missing-field", ERROR, "", "", f,
                                   f"数据目录设置中没有{how[f]}（{f}），所有毕业生都无法上报；{fix[f]}"))
                continue
            bad = unencodable_chars(v)
            if bad:
                out.append(Finding("not-encodable", ERROR, "", "", f,
                                   f"数据目录设置中的{how[f]}“{v}”含 GBK 无法编码的“{bad}”，请更正设置"))
                continue
            col, width = self.widths.get(f, (f, 0))
            n = gbk_bytes(v) or 0
            if width and n > width:
                out.append(Finding("too-long", ERROR, "", "", f,
                                   f"数据目录设置中的{how[f]}“{v}”占 {n} 字节，超过上报文件 {col} 字段的 "
                                   f"{width} 字节，请更正设置或格式配置"))
        if self.school["YXDM"] and not (len(self.school["YXDM"]) == 5 and self.school["YXDM"].isdigit()):
            out.append(Finding("certno-format", ERROR, "", "", "YXDM",
                               f"数据目录设置中的学校代码“{self.school['YXDM']}”应为 5 位数字，"
                               f"证书编号无法与之对应；请更正设置"))
        return out

    # -- duplicates, over every expected graduate (checked or registered, any college) -------
    def count_duplicates(self, students: list[dict]) -> None:
        for f in DUPLICATE_FIELDS:
            # counted in C (map of str methods into a Counter): 30,000 values in a few milliseconds
            values = [v for s in students if (v := s.get(f))]
            seen = Counter(filter(None, map(str.upper, map(str.strip, values))))
            self.dup[f] = {v: n for v, n in seen.items() if n > 1} if len(seen) < len(values) else {}
        self.dup_fields = [(f, found) for f, found in self.dup.items() if found]

    # -- one student -------------------------------------------------------------------------
    def check(self, s: dict) -> list[Finding]:
        own = self.own(s) if self.verdicts is None else self.verdicts.own(s, self.own)
        more = self.with_others(s)
        if not own and not more:
            return []
        ksh, xh, xm, fy = s.get("KSH") or "", s.get("XH") or "", s.get("XM") or "", s.get("FY") or ""
        return [Finding(r, RULES[r][0], ksh, xh, f, m, xm, fy) for found in (own, more) for r, f, m in found]

    def with_others(self, s: dict) -> list[tuple[str, str, str]]:
        """The findings that need more than the record: the year's stage, the rest of the school,
        the open correction requests, the CHSI list. Listed after the student's own findings: each
        of these rules is found only here, and the missing number is the last required field."""
        out: list[tuple[str, str, str]] = []
        if self.numbering and not (s.get("ZSBH") or "").strip():
            out.append(("missing-field", "ZSBH", missing_message("ZSBH", s)))
        for f, dup in self.dup_fields:
            v = s.get(f)
            n = dup.get(v.strip().upper()) if v else None
            if n:
                out.append(("duplicate", f, f"{label(f)} {idcard.mask(v) if f == 'SFZH' else v} 与另外 {n - 1} 名"
                                            f"毕业生重复，" + DUPLICATE_FIX[f]))
        for c in self.open.get(s.get("KSH") or "", ()):
            out.append(("pending-correction", c.get("field") or "",
                        f"{label(c.get('field') or '')}的信息修改申请（编号 {c.get('id', '')}，{c.get('status')}）"
                        f"尚未批准，请待教育厅批准并应用后再上报"))
        if self.list_imported and s.get("grad_year") != self.year:
            out.append(("not-on-list", "", f"不在学信网 {self.year} 年预计毕业生名单中，请核对该生预计毕业日期，"
                                           f"或在学信网补报预计毕业生后重新导入名单"))
        return out

    def own(self, s: dict) -> list[tuple[str, str, str]]:
        """(rule, field, message) of what is wrong with the record itself (``precheck.verdicts``
        keeps these): nothing here may depend on other students, the year or the corrections."""
        ksh = s.get("KSH") or ""
        out: list[tuple[str, str, str]] = []  # (rule, field, message)
        add = out.append
        byrq = graduates.grad_date(s)
        bjyjl = graduates.conclusion(s)
        values = {f: (s.get(f) or "").strip() for f in REQUIRED_FIELDS}
        values["BYRQ"], values["BJYJL"] = byrq, bjyjl

        for f in REQUIRED_FIELDS:
            if not values[f] and f != "ZSBH":
                add(("missing-field", f, missing_message(f, s)))

        # dates: valid, then in order
        def view() -> dict:  # the record as uploaded (effective BYRQ and BJYJL), built only when needed
            v = dict(s)
            v["BYRQ"], v["BJYJL"] = byrq, bjyjl
            return v

        csrq, rxrq, by = self.date(values["CSRQ"]), self.date(values["RXRQ"]), self.date(byrq)
        if (values["CSRQ"] and not csrq) or (values["RXRQ"] and not rxrq) or (byrq and not by):
            for f, issue in checks.date_issues(view()):
                add((issue.rule, f, issue.message))
        if by and rxrq and by <= rxrq:
            add(("date-order", "BYRQ", f"毕业日期 {byrq} 不晚于入学日期 {values['RXRQ']}，请核对两个日期，"
                                       f"按档案更正错的一个（毕业日期以学信网名单为准，重新导入名单）"))
        if csrq and rxrq:
            if csrq >= rxrq:
                add(("date-order", "CSRQ", f"出生日期 {values['CSRQ']} 不早于入学日期 {values['RXRQ']}，请核对档案，"
                                           f"出生日期有误须提交信息更正申请（第二十条）"))
            elif _age_at(csrq, rxrq) < MIN_ENTRY_AGE:
                add(("date-order", "CSRQ", f"按出生日期 {values['CSRQ']}，入学时（{values['RXRQ']}）未满 "
                                           f"{MIN_ENTRY_AGE} 周岁，请核对出生日期和入学日期；出生日期有误须提交"
                                           f"信息更正申请（第二十条）"))

        coded = (s.get("XB") or "", s.get("MZ") or "", s.get("ZZMM") or "", s.get("CC") or "",
                 s.get("XXXS") or "", s.get("XZ") or "", bjyjl)
        if coded not in self.good_codes:
            found = checks.code_issues(view(), CODE_FIELDS)
            for f, issue in found:
                add((issue.rule, f, issue.message))
            if not found:
                self.good_codes.add(coded)

        # 身份证号: compare with CSRQ only when CSRQ itself is a date (else bad-date says it)
        sfzh = values["SFZH"]
        if sfzh:
            for rule, _sev, msg in idcard.problems(sfzh, values["CSRQ"] if csrq else "", s.get("XB") or ""):
                if rule == "id-format":
                    msg = msg.replace(sfzh, idcard.mask(sfzh))
                add((rule, "SFZH", msg + ID_FIX.get(rule, "")))

        zsbh = (s.get("ZSBH") or "").strip()
        if zsbh:
            wrong = certno.disagreements(zsbh, school_code=self.school["YXDM"], year=byrq[:4] if by else "",
                                         cc=values["CC"])
            if wrong:
                add(("certno-format", "ZSBH", f"证书编号 {zsbh}：" + "；".join(wrong) +
                     "。请学生工作处说明原因后重新分配证书编号（xueji certno reassign）"))

        row = graduates.upload_row(s, {})
        own = "".join([v for v in map(s.get, checks.TEXT_FIELDS) if isinstance(v, str)])
        self._encoding_and_width(s, own, row, add)
        self._lost_characters(s, own, row, add)

        status = s.get("status") or ""
        if status != graduates.IN_SCHOOL and not graduates.reissue(s):
            add(("status", "", status_message(status)))

        photo = s.get("photo") or {}
        if not photo.get("taken") or not photo.get("linked"):
            what = "未采集毕业照片" if not photo.get("taken") else "毕业照片已采集但未与学籍链接"
            add(("photo-missing", "ZP", f"{what}（第二十八条），请通知学生到新华社采集点补拍，"
                                        f"或向新华社吉林省分社查询链接情况"))
        else:
            check = photo.get("check") or "未校对"
            if check != "无误":
                why = "对照片提出了异议" if check == "有异议" else "尚未在学信网校对照片"
                add(("photo-unchecked", "ZP", f"学生{why}，请督促学生登录学信网学历电子图像校对系统提交“无误”结论"))
            taken, checked = self.date(photo.get("taken_on") or ""), self.date(photo.get("checked_on") or "")
            if photos.checked_too_early(taken, checked, check):
                add(("photo-early-check", "ZP", f"照片 {photo.get('taken_on')} 拍摄，{photo.get('checked_on')} 校对，"
                                                f"相隔 {(checked - taken).days} 天不足 {photos.CHECK_AFTER_DAYS} 天"
                                                f"（第二十八条），请学生在拍摄 {photos.CHECK_AFTER_DAYS} 天后重新校对"))

        flag = checks.identity_flag(s)
        if flag:
            add(("identity-flag", "BZ", f"学信网标记“{flag}”，须先核实身份、由学生工作处处理后方可注册学历"))

        # warnings
        if by and rxrq and values["XZ"]:
            self._study_length(s, rxrq, by, values["XZ"], add)
        if ksh and (s.get("XXXS") or "普通全日制") == "普通全日制":
            for i in ksh_issues(ksh, values["RXRQ"]):
                add((i.rule, "KSH", i.message))
        for i in name_issues(s.get("XM") or ""):
            add((i.rule, "XM", i.message))
        return out

    def _encoding_and_width(self, s: dict, own: str, row: dict[str, str], add) -> None:
        """``own``: the record's text fields, joined."""
        unencodable: set[str] = set()
        if not own.isascii():
            try:
                own.encode("gbk")
            except UnicodeEncodeError:
                for f, issue in checks.encoding_issues(s):
                    unencodable.add(f)
                    add((issue.rule, f, issue.message))
        sizes = self.bytes
        for f, col, width in self.sized:
            v = row[f]
            if not v or f in unencodable:
                continue
            if v.isascii():
                if len(v) <= width:
                    continue
                n = len(v)
            else:
                try:
                    n = sizes[v]
                except KeyError:
                    n = sizes[v] = gbk_bytes(v)
            if n is None:
                add(("not-encodable", f, f"{label(f)}中的“{unencodable_chars(v)}”无法用 GBK 编码，"
                                         f"请改用 CHSI 规定的写法（生僻字按学信网要求处理）"))
                continue
            if n > width:
                add(("too-long", f, f"{label(f)}“{v}”占 {n} 字节，超过上报文件 {col} 字段的 {width} 字节"
                                    f"（汉字占 2 字节），请按学信网要求缩写或与学生工作处联系"))

    def _lost_characters(self, s: dict, own: str, row: dict[str, str], add) -> None:
        """``?`` or U+FFFD where a character was lost (a GBK CSV saved from a GB18030 name): the
        upload would carry the damage, so it is an error until restored from the documents."""
        text = "".join(row.values()) + own  # the upload row's values are text
        if "?" not in text and lost.LOST not in text:
            return
        values = dict(row)
        for f in checks.TEXT_FIELDS:
            v = s.get(f)
            if isinstance(v, str) and f not in values:
                values[f] = v
        for f, v in values.items():
            if f not in SCHOOL_FIELDS and lost.is_lost(f, v):
                add(("lost-character", f, lost.message(label(f), v)))

    def _study_length(self, s: dict, rxrq: date, by: date, xz: str, add) -> None:
        try:
            years = float(xz)
        except ValueError:
            return
        actual = _months(rxrq, by)
        expected = round(years * 12)
        if abs(actual - expected) <= 6:
            return
        for e in s.get("history") or ():
            if e.get("type") in EXPLAINS_LENGTH and not e.get("reversed_by"):
                return
        add(("study-length", "BYRQ",
             f"入学 {s.get('RXRQ')} 至毕业 {graduates.grad_date(s)} 约 {actual // 12} 年 {actual % 12} 个月，"
             f"与学制 {xz} 年相差超过 6 个月，且没有跳级、留降级、休学、保留学籍或复学记录；"
             f"请核对入学日期、毕业日期和学制"))


def _default_widths() -> dict[str, tuple[str, int]]:
    from xueji_tui.precheck.widths import graduates_widths

    return graduates_widths()


def verdicts_for(saved: bytes | None, settings: dict, widths: dict[str, tuple[str, int]] | None = None) -> Verdicts:
    """The kept own findings that hold under ``settings`` and ``widths`` (none when they changed)."""
    return Verdicts(context_of(_school(settings), widths if widths is not None else _default_widths()), saved)


def select(students: Iterable[dict], year: int, excluded: list[dict] | None = None,
           listed: list[bool] | None = None) -> tuple[list[dict], list[dict]]:
    """(to check, already registered) among ``students`` for ``year``, each in graduate order; the
    students the office excluded go to ``excluded`` instead (neither checked nor uploaded).
    ``listed``: set to [True] when anyone is on the CHSI list of ``year`` (in the same pass)."""
    check, registered = _select(students, year, excluded, listed)
    check.sort(key=graduates.order_key)
    registered.sort(key=graduates.order_key)
    return check, registered


def _select(students: Iterable[dict], year: int, excluded: list[dict] | None,
            listed: list[bool] | None) -> tuple[list[dict], list[dict]]:
    """``select`` in the order read."""
    check, registered = [], []
    for s in students:
        if listed is not None and not listed[0] and s.get("grad_year") == year:
            listed[0] = True
        if graduates.in_year(s, year):
            if graduates.is_registered(s):
                registered.append(s)
            elif s.get("excluded"):
                if excluded is not None:
                    excluded.append(s)
            else:
                check.append(s)
    return check, registered


def run(students: Iterable[dict], *, year: int, settings: dict, list_imported: bool | None,
        college: str | None = None, progress: Callable[[int, int], None] | None = None,
        corrections: Iterable[dict] = (), widths: dict[str, tuple[str, int]] | None = None,
        verdicts: Verdicts | None = None) -> Result:
    """The precheck of ``year``'s expected graduates among ``students`` (give it every student:
    duplicates are looked for across the whole school even when ``college`` limits what is checked).

    ``settings``: the data directory's settings (school_code, school_name, president).
    ``list_imported``: whether a CHSI expected-graduate list of ``year`` was imported; None: whether
    anyone among ``students`` is on it (the whole school given: the same answer, without a second pass).
    ``corrections``: the identity change requests (dicts with KSH, field, status, id).
    ``widths``: upload field -> (column, bytes) from the graduates profile (default: shipped one).
    ``progress(done, total)`` is called as students are checked.
    ``verdicts``: the students' own findings kept from earlier runs (``students`` then comes from
    ``verdicts.students``); made with ``verdicts_for`` so that they were found under these settings.
    """
    checker = _Checker(year, settings, list_imported, corrections, widths, verdicts)
    if verdicts is not None and verdicts.context != checker.context():
        raise ValueError("verdicts kept under other settings or widths")
    # the same school under the same rules and requests gives the same result: the last run's is
    # taken when it was kept (``verdicts``), by 考生号 — before anyone is selected when every file's
    # digest is already known (the school read whole), else once the reading selected them
    also = [year, college, list_imported, checker.numbering, checker.open]  # what the key adds to the files
    if verdicts is not None and verdicts.read:
        students = list(students)
        again = kept_result.result_again(verdicts.result(verdicts.result_key(also)), year, college, students)
        if again is not None:
            return kept_result.done(again, progress)
    excluded: list[dict] = []
    listed = [False]
    every, registered = _select(students, year, excluded, listed if list_imported is None else None)
    if list_imported is None:
        checker.list_imported = listed[0]
    key = verdicts.result_key(also) if verdicts is not None else None
    if verdicts is not None and not verdicts.read:
        again = kept_result.result_again(verdicts.result(key), year, college, every + registered + excluded)
        if again is not None:
            return kept_result.done(again, progress)
    every.sort(key=graduates.order_key)
    registered.sort(key=graduates.order_key)
    checker.count_duplicates(every + registered)
    mine, registered, excluded = ([s for s in group if college is None or (s.get("FY") or "") == college]
                                  for group in (every, registered, excluded))
    result = Result(year=year, college=college, students=mine, registered_students=registered, excluded=excluded)
    if not checker.numbering:  # stage 1: one count, not one finding per student
        result.pending = [s.get("KSH") or "" for s in mine if not (s.get("ZSBH") or "").strip()]
    result.registered = len(result.registered_students)
    result.checked = len(mine)
    findings = checker.school_findings()
    total = len(mine)
    step = max(1, total // 100)
    for i, s in enumerate(mine):
        found = checker.check(s)
        if found:
            findings += found
        if progress and (i % step == 0):
            progress(i, total)
    if progress:
        progress(total, total)
    # errors first, then by rule in catalogue order; students keep the graduate order within a rule
    findings.sort(key=lambda f: (f.severity != ERROR, ORDER[f.rule]))
    result.findings = findings
    if key is not None:
        verdicts.keep_result(f"{year} {college or ''}", key, kept_result.kept(result))
    return result
