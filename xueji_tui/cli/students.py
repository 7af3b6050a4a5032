"""lookup, verify, change."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note
from xueji_tui.domain.fields import CHSI_FIELDS

HISTORY_KEYS = ("code", "date", "approved", "doc", "note", "clerk", "at")
PHOTO_KEYS = ("taken", "taken_on", "linked", "check", "checked_on")


def as_json(s: dict, reveal: bool = False) -> dict:
    """The ``lookup --json`` object of docs/cli.md (CHSI field codes + status, verification, history,
    photo); the 身份证号 masked unless revealed (and the reveal audited)."""
    from xueji_tui.domain import idcard
    from xueji_tui.domain.record import verdicts

    out = {f: s.get(f, "") for f in CHSI_FIELDS}
    if not reveal:
        out["SFZH"] = idcard.mask(out["SFZH"] or "")
    out["status"] = s.get("status", "")
    out["verification"] = verdicts(s)
    out["history"] = [dict({k: e.get(k, "") for k in HISTORY_KEYS}, id=e.get("id"), type=e.get("type"),
                           reason=e.get("reason"), **({"reversed_by": e["reversed_by"]} if e.get("reversed_by") else {}))
                      for e in s.get("history") or []]
    photo = s.get("photo") or {}
    out["photo"] = {k: photo.get(k) for k in PHOTO_KEYS}
    return out


def as_text(s: dict, reveal: bool = False) -> str:
    from xueji_tui.domain import idcard
    from xueji_tui.domain.text import shown
    from xueji_tui.domain.fields import ART6_FIELDS, label
    from xueji_tui.domain.majors import grade_of
    from xueji_tui.domain.record import verdicts

    v = verdicts(s)
    ok = sum(1 for x in v.values() if x == "ok")
    wrong = [label(f) for f, x in v.items() if x == "wrong"]
    lines = [
        f"{s.get('XM', '')}  学号 {s.get('XH', '') or '—'}  考生号 {s.get('KSH', '')}  学籍状态 {s.get('status', '')}",
        f"  身份证号 {s.get('SFZH', '') if reveal else idcard.mask(s.get('SFZH', ''))}  性别 {s.get('XB', '')}  民族 {s.get('MZ', '')}  "
        f"出生日期 {s.get('CSRQ', '')}  政治面貌 {s.get('ZZMM', '')}",
        f"  {s.get('FY', '') or '（未分配学院）'} · {s.get('ZYMC', '')}（{s.get('ZYDM', '')}）· 班级 {s.get('BH', '')} · "
        f"{grade_of(s)}级 · {s.get('CC', '')} {s.get('XZ', '')}年 · 入学 {s.get('RXRQ', '')} · 预计毕业 {s.get('YJBYRQ', '')}",
        f"  核对 {ok}/{len(ART6_FIELDS)}" + (f"，有误：{'、'.join(wrong)}" if wrong else ""),
    ]
    p = s.get("photo") or {}
    if p:
        lines.append(f"  照片 采集 {'是' if p.get('taken') else '否'} {p.get('taken_on') or ''}  链接 "
                     f"{'是' if p.get('linked') else '否'}  校对 {p.get('check') or '未校对'} {p.get('checked_on') or ''}")
    for e in s.get("history") or []:
        mark = f"（已被 {e['reversed_by']} 撤销）" if e.get("reversed_by") else ""
        lines.append(f"  {e.get('id')} {e.get('date')} {e.get('code')} {e.get('type')}·{e.get('reason')} "
                     f"{e.get('from')} → {e.get('to')} {e.get('doc', '')} {e.get('note', '')}{mark}".rstrip())
    return "\n".join(shown(line) for line in lines)


@click.command("lookup", help="按学号、考生号、身份证号（精确）或姓名/姓名前缀查询；--json 输出完整记录")
@click.argument("query")
@click.option("--json", "json_", is_flag=True, help="JSON：CHSI 字段代码 + status/verification/history/photo")
@click.option("--reveal", is_flag=True, help="显示完整身份证号（每名学生记一行审计记录）")
@pass_env
def lookup_cmd(env, query, json_, reveal):
    from xueji_tui.domain.text import shown
    from xueji_tui.services.find import lookup
    from xueji_tui.services.students import reveal_ids

    session = env.session()
    found = lookup(session, query)
    if reveal:
        reveal_ids(session, found)  # recorded before anything is shown
    if json_:
        echo_json([as_json(s, reveal) for s in found])
        return
    echo("\n".join(as_text(s, reveal) for s in found))
    total = getattr(found, "total", len(found))
    if total > len(found):
        note(shown(f"共 {total} 人同名或以“{query}”开头，只列出前 {len(found)} 人；请输入更完整的姓名或学号"))
    elif len(found) > 1:
        note(f"共 {len(found)} 人")


@click.command("verify", help="记录第六条核对结论：FIELD ok|wrong [--value 更正值] [--note 说明]；身份信息有误则提交更正申请")
@click.argument("student")
@click.argument("field")
@click.argument("verdict", type=click.Choice(["ok", "wrong"]))
@click.option("--value", default=None, help="更正值（wrong 时）")
@click.option("--note", "note_", default="", help="说明")
@click.option("--evidence", default="", help="身份信息有误时：公安部门证明的编号和日期（提交更正申请所需）")
@pass_env
def verify_cmd(env, student, field, verdict, value, note_, evidence):
    from xueji_tui.services.students import verify

    from xueji_tui.domain.text import shown

    outcome = verify(env.session(), student, field, verdict, value, note_, evidence)
    note(outcome.message)  # a message to stderr; the data — a request's ID — alone on stdout
    if outcome.request_id:
        echo(shown(outcome.request_id))


class ChangeCommand(click.Command):
    """``change --help`` ends with every reason code, by type, from the code table (read only then)."""

    def format_epilog(self, ctx, formatter) -> None:
        from xueji_tui.domain.codes import codes

        by_type: dict[str, list[str]] = {}
        for r in codes().reasons.values():
            by_type.setdefault(r.type.name, []).append(f"{r.code} {r.name}")
        formatter.write_paragraph()
        formatter.write_text("全部原因代码（CODE 也可写名称中的词，如 因病休学）：")
        for name, items in by_type.items():  # laid out here: click's wrapping counts a CJK character as one column
            line = f"  {name}："
            for i, item in enumerate(items):
                piece = item + ("、" if i < len(items) - 1 else "")
                if _cells(line + piece) > 78 and line.strip():
                    formatter.write(line + "\n")
                    line = "    "
                line += piece
            formatter.write(line + "\n")


def _cells(text: str) -> int:
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


@click.command("change", cls=ChangeCommand, help="记录学籍异动/注销/记载：CODE 为 4 位原因代码（如 1101 因病休学）")
@click.argument("student")
@click.argument("code")
@click.option("--date", "date_", required=True, help="生效日期 YYYYMMDD")
@click.option("--doc", default="", help="批准文号（异动、休学、保留学籍、注销、取消入学资格必填）")
@click.option("--approved", default="", help="批准日期 YYYYMMDD（有文号的必填，不晚于今天）")
@click.option("--note", "note_", default="", help="说明（奖励名称、处分原因、撤销原因等）")
@click.option("--to-major", default="", metavar="ZYDM", help="转专业：新专业（专业目录中的代码或名称）")
@click.option("--to-class", default="", metavar="BH", help="转专业/跳级/留降级/恢复入学资格：编入的新班号")
@click.option("--to-grade", default="", metavar="YYYY",
              help="留降级：晚 1–2 年；跳级：早 1 年；恢复入学资格：编入年级（默认生效日期所在学年）")
@click.option("--to-college", default="", metavar="FY", help="转专业：新学院（须与专业目录一致，可不填）")
@click.option("--reverses", default="", metavar="ENTRY", help="9801 撤销：被撤销的记录编号（默认最近一条）")
@pass_env
def change_cmd(env, student, code, date_, doc, approved, note_, to_major, to_class, to_grade, to_college, reverses):
    from xueji_tui.domain.effects import moved_words
    from xueji_tui.domain.status import ChangeRequest
    from xueji_tui.domain.text import shown
    from xueji_tui.services.changes import change

    req = ChangeRequest(code=code, date=date_, approved=approved, doc=doc, note=note_, to_major=to_major,
                        to_class=to_class, to_grade=to_grade, to_college=to_college, reverses=reverses)
    e = change(env.session(), student, req)
    moved = moved_words(e["fields"])
    what = f"{e['code']} {e['type']}·{e['reason']}，学籍状态 {e['from']} → {e['to']}" + (f"；{moved}" if moved else "")
    if e.get("proposal"):
        echo(f"#{e['proposal']}")
        note(f"已报送 #{e['proposal']}：{what}。学生信息未改变，待学生工作处复核（xueji review list）")
    else:
        echo(shown(e["id"]))
        note(f"已记录 {e['id']}：{what}")
