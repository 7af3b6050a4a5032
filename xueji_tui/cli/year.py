"""The office's year: assign (编班、学号), campaign (the annual round), register (bulk registration),
progress (deadlines). Each shows its plan first; --dry-run stops there, --yes applies without asking."""

from __future__ import annotations

import sys

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo_json, note, table


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


@click.command("assign", help="新生编班、分配学号（学生工作处）：学院取自专业目录，按专业和每班人数编班，"
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
        click.echo(table([[c.fy, c.zydm, c.zymc, c.bh, str(c.new), str(c.total)] for c in plan.classes],
                         ["学院", "专业代码", "专业", "班号", "新编入", "全班人数"]))
        click.echo("")
    if plan.placed:
        click.echo(table(placement.preview_rows(plan), placement.PREVIEW_HEADERS))
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
