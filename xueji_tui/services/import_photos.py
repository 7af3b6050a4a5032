"""The photo status list (采集, 链接, 校对): matched by 考生号 or 身份证号, one row per student."""

from __future__ import annotations

from xueji_tui.domain.fields import label
from xueji_tui.domain.validate import is_date
from xueji_tui.formats import profiles
from xueji_tui.services.import_plan import Changed, ImportPlan, Reject, originals, shown
from xueji_tui.services.session import Session


def plan_photos(session: Session, plan: ImportPlan, rows: list[dict], profile: profiles.Profile,
                 matched: set[str]) -> None:
    fields = [f for f in profile.fields if f.code in matched and f.source.startswith("photo.")]
    seen: dict[str, int] = {}
    for r in rows:
        s = session.store.get(r["KSH"]) if r.get("KSH") else None
        if s is None and r.get("SFZH"):
            hits = session.store.find(r["SFZH"])
            s = hits[0] if len(hits) == 1 else None
        if s is None:
            who = " / ".join(f"{label(k)} {shown(k, r[k])}" for k in ("KSH", "SFZH") if r.get(k))
            plan.rejected.append(Reject(r["_row"], f"找不到{who}对应的学生，请核对", originals(r, None), r["_sheet"]))
            continue
        if s["KSH"] in seen:
            plan.rejected.append(Reject(r["_row"], f"与第 {seen[s['KSH']]} 行是同一名学生（考生号 {s['KSH']}），"
                                                   f"以先出现的一行为准", originals(r, None), r["_sheet"]))
            continue
        seen[s["KSH"]] = r["_row"]
        photo = dict(s.get("photo") or {})
        changes = []
        for f in fields:
            key = f.source.split(".", 1)[1]
            new = r[f.code]
            if f.transform == "yesno" and isinstance(new, str):
                plan.notes.append(f"第 {r['_row']} 行 {f.label}“{new}”应为 是/否，该项未导入")
                continue
            if f.transform == "date" and new and not is_date(new):
                plan.notes.append(f"第 {r['_row']} 行 {f.label}“{shown(f.code, new)}”不是有效日期（应为 YYYYMMDD），"
                                  f"该项未导入；请更正文件后再导入")
                continue
            cur = photo.get(key)
            if cur == new or (cur in (None, "") and new in (None, "")):
                continue
            changes.append((f.source, photo.get(key), new))
            photo[key] = new
        if changes:
            s["photo"] = photo
            plan.updates.append(s)
            plan.changed.append(Changed(s["KSH"], s.get("XH", ""), s.get("XM", ""), changes))
        else:
            plan.unchanged.append(s["KSH"])
