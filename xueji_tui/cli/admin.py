"""init, users, audit, doctor."""

from __future__ import annotations

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, echo_json, note, table


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
    echo(table(rows, ["经办人", "角色", "学院", "登记人", "登记时间"]))


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        return " ".join(f"{k}={x}" for k, x in v.items())
    return str(v)


@click.command("audit", help="审计记录（谁、何时、改了什么、原值 → 新值、原因）；--verify 校验是否被改动；"
                              "audit anchor 输出锚点（行数:哈希），请保存在服务器之外")
@click.argument("student", required=False)
@click.option("--verify", "check", is_flag=True, help="校验哈希链、audit.head，并用审计记录核对数据文件与经办人 / verify")
@click.option("--anchor", "anchor", default=None, metavar="N:HASH",
              help="与 --verify 一起：证明审计记录仍以这个锚点开头（锚点来自 xueji audit anchor）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@pass_env
def audit_cmd(env, student, check, anchor, as_json):
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.services import integrity
    from xueji_tui.services.find import resolve
    from xueji_tui.services.students import audit_lines

    if anchor and not check:
        raise InvalidInput("--anchor 须与 --verify 一起使用：xueji audit --verify --anchor N:HASH")
    session = env.session()
    if student == "anchor" and not check:
        echo(integrity.anchor(session))
        note("请把这一行保存在服务器之外（纸面、另一台电脑或邮件）；以后用 xueji audit --verify --anchor 它 来证明此前的记录未被改写")
        return
    if check:
        _verify(integrity.verify(session, anchor))
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
        echo(f"{who}  {what}  {change}{why}".rstrip())
    if not lines:
        note("没有审计记录")


def _verify(v) -> None:
    from xueji_tui.domain.text import shown

    if v.acknowledged:
        echo("学生工作处确认过的中断（保留为证据）：")
        for line in v.acknowledged:
            echo(f"  {shown(line)}")
    for text in v.notes:
        note(text)
    if not v.ok:
        for p in v.problems:
            echo(shown(p))
        note(f"审计记录校验失败：发现 {len(v.problems)} 处改动或删除。请运行 xueji doctor 查看处理办法")
        raise SystemExit(1)
    echo(f"审计记录完好：{v.lines} 行，哈希链连续，末行与 audit.head 一致；"
               f"{v.files} 个数据文件与审计记录核对一致；经办人与登记记录一致")
    if v.anchored:
        echo(f"与锚点 {v.anchored} 一致：此前的记录未被改写")


@click.command("doctor", help="检查数据目录：属主与权限、每个文件能否读取、索引与名册是否与分片一致、"
                              "审计记录；逐个指出有问题的文件和处理办法；有问题时退出码 1")
@click.option("--acknowledge", "ack", is_flag=True,
              help="（学生工作处）核实后接受发现的审计记录问题：追加一行确认，恢复保存")
@click.option("--reason", default="", help="与 --acknowledge 一起：发现了什么、核实了什么")
@pass_env
def doctor_cmd(env, ack, reason):
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.domain.text import shown
    from xueji_tui.services import integrity

    who = env.identity()
    if ack:
        seq, hash_ = integrity.acknowledge(env.data, who, reason)
        note(f"已在审计记录第 {seq} 行登记确认（{who}：{reason.strip()}），保存已恢复。")
        note("请把新的锚点保存在服务器之外：")
        echo(f"{seq}:{hash_}")
        return
    if reason:
        raise InvalidInput("--reason 须与 --acknowledge 一起使用")
    up, steps = integrity.doctor(env.data, who)
    for f in up.findings:
        echo(f"✗ {shown(f.where)}：{shown(f.what)}")
        echo(f"    处理：{shown(f.fix)}")
    for text in up.notes:
        echo(f"· {shown(text)}")
    if up.healthy:
        echo(f"数据目录 {env.data} 完好：属主与权限正确，每个文件都能读取，索引和名册与分片一致，审计记录完好。")
        return
    if steps:
        echo("")
        echo("处理办法：")
        for line in steps:
            echo(f"  {shown(line)}")
    note(f"发现 {len(up.findings)} 处问题")
    raise SystemExit(1)


@click.command("settings", help="学校设置：院校名称、校长姓名、开学日期、编班的每班人数和学号、班号格式（修改限学生工作处）")
@click.option("--school-name", default=None)
@click.option("--president", default=None, help="校长姓名（学历注册 XZXM）")
@click.option("--term-start", default=None, metavar="YYYYMMDD", help="本学年开学日期（进度区的期限据此计算）")
@click.option("--class-size", default=None, metavar="N", help="编班时每班最多人数（xueji assign）")
@click.option("--xh-pattern", default=None, metavar="PATTERN",
              help="学号格式，如 {year}{college:2}{major:2}{class:2}{seq:2}：入学年份、学院编号、专业编号、"
                   "班级序号、序号，冒号后为位数")
@click.option("--bh-pattern", default=None, metavar="PATTERN", help="班号格式，如 {short}{year:2}{class:2}（专业简称、"
                                                                   "入学年份、班级序号）")
@pass_env
def settings_cmd(env, school_name, president, term_start, class_size, xh_pattern, bh_pattern):
    from xueji_tui.services import settings

    session = env.session()
    given = dict(school_name=school_name, president=president, term_start=term_start, class_size=class_size,
                 xh_pattern=xh_pattern, bh_pattern=bh_pattern)
    if any(v is not None for v in given.values()):
        settings.update(session, **given)
    current = settings.show(session)
    labels = {"school_code": "院校代码", **settings.EDITABLE, "schema_version": "数据格式版本",
              "created_at": "建立时间", "created_by": "建立人"}
    for k, lab in labels.items():
        if k in current:
            echo(f"{lab}：{current[k]}")
    for r in current.get("rounds") or []:
        echo(f"核对轮次：{r.get('year')} 学年（{str(r.get('at', ''))[:10]} {r.get('by', '')} 开启）")
