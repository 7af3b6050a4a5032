"""init, users, audit."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo_json, note, table


@click.command("init", help="新建空的数据目录；执行者成为学生工作处经办人 / create an empty data directory")
@click.option("--school-code", required=True, help="院校代码，如 10202")
@click.option("--school-name", required=True, help="院校名称，如 吉林师范大学")
@click.option("--president", default="", help="校长姓名（毕业证书、学历注册用）")
@pass_env
def init_cmd(env, school_code, school_name, president):
    from xueji_tui.services import setup

    who = env.identity()
    setup.init(env.data, school_code=school_code, school_name=school_name, president=president, clerk=who)
    note(f"已新建数据目录 {env.data}（{school_name} {school_code}）；{who} 为学生工作处经办人。")
    note(f"下一步：xueji --data {env.data} import students 在校生.dbf")


@click.group("users", help="经办人管理（学生工作处）/ manage clerks (office only)")
def users_group():
    pass


@users_group.command("add", help="登记经办人：--role office|college [--college 学院]")
@click.argument("name")
@click.option("--role", type=click.Choice(["office", "college"]), required=True)
@click.option("--college", default="", metavar="FY", help="学院账号所属学院（与数据中的学院名称一致）")
@pass_env
def users_add(env, name, role, college):
    from xueji_tui.services import users

    doc = users.add(env.session(), name, role, college)
    note(f"已登记 {doc['name']}（{'学生工作处' if role == 'office' else '学院·' + college}）")
    if doc.get("warning"):
        note(doc["warning"])


@users_group.command("list", help="列出经办人")
@pass_env
def users_list(env):
    from xueji_tui.services import users

    rows = [[c["name"], "学生工作处" if c["role"] == "office" else "学院", c.get("college", ""),
             c.get("added_by", ""), c.get("at", "")[:16]] for c in users.list_clerks(env.session())]
    click.echo(table(rows, ["经办人", "角色", "学院", "登记人", "登记时间"]))


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        return " ".join(f"{k}={x}" for k, x in v.items())
    return str(v)


@click.command("audit", help="审计记录（谁、何时、改了什么、原值 → 新值、原因）；--verify 校验是否被改动")
@click.argument("student", required=False)
@click.option("--verify", "check", is_flag=True, help="校验审计记录的哈希链 / verify the trail")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@pass_env
def audit_cmd(env, student, check, as_json):
    from xueji_tui.services.find import resolve
    from xueji_tui.services.students import audit_lines

    session = env.session()
    if check:
        problems = session.store.verify_trail()
        if problems:
            for p in problems:
                click.echo(p)
            note(f"审计记录校验失败：发现 {len(problems)} 处改动或删除")
            raise SystemExit(1)
        n = sum(1 for _ in session.store.audit_lines())
        click.echo(f"审计记录完好：{n} 行，哈希链连续，末行与 audit.head 一致")
        return
    ksh = resolve(session, student)["KSH"] if student else None
    lines = audit_lines(session, ksh)
    if as_json:
        echo_json(lines)
        return
    for d in lines:
        who = f"{d.get('at', '')[:19]}  {d.get('clerk', '')}  {d.get('action', '')}"
        what = " ".join(x for x in (d.get("KSH", ""), d.get("XH", ""), d.get("field", "")) if x)
        change = f"{_fmt(d.get('old'))} → {_fmt(d.get('new'))}" if d.get("old") is not None or d.get("new") is not None else ""
        why = f"（{d['why']}）" if d.get("why") else ""
        click.echo(f"{who}  {what}  {change}{why}".rstrip())
    if not lines:
        note("没有审计记录")


@click.command("settings", help="学校设置：院校名称、校长姓名、开学日期（修改限学生工作处）")
@click.option("--school-name", default=None)
@click.option("--president", default=None, help="校长姓名（学历注册 XZXM）")
@click.option("--term-start", default=None, metavar="YYYYMMDD", help="本学年开学日期（进度区的期限据此计算）")
@pass_env
def settings_cmd(env, school_name, president, term_start):
    from xueji_tui.services import settings

    session = env.session()
    if any(v is not None for v in (school_name, president, term_start)):
        current = settings.update(session, school_name=school_name, president=president, term_start=term_start)
    else:
        current = settings.show(session)
    labels = {"school_code": "院校代码", **settings.EDITABLE, "schema_version": "数据格式版本",
              "created_at": "建立时间", "created_by": "建立人"}
    for k, lab in labels.items():
        if k in current:
            click.echo(f"{lab}：{current[k]}")
