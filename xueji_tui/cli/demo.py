"""sample-data and demo: the synthetic 吉林师范大学 (xueji_tui.sample) as a ready data directory."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from xueji_tui.cli import pass_env
from xueji_tui.cli.output import echo, note


def _refuse_existing(root: Path, what: str) -> None:
    from xueji_tui.services.setup import refuse_existing

    refuse_existing(root, what)


def _guide(root: Path, school, who: str) -> None:
    m = school.manifest
    colleges = [c for c in school.clerks if c["role"] == "college"]
    example = next((s for s in school.students if s.get("grad_year") == m["year"] and s["FY"] == "文学院"),
                   school.students[0])
    errors = sum(1 for f in m["findings"] if f["severity"] == "error")
    note(f"示例学校：{school.settings['school_name']}（{school.settings['school_code']}），"
         f"{m['students']} 名学生，参考日期 {m['date']}；所有人员均为虚构。")
    note(f"{m['year']} 届预计毕业生 {m['checked']} 人，预置了每条预审规则的问题（错误 {errors} 条、"
         f"警告 {len(m['findings']) - errors} 条），另有尚未分配证书编号的提示。")
    note(f"经办人：{who}（学生工作处，即您）、"
         + "、".join(f"{c['name']}（学生工作处）" for c in school.clerks if c["role"] == "office" and c["name"] != who)
         + "；学院：" + "、".join(f"{c['name']}（{c['college']}）" for c in colleges))
    note("试试：")
    note(f"  xueji --data {root}                      打开终端界面")
    note(f"  xueji --data {root} lookup {example['XH']}    查询学生")
    note(f"  xueji --data {root} precheck --year {m['year']}   毕业生本机数据预审")
    note(f"  xueji --data {root} --clerk {colleges[0]['name']} lookup {example['XH']}   以学院账号办理"
         f"（--clerk 仅数据目录属主账号可用）")


def _day(value: str | None):
    from datetime import date

    if not value:
        return None
    from xueji_tui.domain.validate import normalise_date

    v = normalise_date(value)
    return date(int(v[:4]), int(v[4:6]), int(v[6:]))


@click.command("sample-data", help="生成虚构的示例学校（吉林师范大学）数据目录；--files 另写学信网格式下载文件 / "
                                   "generate a synthetic school")
@click.option("--students", "count", type=int, default=3000, show_default=True, help="学生人数（至少 400）")
@click.option("--seed", type=int, default=2026, show_default=True, help="随机种子：同一种子、同一参考日期生成相同的数据")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), required=True, help="新的数据目录")
@click.option("--files", "files", type=click.Path(path_type=Path), default=None,
              help="另把同一学校写成学信网格式的下载文件（DBF、XLSX、照片名单）和 planted.json 到此目录")
@click.option("--date", "day", default=None, metavar="YYYYMMDD", help="参考日期（默认今天），决定学年和各届")
@pass_env
def sample_data_cmd(env, count, seed, out, files, day):
    from xueji_tui.domain.errors import InvalidInput
    from xueji_tui.sample import MIN_STUDENTS, generate
    from xueji_tui.sample.load import write_store
    from xueji_tui.services.session import acting_identity

    if count < MIN_STUDENTS:
        raise InvalidInput(f"--students 至少为 {MIN_STUDENTS}（才能在毕业生中预置每条预审规则的问题），现为 {count}")
    if files is not None and (files.resolve() == out.resolve() or out.resolve() in files.resolve().parents):
        raise InvalidInput(f"--files 目录 {files} 不能是数据目录 {out} 或在其中；请另选一个目录")
    ref = _day(day)
    _refuse_existing(out, "sample-data")
    who, warning = acting_identity(out, env.clerk_opt)
    if warning:
        note(warning)
    t0 = time.perf_counter()
    school = generate(count, seed, ref)
    write_store(school, out, who)
    note(f"已生成数据目录 {out}：{len(school.students)} 名学生（种子 {seed}，参考日期 {school.manifest['date']}），"
         f"用时 {time.perf_counter() - t0:.1f} 秒")
    if files is not None:
        from xueji_tui.sample.files import write_files

        rows = write_files(school, files)
        note(f"已写出学信网格式文件到 {files}：" + "、".join(f"{n}（{k} 行）" for n, k in rows.items())
             + "、planted.json（预置问题清单）、school.json.gz（整所学校的压缩包）")
    _guide(out, school, who)


@click.command("demo", help="把示例学校放进数据目录（默认新建临时目录）并打开终端界面 / open the bundled sample school")
@click.option("--no-tui", is_flag=True, help="只准备数据目录，打印如何打开和有哪些经办人")
@click.pass_context
@pass_env
def demo_cmd(env, ctx, no_tui):
    import tempfile

    from xueji_tui.sample import bundled
    from xueji_tui.sample.load import write_store

    given = ctx.find_root().params.get("data") or os.environ.get("XUEJI_DATA")
    if given:
        root = Path(given)
        _refuse_existing(root, "xueji demo")
    else:
        root = Path(tempfile.mkdtemp(prefix="xueji-demo-"))
    env.data = root
    who = env.identity()
    school = bundled.load()
    write_store(school, root, who)
    echo(str(root))
    note(f"已把示例学校放入数据目录 {root}")
    _guide(root, school, who)
    if not no_tui:
        from xueji_tui.cli.tui import open_tui

        env._session = None
        open_tui(env)
