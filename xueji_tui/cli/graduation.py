"""precheck, certno, graduate, conclusion — graduation (Art. 24–29)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, echo_rows, note, table

YEAR_HELP = "毕业年份 YYYY（默认本学年的毕业年份：9 月起为下一年）"


SHOWN_PER_RULE = 50


def human_report(result, limit: int | None = SHOWN_PER_RULE) -> str:
    """The findings grouped by rule (catalogue order), errors first, with counts."""
    from xueji_tui.precheck.rules import RULES, title
    from xueji_tui.services.graduation import summary_line

    lines = [summary_line(result)]
    if result.pending_certno:
        lines.append(f"证书编号在其他错误处理完后分配：xueji certno assign --year {result.year}")
    if result.reupload:
        lines.append("")
        lines.append(f"须重新上报（{len(result.reupload)} 人：导出学历注册文件后有改动，重新导出并上报后方可登记）")
        rows = [[s.get("KSH", ""), s.get("XH", ""), s.get("XM", ""), why] for s, why in result.reupload[:limit or None]]
        lines += ["    " + ln for ln in table(rows, ["考生号", "学号", "姓名", "说明"]).splitlines()[1:]]
    groups: dict[str, list] = {}
    for f in result.findings:
        groups.setdefault(f.rule, []).append(f)
    for severity, heading in (("error", "错误（阻止学历注册上报）"), ("warning", "警告（请核对，不阻止上报）")):
        rules = [r for r in RULES if RULES[r][0] == severity and r in groups]
        if not rules:
            continue
        lines.append("")
        lines.append(heading)
        for r in rules:
            fs = groups[r]
            lines.append(f"  {r}  {title(r)}  {len(fs)} 条")
            shown = fs if limit is None else fs[:limit]
            rows = [[f.KSH or "（学校设置）", f.XH, f.XM, f.field, f.message] for f in shown]
            lines += ["    " + ln for ln in table(rows, ["考生号", "学号", "姓名", "字段", "说明"]).splitlines()[1:]]
            if len(fs) > len(shown):
                lines.append(f"    …另有 {len(fs) - len(shown)} 条（--out 文件.xlsx 或 --json 可得全部）")
    if not result.findings:
        lines.append("没有发现需要处理的问题。" if result.pending_certno else "没有发现问题。")
    return "\n".join(lines)


PRECHECK_HELP = """毕业生本机数据预审（第二十九条）：检查 YYYY 届预计毕业生；有错误时退出码为 1。

\b
  xueji precheck [--year YYYY] [--college FY] [--json] [--out FILE.xlsx]
  xueji precheck exclude STUDENT --reason T   将学生排除出预审和学历注册上报（学生工作处）
"""


@click.group("precheck", help=PRECHECK_HELP, invoke_without_command=True)
@click.option("--year", type=int, default=None, help=YEAR_HELP)
@click.option("--college", default=None, metavar="FY", help="只看某学院（学院账号只能看本院）")
@click.option("--json", "json_", is_flag=True,
              help="输出 JSON：year checked registered errors warnings pending_certno findings")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="另存预审结果 Excel（每条问题一行）")
@pass_env
@click.pass_context
def precheck_cmd(ctx, env, year, college, json_, out):
    if ctx.invoked_subcommand is not None:
        if year is not None or college or json_ or out is not None:
            raise click.UsageError("--year、--college、--json、--out 用于预审本身，不能与 exclude 同用")
        return
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.services import graduation

    if out is not None and os.path.lexists(out):  # said before the precheck runs, with how to go on
        raise InvalidInput(f"文件 {out} 已存在，未覆盖，未写入任何数据。请用 --out 换一个文件名；"
                           f"要覆盖它，用 xueji export precheck -o {out} --force")
    session = env.session()
    result = graduation.precheck(session, year, college)
    if out is not None:
        graduation.write_report(session, result, out)
        note(f"预审结果已写入 {out}（{len(result.findings)} 条）")
    if json_:
        echo_json(result.to_json())
    else:
        echo(human_report(result))
    if result.errors:
        ctx.exit(1)


@precheck_cmd.command("exclude", help="将学信网名单上已不再毕业的学生（退学、转出……）排除出预审和学历注册上报，"
                                      "不改动其学籍记录；记入审计（学生工作处）")
@click.argument("student")
@click.option("--reason", required=True, help="原因（如 已退学，学信网名单待更正）")
@pass_env
def precheck_exclude(env, student, reason):
    from xueji_tui.domain.text import shown
    from xueji_tui.services.graduation import exclude

    s = exclude(env.session(), student, reason)
    echo(shown(s["KSH"]))
    note(shown(f"已将 {s.get('XM', '')}（考生号 {s['KSH']}，{s.get('status', '')}）排除出预审和学历注册上报：{reason}"))


@click.group("certno", help="毕业证书编号 / certificate numbers")
def certno_group():
    pass


@certno_group.command("assign", help="为 YYYY 届通过其他全部预审错误规则、尚无编号的毕业生分配证书编号（学生工作处）")
@click.option("--year", type=int, required=True, help="毕业年份 YYYY")
@click.option("--start", type=int, default=None, metavar="N",
              help="第一个流水号（默认接着该年该层次已用的最大流水号）")
@pass_env
def certno_assign(env, year, start):
    from xueji_tui.services.certnos import assign_numbers

    done = assign_numbers(env.session(), year, start)
    if done.numbers:  # one write for 30,000 lines
        echo_rows([s["KSH"], s.get("XH", ""), s.get("XM", ""), n] for s, n in done.numbers)
    note(f"已为 {len(done.numbers)} 名 {year} 届毕业生分配证书编号。")
    if done.waiting:
        note(f"另有 {done.waiting} 名尚无编号的毕业生仍有其他预审错误（{done.blocked_by}），处理后再次执行本命令。")


@certno_group.command("reassign", help="为证书编号重复或格式错误的学生重新分配证书编号，记入审计（学生工作处）")
@click.argument("student")
@click.option("--reason", required=True, help="原因（如 与 2023030020 证书编号重复）")
@pass_env
def certno_reassign(env, student, reason):
    from xueji_tui.domain.text import shown
    from xueji_tui.services.certnos import reassign_number

    s, old, new = reassign_number(env.session(), student, reason)
    echo_rows([[s["KSH"], s.get("XH", ""), s.get("XM", ""), new]])
    note(f"已将 {shown(s.get('XM', ''))} 的证书编号由 {old} 改为 {new}。")


@click.command("graduate", help="学信网接收上报文件后，登记 YYYY 届已上报的毕业生为毕业/结业（按上报的结论；学生工作处）；"
                                "只登记导出过的学历注册文件中的学生，--from 只登记文件中列出的考生号")
@click.option("--year", type=int, required=True, help="毕业年份 YYYY")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="只登记此文件（.dbf/.xlsx/.xls/.csv，含 KSH 列；学信网接收的名单或导出的上报文件）中的学生")
@pass_env
@click.pass_context
def graduate_cmd(ctx, env, year, from_file):
    from xueji_tui.services.accepted import graduate

    done = graduate(env.session(), year, from_file)
    counts: dict[str, int] = {}
    for _, e in done.entries:
        counts[e["to"]] = counts.get(e["to"], 0) + 1
    shown = "、".join(f"{k} {v} 人" for k, v in counts.items())
    note(f"已登记 {len(done.entries)} 名 {year} 届毕业生的学历注册（{shown}）。")
    if done.not_uploaded:
        note(f"另有 {done.not_uploaded} 名通过预审的学生不在已导出的学历注册文件中，未登记：请导出、上报后再登记。")
    if done.skipped:
        note(f"有 {len(done.skipped)} 名学生未登记：")
        for k, why in done.skipped:
            note(f"  {k}  {why}")
        ctx.exit(1)


@click.command("conclusion", help="记录毕结业结论（毕业/结业）；对已结业的学生记录“毕业”即结业换发毕业证书（学生工作处）")
@click.argument("student")
@click.argument("value", metavar="毕业|结业")
@click.option("--note", "note_", default="", help="说明（如 补考通过；换发时必填）")
@pass_env
def conclusion_cmd(env, student, value, note_):
    from xueji_tui.services.graduation import record_conclusion, resend_note

    session = env.session()
    s = record_conclusion(session, student, value, note_)
    note(f"已记录 {s.get('XM', '')}（考生号 {s['KSH']}）的毕结业结论：{s['BJYJL']}")
    again = resend_note(session, s)
    if again:
        note(again)
