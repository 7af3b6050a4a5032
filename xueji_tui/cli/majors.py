"""majors list | add | edit: the major catalogue (docs/cli.md)."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note, table

HEADERS = ["专业代码", "专业名称", "学院", "层次", "学制", "系所", "学院编号", "专业编号", "专业简称"]
KEYS = ["ZYDM", "ZYMC", "FY", "CC", "XZ", "XSH", "college_no", "major_no", "short"]


def _options(f):
    for opt, key, text in reversed([
        ("--name", "ZYMC", "专业名称 ZYMC"), ("--college", "FY", "学院 FY（与学生数据中的学院名称一致）"),
        ("--level", "CC", "层次 CC：本科、专科、第二学士学位"), ("--years", "XZ", "学制 XZ：4、3、5 …"),
        ("--department", "XSH", "系所 XSH"),
        ("--college-no", "college_no", "学院编号（学号中的学院部分，同一学院的专业共用，如 01）"),
        ("--major-no", "major_no", "专业编号（学号中的专业部分，如 03）"),
        ("--short", "short", "专业简称（班号的开头，如 汉文 → 汉文2601；默认为专业名称）"),
    ]):
        f = click.option(opt, key, default=None, help=text)(f)
    return f


@click.group("majors", help="专业目录：专业代码、名称、学院、层次、学制（list 所有人可看；add、edit 限学生工作处）")
def majors_group():
    pass


@majors_group.command("list", help="列出专业目录")
@click.option("--college", default=None, metavar="FY", help="只列某学院的专业")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
@pass_env
def list_cmd(env, college, as_json):
    from xueji_tui.services.majors import list_majors

    got = list_majors(env.session(), college)
    if as_json:
        echo_json(got)
        return
    if not got:
        note("专业目录为空：请用 xueji majors add 添加，或导入带学院的在校生数据")
        return
    echo(table([[str(m.get(k) or "") for k in KEYS] for m in got], HEADERS))
    note(f"共 {len(got)} 个专业")


@majors_group.command("add", help="添加专业：ZYDM --name --college --level --years [--department --college-no --major-no --short]")
@click.argument("zydm")
@_options
@pass_env
def add_cmd(env, zydm, **values):
    from xueji_tui.services.majors import add_major

    m = add_major(env.session(), zydm, **values)
    note(f"已添加 {m['ZYDM']} {m['ZYMC']}（{m['FY']}，{m['CC']}，{m['XZ']} 年）"
         + (f"，学院编号 {m['college_no']}" if m.get("college_no") else ""))


@majors_group.command("edit", help="修改专业：ZYDM 加要修改的项；已有学生的学院和学号不变")
@click.argument("zydm")
@_options
@pass_env
def edit_cmd(env, zydm, **values):
    from xueji_tui.services.majors import FIELDS, edit_major

    m, notes = edit_major(env.session(), zydm, **values)
    changed = "、".join(f"{FIELDS[k][0]} {m.get(k)}" for k, v in values.items() if v is not None)
    note(f"已修改 {m['ZYDM']} {m.get('ZYMC', '')}：{changed}")
    for n in notes:
        note(n)
