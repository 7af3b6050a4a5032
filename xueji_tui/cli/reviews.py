"""review list | accept | reject: the office's 复核 of what the colleges reported (Art. 15, 18)."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note, table
from xueji_tui.domain.effects import moved_words


@click.group("review", help="复核学院报送的学籍异动（学生工作处）：list | accept | reject")
def review_group():
    pass


def _what(p: dict) -> str:
    e = p.get("planned") or {}
    moved = moved_words(e.get("fields"))
    return (f"{e.get('code', '')} {e.get('type', '')}·{e.get('reason', '')} {e.get('from', '')} → {e.get('to', '')}"
            + (f"；{moved}" if moved else ""))


@review_group.command("list", help="列出报送；--open 只列待复核的")
@click.option("--open", "open_only", is_flag=True)
@click.option("--college", default=None, metavar="FY", help="只列某学院（学院账号只能看本学院）")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def list_cmd(env, open_only, college, as_json):
    from xueji_tui.services import reviews

    props = reviews.list_proposals(env.session(), open_only, college)
    if as_json:
        echo_json(props)
        return
    rows = [[f"#{p['id']}", p["status"], p.get("FY", ""), p.get("XH", ""), p.get("XM", ""), _what(p),
             (p.get("request") or {}).get("doc", ""), p.get("filed_by", ""), str(p.get("filed_at", ""))[:10],
             p.get("reason", "")] for p in props]
    echo(table(rows, ["编号", "状态", "学院", "学号", "姓名", "异动", "文号", "报送人", "日期", "驳回原因"])
               if rows else "没有报送")


@review_group.command("accept", help="接受报送并生效：ID 或 --all [--college FY]")
@click.argument("pid", metavar="ID", required=False)
@click.option("--all", "all_", is_flag=True, help="接受全部待复核的报送")
@click.option("--college", default=None, metavar="FY", help="与 --all 一起：只接受某学院的")
@pass_env
def accept_cmd(env, pid, all_, college):
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.services import reviews

    if bool(pid) == all_:
        raise InvalidInput("请给出一个报送编号，或用 --all 接受全部待复核的报送")
    if pid:
        e = reviews.accept(env.session(), pid)
        echo(f"已接受 #{pid.lstrip('#')}：记录 {e['id']} {e['code']} {e['type']}·{e['reason']}，"
                   f"学籍状态 {e['from']} → {e['to']}")
        return
    got = reviews.accept_all(env.session(), college)
    for p, e in got.entries:
        echo(f"已接受 #{p['id']} {p.get('XM', '')}：{e['code']} {e['type']}·{e['reason']}")
    for p, why in got.refused:
        note(f"未接受 #{p['id']} {p.get('XM', '')}：{why}")
    note(f"共接受 {len(got.entries)} 条" + (f"，{len(got.refused)} 条仍待复核" if got.refused else ""))


@review_group.command("reject", help="驳回报送：--reason 说明原因（学院可见）")
@click.argument("pid", metavar="ID")
@click.option("--reason", required=True, help="驳回原因")
@pass_env
def reject_cmd(env, pid, reason):
    from xueji_tui.services import reviews

    reviews.reject(env.session(), pid, reason)
    echo(f"已驳回 #{pid.lstrip('#')}")
