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


# the trail's action ids (kept as they are in the trail and in --json) as the office reads them
ACTION_WORDS = {
    "init": "建立数据目录", "users-add": "登记经办人", "settings": "修改设置", "import": "导入",
    "import-new": "导入新增", "import-change": "导入变更", "import-conflict": "导入冲突", "import-identity": "按学信网更正身份信息",
    "verify": "核对", "edit": "更正", "reveal": "查看完整身份证号", "change": "学籍异动", "propose": "学院报送",
    "review-accept": "复核接受", "review-reject": "复核驳回", "correction-file": "提交更正申请",
    "correction-submit": "更正申请报教育厅", "correction-reject": "驳回更正申请", "correction-apply": "更正申请批准生效",
    "correction-close": "更正申请办结", "campaign-start": "开启核对", "round-close": "核对结论移入历史",
    "register": "注册", "register-annual": "学年注册", "assign": "编班分配学号", "certno": "分配证书编号",
    "certno-reassign": "重新分配证书编号", "conclusion": "毕结业结论", "graduate": "学历注册", "export": "导出",
    "precheck-exclude": "排除出预审", "majors-add": "新增专业", "majors-edit": "修改专业", "layout": "调整存储布局",
    "migrate": "升级数据格式", "sample-data": "生成示例数据", "acknowledge": "确认中断（保留为证据）",
}
VERDICT_WORDS = {"ok": "无误", "wrong": "有误"}
# the trail's own field names besides the CHSI fields (domain.fields.LABELS)
FIELD_WORDS = {"status": "学籍状态", "proposal": "报送", "clerk": "经办人", "verification": "核对结论", "students": "学生",
               "shards": "存储分片", "round": "核对轮次", "placement": "编班", "output_dir": "输出目录", "layout": "存储布局",
               "index": "索引", "excluded": "排除出预审", "certno_years": "证书编号分配届别", "batch": "批次", "annual": "学年注册",
               "school_name": "院校名称", "president": "校长姓名", "term_start": "开学日期", "class_size": "每班人数",
               "xh_pattern": "学号格式", "bh_pattern": "班号格式"}


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
    from xueji_tui.domain.fields import LABELS

    for d in lines:
        action = d.get("action", "")
        who = f"{d.get('at', '')[:19]}  {d.get('clerk', '')}  {ACTION_WORDS.get(action, action)}"
        field = d.get("field", "")
        what = " ".join(x for x in (d.get("KSH", ""), d.get("XH", ""), LABELS.get(field) or FIELD_WORDS.get(field, field))
                        if x)
        old, new = (VERDICT_WORDS.get(v, v) if action == "verify" else v for v in (d.get("old"), d.get("new")))
        change = f"{_fmt(old)} → {_fmt(new)}" if old is not None or new is not None else ""
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
