"""correction file | list | submit | approve | reject (Art. 20)."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, table


@click.group("correction", help="身份信息更正申请（第二十条）：申请 → 已报教育厅 → 批准/驳回")
def correction_group():
    pass


@correction_group.command("file", help="提交更正申请，输出申请编号")
@click.argument("student")
@click.argument("field")
@click.argument("new_value")
@click.option("--reason", required=True, help="更正原因")
@click.option("--evidence", default="", help="证明材料：县级以上公安部门证明的编号和日期（身份信息必填）")
@click.option("--also", "also", multiple=True, metavar="FIELD=VALUE",
              help="同一申请中一并更正的其他字段，可多次给出（如 --also CSRQ=20070221）")
@pass_env
def file_cmd(env, student, field, new_value, reason, evidence, also):
    from xueji_tui.services import corrections

    echo(corrections.file(env.session(), student, field, new_value, reason, evidence,
                                corrections.parse_also(also)))


@correction_group.command("list", help="列出更正申请；--open 只列未办结的")
@click.option("--open", "open_only", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def list_cmd(env, open_only, as_json):
    from xueji_tui.domain.fields import label
    from xueji_tui.services import corrections

    reqs = corrections.list_requests(env.session(), open_only)
    masked = [dict(r, old=corrections.shown(r["field"], r["old"]), new=corrections.shown(r["field"], r["new"]))
              for r in reqs]
    if as_json:
        echo_json(masked)
        return
    rows = [[f"#{r['id']}", r["status"], r["KSH"], r.get("XH", ""), r.get("XM", ""), label(r["field"]),
             f"{r['old']} → {r['new']}", r.get("filed_by", ""), r.get("filed_at", "")[:10]] for r in masked]
    echo(table(rows, ["编号", "状态", "考生号", "学号", "姓名", "字段", "原值 → 新值", "申请人", "日期"])
               if rows else "没有更正申请")


@correction_group.command("submit", help="标记为已报教育厅（学生工作处）")
@click.argument("rid", metavar="ID")
@pass_env
def submit_cmd(env, rid):
    from xueji_tui.services import corrections

    corrections.submit(env.session(), rid)
    echo(f"更正申请 #{rid} 已报教育厅")


@correction_group.command("approve", help="批准并生效（学生工作处，须非申请人本人）；之后出现在 export corrections 中")
@click.argument("rid", metavar="ID")
@click.option("--doc", "doc_no", required=True, help="教育厅批准文号")
@click.option("--note", "note_", default="", help="说明")
@pass_env
def approve_cmd(env, rid, doc_no, note_):
    from xueji_tui.domain.corrections import changes_of
    from xueji_tui.domain.fields import label
    from xueji_tui.services import corrections

    doc = corrections.approve(env.session(), rid, doc_no, note_)
    moved = "；".join(f"{label(f)} {corrections.shown(f, o)} → {corrections.shown(f, n)}"
                      for f, (o, n) in changes_of(doc).items())
    echo(f"更正申请 #{rid} 已批准（{doc_no}）：{moved}")


@correction_group.command("reject", help="驳回（学生工作处）")
@click.argument("rid", metavar="ID")
@click.option("--reason", required=True)
@pass_env
def reject_cmd(env, rid, reason):
    from xueji_tui.services import corrections

    corrections.reject(env.session(), rid, reason)
    echo(f"更正申请 #{rid} 已驳回")
