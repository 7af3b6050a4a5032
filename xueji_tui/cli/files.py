"""import, export, stats: CHSI files in and out (docs/cli.md). Heavy imports stay inside functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note

IMPORT_HELP = """导入学信网下载的文件（.dbf/.xlsx/.xls/.csv），先显示摘要再应用 / import a CHSI file.

\b
KIND:
  students   在校生学籍数据      freshmen   录取新生数据（新生按“待注册”导入）
  graduates  预计毕业生名单      photos     电子图像采集与校对状态
  workbook   学院返回的核对表（学院账号只能导入本学院的行）
  placement  学校自己的编班文件（考生号 KSH、学号 XH、学院 FY、班号 BH），检查学号唯一
  deferrals  暂缓注册名单（欠费等；每行考生号 KSH 或学号 XH）：名单上的学生办理 0501 暂缓注册

\b
摘要：新增、变更（逐字段：原值 → 新值）、无变化、文件中没有的学生（只报告，不删除）、拒收的行及原因、
规范化了什么、冲突（学信网的值与本地已核对/更正的值不同：保留本地值）。
拒收的行写入输入文件旁的 <文件名>.rejects.csv。应用是一次性的：全部写入或全部不写。
"""


@click.command("import", help=IMPORT_HELP)
@click.argument("kind", type=click.Choice(["students", "freshmen", "graduates", "photos", "workbook", "placement",
                                           "deferrals"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只显示摘要，不写入 / summary only")
@click.option("--yes", "-y", is_flag=True, help="不询问，直接应用 / apply without asking")
@click.option("--year", type=click.IntRange(1950, 2100), default=None,
              help="graduates：文件中没有毕业日期和预计毕业日期时的毕业年份")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=100, show_default=True,
              help="摘要中每类最多列出的条数")
@click.option("--accept-identity", is_flag=True,
              help="（学生工作处）按学信网数据更正在籍学生的身份信息（姓名、性别、出生日期、身份证号、民族），"
                   "记入审计记录；不加时只列出、不修改（第二十条）")
@pass_env
def import_cmd(env, kind, file, dry_run, yes, year, limit, accept_identity):
    from xueji_tui.services import imports

    session = env.session()
    plan = imports.plan_import(session, kind, file, year=year, accept_identity=accept_identity)
    echo("\n".join(imports.summary_lines(plan, limit)))
    if plan.identity and not accept_identity:
        note("身份信息与学信网不同的学生未修改；核实后要按学信网数据更正，请加 --accept-identity 再导入（学生工作处）")
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
    if counts.get("with_problems"):
        done += f"；其中 {counts['with_problems']} 人有待核对的问题（按原样导入，见核对队列和预审）"
    note(done)
    if counts.get("rejects_file"):
        note(f"拒收的行已写入 {counts['rejects_file']}")


EXPORT_HELP = """导出上报学信网的文件或报表 / export an upload file or a report.

\b
KIND（上报文件仅学生工作处可导出 / uploads are office only）:
  registration   新生学籍注册/学年注册结果（--year：入学年份的一届）
  changes        学籍异动（--year：生效日期所在年份）
  cancellations  学籍注销
  admission      保留入学资格、放弃入学资格（xlsx 两个工作表；dbf 两个文件）
  corrections    学籍信息修改（已批准的身份信息更正）
  graduates      学历电子注册（预审有错误时拒绝导出，除非 --skip-invalid）
  awards         学籍记载：奖励、处分（--year：生效日期所在年份）
报表（学院账号只能导出本学院）:
  workbook       学院核对表（每个学院一个工作表，或 --college 只导出一个学院）
  stats          学年电子注册情况统计表
  precheck       毕业生预审结果
  intake         新生学籍电子注册情况汇总（第九条，按学院×层次：报到、放弃、保留、取消）及保留入学资格
                 应返校名单（--year：入学年份，默认本学年）
  photos         毕业照片催办名单（--year：毕业年份）
已存在的输出文件不会被覆盖，除非加 --force。含完整身份证号的文件每导出一个记一条审计日志。
DBF 为 dBase III、GBK 编码、全部字符型；超宽或无法用 GBK 编码的值不会被截断，导出会列出这些学生并停止。
"""


@click.command("export", help=EXPORT_HELP)
@click.argument("kind", type=click.Choice(["registration", "changes", "cancellations", "admission", "corrections",
                                           "graduates", "awards", "workbook", "stats", "precheck", "intake",
                                           "photos"]))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=None,
              help="输出文件（默认：当前目录下按类型和年份命名）")
@click.option("--format", "fmt", type=click.Choice(["dbf", "xlsx"]), default=None,
              help="上报文件默认 dbf，报表默认 xlsx")
@click.option("--year", type=click.IntRange(1950, 2100), default=None, help="年份（各类型的含义见上）")
@click.option("--college", default=None, metavar="FY", help="只导出一个学院")
@click.option("--skip-invalid", is_flag=True, help="跳过有问题的学生（列出被跳过的学生）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件 / overwrite an existing output file")
@click.option("--as-of", "as_of", default=None, metavar="YYYYMMDD", help="stats：统计截至日期（默认今天）")
@pass_env
def export_cmd(env, kind, out, fmt, year, college, skip_invalid, force, as_of):
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.services import exports

    session = env.session()
    try:
        if as_of is not None and kind != "stats":
            raise InvalidInput("--as-of 只用于 stats（统计表的截至日期）")
        res = exports.export(session, kind, out, fmt, year, college, skip_invalid, force, as_of=as_of)
    except exports.OutputExists as e:
        raise InvalidInput(f"文件 {e.path} 已存在，未覆盖，未写入任何数据。请用 -o 换一个文件名，或加 --force 覆盖") from None
    for n in res.notes:
        note(n)
    if res.excluded:
        note(f"已跳过 {len(res.excluded)} 名学生（未写入文件）：")
        for x in res.excluded[:200]:
            note("  " + x)
        if len(res.excluded) > 200:
            note(f"  …另有 {len(res.excluded) - 200} 名")
    for p in res.paths:
        echo(str(p))
    note(f"已导出 {res.rows} 行")


@click.command("stats", help="《普通高等学校学生学年电子注册情况统计表》（按学院×层次，含合计行）/ the annual "
                             "registration figures")
@click.option("--year", type=click.IntRange(1950, 2100), default=None,
              help="学年的起始年份（2026 即 2026—2027学年；默认当前学年）；学籍异动、注销、奖惩按上一学年 "
                   "9 月 1 日至本年 8 月 31 日统计")
@click.option("--college", default=None, metavar="FY", help="只统计一个学院")
@click.option("--as-of", "as_of", default=None, metavar="YYYYMMDD",
              help="统计截至日期（默认今天；已结束的学年默认为其 8 月 31 日）")
@click.option("--json", "json_", is_flag=True, help="JSON 输出")
@pass_env
def stats_cmd(env, year, college, as_of, json_):
    from xueji_tui.cli.output import table
    from xueji_tui.services.stats import COLUMNS, stats

    st = stats(env.session(), year, college, as_of)
    if json_:
        echo_json(st.as_json())
        return
    heads = ["学院", "层次", *COLUMNS]
    rows = [[r[h] for h in heads] for r in [*st.rows, st.total]]
    echo(st.title)
    echo(f"学籍注册按截至日期的学籍状态；学籍异动、注销、奖惩：{st.window[0]}–{st.window[1]}（上一学年）")
    echo(table(rows, heads))
