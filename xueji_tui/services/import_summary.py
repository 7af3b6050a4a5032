"""The summary a clerk reads before an import is applied (the CLI prints it, the 文件 area shows it)."""

from __future__ import annotations

from xueji_tui.domain.fields import label
from xueji_tui.precheck.rules import rule_words
from xueji_tui.services.import_plan import ImportPlan, field_label, shown


def summary_lines(plan: ImportPlan, limit: int = 100) -> list[str]:
    c = plan.counts()
    out = [f"导入{plan.title}：{plan.path}（{plan.format.upper()}，{c['rows']} 行，SHA-256 {plan.sha256[:16]}…）"]
    if plan.kind_note:
        out.insert(0, "注意：" + plan.kind_note)
    if plan.kind == "workbook":
        out.append(f"  核对结论 {c['verdicts']} 项 · 冲突 {c['conflicts']} 处 · 拒收 {c['rejected']} 行")
    else:
        out.append(f"  新增 {c['new']} 人 · 变更 {c['changed']} 人（{c['changed_fields']} 个字段）· 无变化 {c['unchanged']} 人"
                   f" · 文件中没有的 {c['missing']} 人 · 拒收 {c['rejected']} 行 · 冲突 {c['conflicts']} 处"
                   + (f" · {c['conflicted']} 人的不同都须核实、未修改（冲突或身份信息）" if c["conflicted"] else ""))
    if plan.extra_columns:
        out.append(f"  未使用的列（已忽略）：{'、'.join(plan.extra_columns[:20])}")

    def section(title: str, items: list[str]) -> None:
        if not items:
            return
        out.append(title)
        out.extend("  " + x for x in items[:limit])
        if len(items) > limit:
            out.append(f"  …另有 {len(items) - limit} 条未列出")

    section("变更（字段：原值 → 新值）：", [
        f"{ch.ksh} {ch.xm}：" + "；".join(f"{field_label(f)} {shown(f, o) or '（空）'} → {shown(f, n) or '（空）'}"
                                        for f, o, n in ch.fields) for ch in plan.changed])
    section("冲突（学信网的值与本地已核对/更正的值不同：保留本地值，未覆盖，请核实）：", [
        f"{x.ksh} {x.xm} {label(x.field)}：本地“{shown(x.field, x.local)}”（{x.why}）· 文件“{shown(x.field, x.chsi)}”"
        for x in plan.conflicts])
    held = [d for d in plan.identity if not plan.accept_identity or d.held]
    section("身份信息与学信网不同（第二十条：在籍学生的姓名、性别、出生日期、身份证号、民族只能经批准的更正申请"
            "修改）：未修改。核实后可由学生工作处按学信网数据更正（导入时选择“按学信网更正身份信息”），"
            "或为学生提交更正申请：", [
                f"{d.ksh} {d.xm} {label(d.field)}：本地“{shown(d.field, d.local)}”· 文件“{shown(d.field, d.chsi)}”"
                + (f"（{d.held}）" if d.held else "") for d in held])
    section("按学信网数据更正的身份信息（记入审计记录，附文件名和 SHA-256）：", [
        f"{d.ksh} {d.xm} {label(d.field)}：“{shown(d.field, d.local)}” → “{shown(d.field, d.chsi)}”"
        for d in plan.identity if plan.accept_identity and not d.held])
    section("拒收的行（写入拒收文件，供跟进）：",
            [f"{r.where}：{r.reason}" for r in sorted(plan.rejected, key=lambda r: (r.sheet, r.row))])
    if plan.verdicts:
        section("将记录的核对结论：", [v["shown"] for v in plan.verdicts])
    if plan.normalised:
        out.append("已规范化：" + "；".join(f"{k} {n} 处" for k, n in _by_count(plan.normalised)))
    if plan.flagged:
        out.append("按原样导入并标记待核对（预审和核对队列会提示）：" + "；".join(
            f"{rule_words(k)} {n} 人" for k, n in _by_count(plan.flagged)))
    section("文件中没有的学生（仅报告，不会删除）：", [
        f"{k} {xm}（学号 {xh or '无'}，{fy or '未分配学院'}）" for k, xh, xm, fy in plan.missing])
    section("专业目录中没有、将从文件中学到的专业（请学生工作处在专业目录中核对，并补充学院编号、专业编号）：", [
        f"{m['ZYDM']} {m['ZYMC']}（{m['FY']}，{m.get('CC') or '层次未知'}，{m.get('XZ') or '学制未知'}）" for m in plan.majors])
    for n in plan.notes:
        out.append("注意：" + n)
    return out


def _by_count(counts) -> list[tuple[str, int]]:
    """Most first, ties by name: the counts are gathered from sets, whose order changes from run to run."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
