"""import, export, stats: CHSI files in and out (spec/cli.md). Heavy imports stay inside functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo_json, note

IMPORT_HELP = """导入学信网下载的文件（.dbf/.xlsx/.xls/.csv），先显示摘要再应用 / import a CHSI file.

\b
KIND:
  students   在校生学籍数据      freshmen   录取新生数据（新生按“待注册”导入）
  graduates  预计毕业生名单      photos     电子图像采集与校对状态
  workbook   学院返回的核对表（学院账号只能导入本学院的行）

\b
摘要：新增、变更（逐字段：原值 → 新值）、无变化、文件中没有的学生（只报告，不删除）、拒收的行及原因、
规范化了什么、冲突（学信网的值与本地已核对/更正的值不同：保留本地值）。
拒收的行写入输入文件旁的 <文件名>.rejects.csv。应用是一次性的：全部写入或全部不写。
"""


@click.command("import", help=IMPORT_HELP)
@click.argument("kind", type=click.Choice(["students", "freshmen", "graduates", "photos", "workbook"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只显示摘要，不写入 / summary only")
@click.option("--yes", "-y", is_flag=True, help="不询问，直接应用 / apply without asking")
@click.option("--year", type=click.IntRange(1950, 2100), default=None,
              help="graduates：文件中没有毕业日期和预计毕业日期时的毕业年份")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=100, show_default=True,
              help="摘要中每类最多列出的条数")
@pass_env
def import_cmd(env, kind, file, dry_run, yes, year, limit):
    from xueji_tui.services import imports

    session = env.session()
    plan = imports.plan_import(session, kind, file, year=year)
    click.echo("\n".join(imports.summary_lines(plan, limit)))
    if dry_run:
        note("预览（--dry-run）：未写入任何数据")
        return
    if plan.empty:
        note("没有需要写入的内容")
        if plan.rejected:
            out = imports.write_rejects(plan)
            note(f"拒收的行已写入 {out}")
        return
    if not yes:
        if not sys.stdin.isatty():
            note("未应用：加 --yes 应用")
            return
        if not click.confirm("应用以上导入？", default=False):
            note("未应用")
            return
    counts = imports.apply_import(session, plan)
    for n in plan.notes[-1:]:
        if "重新比对" in n:
            note(n)
    done = (f"已导入：新增 {counts['new']} 人，变更 {counts['changed']} 人（{counts['changed_fields']} 个字段），"
            f"冲突 {counts['conflicts']} 处保留本地值，拒收 {counts['rejected']} 行")
    if kind == "workbook":
        done = (f"已导入：记录核对结论 {counts.get('applied', 0)} 项（其中更正申请 {counts.get('requests', 0)} 项），"
                f"冲突 {counts['conflicts']} 处未应用，拒收 {counts['rejected']} 行")
    note(done)
    if counts.get("rejects_file"):
        note(f"拒收的行已写入 {counts['rejects_file']}")
