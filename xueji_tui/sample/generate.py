"""``generate``: the whole sample school for a seed and a reference day, as plain data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from xueji_tui.precheck.rules import RULES
from xueji_tui.sample import defects, school
from xueji_tui.sample.calendar import Calendar
from xueji_tui.sample.population import admit_cohorts, extra_class
from xueji_tui.sample.stories import Life, graduation

MIN_STUDENTS = 400  # enough graduating students to plant every defect on distinct clean ones
FORMAT = "xueji-sample/1"


@dataclass
class School:
    seed: int
    students_wanted: int
    ref: date
    settings: dict
    students: list[dict]
    majors: list[dict]
    clerks: list[dict]
    corrections: list[dict]
    manifest: dict = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.manifest["year"]

    def to_json(self) -> dict:
        return {"format": FORMAT, "seed": self.seed, "students_wanted": self.students_wanted,
                "date": self.ref.strftime("%Y%m%d"), "settings": self.settings, "clerks": self.clerks,
                "majors": self.majors, "corrections": self.corrections, "manifest": self.manifest,
                "students": self.students}

    @classmethod
    def from_json(cls, d: dict) -> "School":
        if d.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        ref = date(int(d["date"][:4]), int(d["date"][4:6]), int(d["date"][6:]))
        return cls(d["seed"], d["students_wanted"], ref, d["settings"], d["students"], d["majors"],
                   d["clerks"], d["corrections"], d["manifest"])


def generate(students: int, seed: int, ref: date | None = None) -> School:
    """A school of about ``students`` students as of ``ref`` (default today), the same for a seed.

    Cohorts enter in the school years S-3 … S (S: the school year ``ref`` falls in); the graduating
    class (本科 S-3, 专科 S-2, plus students delayed into it) is on CHSI's expected-graduate list of
    S+1 with photos done — except the students carrying planted defects (``manifest``).
    """
    if students < MIN_STUDENTS:
        raise ValueError(f"the sample school needs at least {MIN_STUDENTS} students (asked for {students})")
    ref = ref or date.today()
    rng = random.Random(seed)
    cal = Calendar(rng, ref)
    s_year, g_year = cal.year, cal.grad_year
    pop, adm = admit_cohorts(rng, students, s_year)
    life = Life(rng, cal, pop)

    def graduating(s: dict) -> bool:
        return s["YJBYRQ"][:4] == str(g_year)

    base = list(pop.students)
    seniors = [s for s in base if s["RXRQ"][:4] == str(s_year - 3)]
    delayed = set(id(s) for s in rng.sample(seniors, max(1, len(seniors) // 200)))
    juniors = [s for s in base if s["RXRQ"][:4] == str(s_year - 2) and s["CC"] == "本科"]
    skipped = {id(rng.choice(juniors))}
    for s in base:
        year = int(s["RXRQ"][:4])
        college, major = pop.where[s["KSH"]]
        if year == s_year:
            life.freshman(s)
        elif id(s) in delayed:
            life.delayed(s, major)
        elif id(s) in skipped:
            life.skipped(s, major)
        else:
            life.in_school(s, graduating=graduating(s))
    # students who entered a year before the oldest cohort and were delayed into the graduating class
    bachelor = [(c, m) for c, m in school.all_majors() if m.cc == "本科"]
    for _ in range(max(1, len(seniors) // 250)):
        college, major = rng.choice(bachelor)
        s = adm.admit(s_year - 4, college, major, extra_class(pop, major, s_year - 4))
        life.delayed(s, major)
        pop.students.append(s)

    grads = [s for s in pop.students if graduating(s) and s["status"] == "注册学籍"]
    for s in grads:
        graduation(rng, cal, s)
    corrections: list[dict] = []
    ctx = defects.Ctx(rng, cal, adm.numbers, life, corrections, [0])
    findings = defects.plant(rng, ctx, grads)
    freshman_flaws = _freshman_flaws(rng, cal, life, pop.students, corrections, s_year)

    checked = [s for s in pop.students if graduating(s) and (s["grad_year"] == g_year or s["status"] == "注册学籍")]
    has_zsbh = sorted(s["KSH"] for s in checked if s["ZSBH"])
    findings.sort(key=lambda f: (list(RULES).index(f["rule"]), f["FY"], f["KSH"]))
    manifest = {
        "school": school.SCHOOL_NAME, "seed": seed, "students": len(pop.students),
        "date": ref.strftime("%Y%m%d"), "school_year": s_year, "year": g_year,
        "checked": len(checked),
        "pending_certno": len(checked) - len(has_zsbh),
        "pending_certno_note": "no number is assigned yet (stage 1): every checked student without ZSBH is counted in "
                               "pending_certno, not a finding, until `xueji certno assign`",
        "has_zsbh": has_zsbh,
        "rules": sorted({f["rule"] for f in findings}, key=list(RULES).index),
        "findings": findings,
        "freshman_flaws": freshman_flaws,
    }
    settings = {"school_code": school.SCHOOL_CODE, "school_name": school.SCHOOL_NAME,
                "president": school.PRESIDENT, "class_size": school.CLASS_SIZE,
                "xh_pattern": school.XH_PATTERN, "bh_pattern": school.BH_PATTERN}
    return School(seed, students, ref, settings, pop.students, school.catalog_rows(), school.clerk_rows(),
                  corrections, manifest)


def _freshman_flaws(rng: random.Random, cal: Calendar, life: Life, students: list[dict],
                    corrections: list[dict], s_year: int) -> list[dict]:
    """Import-style flaws in the newest cohort, so the verification queue has work."""
    pending = [s for s in students if s["RXRQ"][:4] == str(s_year) and s["status"] == "待注册"
               and not s["verification"]]
    rng.shuffle(pending)
    out = []

    def note(s, rule, field, what):
        out.append({"rule": rule, "KSH": s["KSH"], "XH": s["XH"], "field": field, "FY": s["FY"], "planted": what})

    for s in pending[:3]:
        v = s["SFZH"]
        s["SFZH"] = v[:17] + rng.choice([c for c in "0123456789X" if c != v[17]])
        note(s, "id-checksum", "SFZH", "录取数据中身份证号校验位错")
    if len(pending) > 3:
        s = pending[3]
        s["BZ"] = "身份核验不确定"
        note(s, "identity-flag", "BZ", "学信网标记身份核验不确定")
    if len(pending) > 4:
        s = pending[4]
        s["XM"] = s["XM"][:1] + " " + s["XM"][1:]
        note(s, "name-format", "XM", "姓名中间有空格")
    for s in pending[5:7]:
        day = cal.between(cal.term_start + timedelta(10), cal.term_start + timedelta(40))
        new = "满族" if s["MZ"] != "满族" else "汉族"
        life.verify(s, ["MZ"], day, verdict="wrong", note="学生户口簿登记为" + new)
        clerk = life.clerk_of[s["FY"]]
        at = s["verification"]["MZ"]["at"]
        # the request's number is its place in the corrections table of the new data directory
        s["verification"]["MZ"].update(value=new, request=str(len(corrections) + 1))
        corrections.append({"KSH": s["KSH"], "XH": s["XH"], "XM": s["XM"], "FY": s["FY"], "field": "MZ",
                            "old": s["MZ"], "new": new, "reason": "核对发现有误", "evidence": "户口簿",
                            "status": "申请", "filed_by": clerk, "filed_at": at,
                            "steps": [{"status": "申请", "by": clerk, "at": at, "note": "核对发现有误"}]})
        note(s, "pending-correction", "MZ", "核对发现民族有误，已提交更正申请")
    return out
