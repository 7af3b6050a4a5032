"""The upload files' field widths, checked when a value is entered: a value too long for a file it
will go into is refused as it is typed (a change, a correction, a verdict's new value, a setting), not
found months later when every upload of that kind refuses to be written.

The widths are the export profiles' (``xueji_tui/data/profiles``, overridable per data directory),
the ones the DBF and XLSX writers measure; a value is held to the narrowest file that carries it.
"""

from __future__ import annotations

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.fields import label
from xueji_tui.domain.validate import gbk_bytes
from xueji_tui.services.session import Session

# the upload files a clerk's values reach (the reports and the workbook are ours, not CHSI's)
UPLOADS = ("registration", "changes", "cancellations", "corrections", "awards", "graduates", "admission-keep",
           "admission-waive", "intake", "intake-due")
WORDS = {"entry.doc": "文号", "entry.note": "说明", "_president": "校长姓名", "YXMC": "院校名称"}


def limits(session: Session) -> dict[str, tuple[int, str]]:
    """Record key (a profile's source) -> (the narrowest width in GBK bytes, that file's title)."""
    from xueji_tui.formats import profiles

    out: dict[str, tuple[int, str]] = {}
    for name in UPLOADS:
        p = profiles.load(name, session.store.format_override(name))
        for f in p.fields:
            if f.width and f.transform in ("", "date") and (f.source not in out or f.width < out[f.source][0]):
                out[f.source] = (f.width, p.title)
    return out


def check_widths(session: Session, values: dict[str, object]) -> None:
    """Refuse the first value (record key -> value) longer than a file it goes into allows."""
    known = None
    for source, value in values.items():
        if not isinstance(value, str) or not value:
            continue
        n = gbk_bytes(value)
        if n is None or n <= 8:  # not GBK: refused by its own check; 8 bytes fit every field checked
            continue
        known = known if known is not None else limits(session)
        width, title = known.get(source, (None, ""))
        if width is not None and n > width:
            shown = value if len(value) <= 24 else value[:24] + "…"
            raise InvalidInput(f"{WORDS.get(source) or label(source)}“{shown}”长 {n} 字节，超过{title}中该字段的宽度 "
                               f"{width} 字节（一个汉字占 2 字节），上报文件写不出；请缩短后再保存")
