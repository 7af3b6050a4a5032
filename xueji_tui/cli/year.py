"""The office's year: assign (编班、学号), campaign (the annual round), register (bulk registration),
progress (deadlines). Each shows its plan first; --dry-run stops there, --yes applies without asking."""

from __future__ import annotations

import sys

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note, table


def confirm(question: str, dry_run: bool, yes: bool) -> bool:
    """Whether to apply: --dry-run never, --yes always, a terminal asks, a script is told how."""
    if dry_run:
        note("预览（--dry-run）：未写入任何数据")
        return False
    if yes:
        return True
    if not sys.stdin.isatty():
        note("未应用：加 --yes 应用")
        return False
    if not click.confirm(question, default=False):
        note("未应用")
        return False
    return True


@click.command("assign", short_help="新生编班、分配学号（学生工作处）", help="新生编班、分配学号（学生工作处）：学院取自专业目录，按专业和每班人数编班，"
                              "学号按设置中的学号格式；先显示编排结果，再一次性写入。再次运行不会改变已有学号")
@click.option("--year", required=True, type=click.IntRange(2000, 2099), help="入学年份（新生的年级）")
@click.option("--dry-run", is_flag=True, help="只显示编排结果，不写入")
@click.option("--yes", "-y", is_flag=True, help="不询问，直接写入")
@pass_env
def assign_cmd(env, year, dry_run, yes):
    from xueji_tui.services import placement

    session = env.session()
    plan = placement.plan_assign(session, year)
    if plan.classes:
        echo(table([[c.fy, c.zydm, c.zymc, c.bh, str(c.new), str(c.total)] for c in plan.classes],
                         ["学院", "专业代码", "专业", "班号", "新编入", "全班人数"]))
        echo("")
    if plan.placed:
        echo(table(placement.preview_rows(plan), placement.PREVIEW_HEADERS))
    for line in placement.summary(plan):
        note(line)
    for ksh, xm, why in plan.problems:
        note(f"  未分配 {ksh} {xm}：{why}")
    if not plan.placed:
        if plan.problems:
            raise SystemExit(1)
        note(f"{year} 级没有尚无学号的新生，无需分配；未写入任何数据")
        return
    if not confirm("写入以上编班和学号？", dry_run, yes):
        if plan.problems:
            raise SystemExit(1)
        return
    done = placement.apply_assign(session, plan)
    for n in done.notes:
        note(n)
    note(f"已写入：{len(done.placed)} 名新生的学号、学院、班号")
    if done.problems:
        raise SystemExit(1)


@click.group("campaign", short_help="开启本学年的核对轮次（第十七条）", help="学年核对（第十七条）：start 开启本学年的核对轮次（学生工作处）")
def campaign_group():
    pass


@campaign_group.command("start", help="开启 YYYY 学年的核对：此后核对队列、学院核对表和注册条件只计本学年的核对结论；"
                                      "以前学年的结论移入核对历史，不删除")
@click.option("--year", required=True, type=click.IntRange(2000, 2099), help="学年（以九月开学的年份命名，如 2026）")
@pass_env
def campaign_start_cmd(env, year):
    from xueji_tui.services import campaign

    got = campaign.start(env.session(), year)
    if not got.opened:
        note(f"{year} 学年的核对已于 {got.at[:10]} 由 {got.by} 开启，未作修改")
        return
    note(f"已开启 {year} 学年的核对" + (f"（上一轮：{got.previous} 学年）" if got.previous else "（第一轮）"))
    if got.students:
        moved = "、".join(f"{y} 学年 {n} 项" for y, n in sorted(got.verdicts.items()))
        note(f"{got.students} 名学生以前学年的核对结论（{moved}）已移入核对历史，本学年须重新核对")
    else:
        note("没有以前学年的核对结论需要移动")


@click.command("register", short_help="批量注册：新生 0101、在校生学年注册（学院为报送）", help="批量注册（第六、十八条）：本学年新生以 0101 注册学籍，在校生办理学年注册；"
                                "跳过暂缓注册、核对未完成和有待复核报送的学生，逐个说明原因。先预览，再一次性写入；"
                                "学院账号运行时为向学生工作处报送注册名单")
@click.option("--year", required=True, type=click.IntRange(2000, 2099), help="学年（以九月开学的年份命名，如 2026）")
@click.option("--college", default=None, metavar="FY", help="只办理一个学院")
@click.option("--dry-run", is_flag=True, help="只预览，不写入")
@click.option("--yes", "-y", is_flag=True, help="不询问，直接写入")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=None, help="每类最多列出的人数（默认全部）")
@pass_env
def register_cmd(env, year, college, dry_run, yes, limit):
    from xueji_tui.services import registration

    session = env.session()
    plan = registration.plan_register(session, year, college)
    rows = [[b["XH"], b["XM"], b["KSH"], b["FY"], "0101 复查合格（新生注册学籍）"] for b in plan.freshmen]
    rows += [[b["XH"], b["XM"], b["KSH"], b["FY"], f"{year} 学年注册"] for b in plan.returning]
    if rows:
        echo(("报送注册：" if plan.propose else "注册：") + f"{len(rows)} 人")
        echo(table(rows[:limit], ["学号", "姓名", "考生号", "学院", "办理"]))
        if limit and len(rows) > limit:
            echo(f"…另有 {len(rows) - limit} 人未列出")
    if plan.skipped:
        echo(f"跳过：{len(plan.skipped)} 人")
        skipped = [[b["XH"], b["XM"], b["KSH"], b["FY"], why] for b, why in plan.skipped]
        echo(table(skipped[:limit], ["学号", "姓名", "考生号", "学院", "原因"]))
        if limit and len(skipped) > limit:
            echo(f"…另有 {len(skipped) - limit} 人未列出")
    note(f"{year} 学年注册" + (f"（{plan.college}）" if plan.college else "") +
         f"：新生注册 {len(plan.freshmen)} 人 · 学年注册 {len(plan.returning)} 人 · 已注册 {plan.done} 人（不变）"
         f" · 跳过 {len(plan.skipped)} 人")
    if not plan.todo:
        note("没有可以注册的学生，未写入任何数据")
        return
    what = "报送以上注册名单？" if plan.propose else "注册以上学生？"
    if not confirm(what, dry_run, yes):
        return
    done = registration.apply_register(session, plan)
    for n in done.notes:
        note(n)
    if done.propose:
        note(f"已报送 {done.todo} 人，待学生工作处复核（xueji review list）")
    else:
        note(f"已注册：新生 {len(done.freshmen)} 人（0101），学年注册 {len(done.returning)} 人")


@click.command("progress", short_help="进度：各条期限的剩余天数和各学院完成情况", help="进度：第九、二十一、二十二、二十八条的期限和剩余天数，各学院的完成情况（与进度区相同）")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@pass_env
def progress_cmd(env, as_json):
    from dataclasses import asdict

    from xueji_tui.services import progress, reports

    session = env.session()
    got = progress.progress(session)
    due = reports.due_back(session, got.school_year)
    if as_json:
        echo_json({"school_year": got.school_year, "term_start": f"{got.term_start:%Y%m%d}",
                   "deadlines": [{"title": d.title, "article": d.article, "due": f"{d.due:%Y%m%d}",
                                  "days_left": d.days_left, "overdue": d.overdue, "label": d.label}
                                 for d in got.deadlines],
                   "colleges": [asdict(c) for c in got.colleges], "total": asdict(got.total),
                   "due_back": len(due), "due_back_overdue": sum(1 for d in due if d["overdue"])})
        return
    echo(f"{got.school_year}–{got.school_year + 1} 学年 · 开学 {got.term_start:%Y-%m-%d}")
    echo(table([[d.title, d.article, f"{d.due:%Y-%m-%d}", d.label] for d in got.deadlines],
                     ["期限", "依据", "日期", "剩余"]))
    echo("")
    echo("各学院进度（新生 = 本学年入学）")
    rows = [[c.college, f"{c.freshmen_verified}/{c.freshmen}", f"{c.freshmen_registered}/{c.freshmen}",
             str(c.wrong), str(c.open_requests), str(c.postponed)]
            for c in got.colleges + ([got.total] if len(got.colleges) > 1 else [])]
    echo(table(rows, ["学院", "新生核对完成", "新生已注册", "有误", "待批申请", "暂缓注册"]))
    if due:
        late = sum(1 for d in due if d["overdue"])
        note(f"保留入学资格的学生 {len(due)} 人应于 {got.school_year} 学年或以前返校" + (f"，其中 {late} 人已逾期" if late else "")
             + "：名单见 xueji export intake 的第二个工作表")
