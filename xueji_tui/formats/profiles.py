"""Format profiles: every CHSI file layout is data (``xueji_tui/data/profiles/<name>.json``).

CHSI publishes no file specification and its templates change from year to year, so a changed
template must be an edit, not a release: a data directory may override a profile with a file of the
same name in ``<data>/formats/`` (``Store.format_override``). docs/formats.md describes the format.

Import profiles are named ``import-<kind>`` (students, freshmen, graduates, photos, workbook); export
profiles carry the export kind's name (registration, changes, …). ``for_import`` / ``for_export``
map a command's KIND to its profile name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from xueji_tui.domain.errors import InvalidInput
from xueji_tui.domain.fields import LABELS

IMPORT_KINDS = ("students", "freshmen", "graduates", "photos", "workbook", "placement", "deferrals")
EXPORT_KINDS = ("registration", "changes", "cancellations", "admission-keep", "admission-waive",
                "corrections", "graduates", "workbook", "stats", "precheck", "intake", "intake-due", "awards")

_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,9}$")  # a dBase III field name: at most 10 characters
_FIELD_KEYS = {"code", "source", "type", "width", "required", "transform", "aliases", "title", "value"}


@dataclass(frozen=True)
class Field:
    code: str           # the column name in the file (KSH, XM, …)
    source: str         # the record key it comes from / goes to; dotted for nested ('photo.taken')
    width: int          # in BYTES of GBK: a Chinese character takes 2
    type: str = "C"
    required: bool = False
    transform: str = ""  # export: value transform (zczt, const …); import: normaliser (id, date, code …)
    aliases: tuple[str, ...] = ()
    title: str = ""     # Chinese column title; default: the field catalogue's label
    value: str = ""     # the constant of transform 'const'

    @property
    def label(self) -> str:
        return self.title or LABELS.get(self.code, self.code)

    @property
    def heading(self) -> str:
        """'姓名 XM' — the Excel column title: Chinese first, the field code after it."""
        return f"{self.label} {self.code}" if self.label != self.code else self.code

    def names(self) -> set[str]:
        """Every header spelling that means this field (compared upper-cased, spaces removed)."""
        out = {self.code, self.label, self.heading, *self.aliases}
        if self.code in LABELS:
            out.add(LABELS[self.code])
        return {header_key(n) for n in out if n}


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    direction: str  # import | export
    fields: tuple[Field, ...]
    options: dict = field(default_factory=dict, compare=False)  # sheet, key_any, workbook settings …

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.fields]

    def field(self, code: str) -> Field | None:
        return next((f for f in self.fields if f.code == code), None)

    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    def option(self, key: str, default=None):
        return self.options.get(key, default)

    def extra_field(self, key: str) -> Field | None:
        """A field described outside the main list (the workbook's note column)."""
        raw = self.options.get(key)
        return _field(raw, self.name) if isinstance(raw, dict) else None

    def extra_fields(self, key: str) -> list[Field]:
        raw = self.options.get(key) or []
        return [_field(r, self.name) for r in raw]

    def lookup(self) -> dict[str, str]:
        """Header key -> field code, for matching a file's columns by name."""
        out: dict[str, str] = {}
        for f in self.fields:
            for n in f.names():
                out.setdefault(n, f.code)
        return out


def header_key(name) -> str:
    """A header as compared: no surrounding or inner spaces, no BOM, upper case."""
    return re.sub(r"[\s\u3000\ufeff]+", "", str(name or "")).upper()


def for_import(kind: str) -> str:
    return f"import-{kind}"


def for_export(kind: str) -> str:
    return kind


@cache
def _shipped(name: str) -> dict | None:
    res = resources.files("xueji_tui").joinpath(f"data/profiles/{name}.json")
    if not res.is_file():
        return None
    return json.loads(res.read_text("utf-8"))


def names() -> list[str]:
    root = resources.files("xueji_tui").joinpath("data/profiles")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".json"))


def _field(raw, where: str) -> Field:
    if not isinstance(raw, dict):
        raise InvalidInput(f"格式配置 {where}：字段定义应为 JSON 对象，现为 {raw!r}")
    unknown = set(raw) - _FIELD_KEYS
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise InvalidInput(f"格式配置 {where}：字段名 {code!r} 无效（字母开头，最多 10 个字母、数字或下划线）")
    if unknown:
        raise InvalidInput(f"格式配置 {where}：字段 {code} 含未知设置 {', '.join(sorted(unknown))}"
                           f"（可用：{', '.join(sorted(_FIELD_KEYS))}）")
    width = raw.get("width")
    if not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= 254:
        raise InvalidInput(f"格式配置 {where}：字段 {code} 的宽度 {width!r} 无效（1–254 字节）")
    if raw.get("type", "C") != "C":
        raise InvalidInput(f"格式配置 {where}：字段 {code} 的类型应为 C（学信网文件全部为字符型）")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InvalidInput(f"格式配置 {where}：字段 {code} 的 aliases 应为字符串列表")
    return Field(code=code, source=str(raw.get("source") or code), width=width, type="C",
                 required=bool(raw.get("required", False)), transform=str(raw.get("transform") or ""),
                 aliases=tuple(aliases), title=str(raw.get("title") or ""), value=str(raw.get("value") or ""))


def merge(base: dict, override: dict, name: str) -> dict:
    """The shipped profile with a data directory's override applied.

    Top-level keys replace the shipped ones (``fields`` replaces the whole list); ``field_changes``
    (code -> settings) patches single fields and ``drop_fields`` removes some, so a template that
    only widened XM needs one line.
    """
    if not isinstance(override, dict):
        raise InvalidInput(f"格式配置 formats/{name}.json 应为 JSON 对象")
    out = dict(base)
    for k, v in override.items():
        if k not in ("field_changes", "drop_fields"):
            out[k] = v
    fields = [dict(f) for f in out.get("fields") or []]
    changes = override.get("field_changes") or {}
    if not isinstance(changes, dict):
        raise InvalidInput(f"格式配置 formats/{name}.json：field_changes 应为 {{字段名: {{设置}}}}")
    known = {f.get("code") for f in fields}
    for code, patch in changes.items():
        if code not in known:
            raise InvalidInput(f"格式配置 formats/{name}.json：field_changes 中的字段 {code} 不在格式 {name} 中"
                               f"（现有：{', '.join(str(c) for c in known)}）")
        if not isinstance(patch, dict):
            raise InvalidInput(f"格式配置 formats/{name}.json：字段 {code} 的修改应为 JSON 对象")
        for f in fields:
            if f.get("code") == code:
                f.update(patch)
    drop = set(override.get("drop_fields") or [])
    out["fields"] = [f for f in fields if f.get("code") not in drop]
    return out


def build(raw: dict, name: str, where: str | None = None) -> Profile:
    where = where or name
    if not isinstance(raw, dict):
        raise InvalidInput(f"格式配置 {where} 应为 JSON 对象")
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise InvalidInput(f"格式配置 {where}：缺少字段列表 fields")
    fields = tuple(_field(r, where) for r in raw_fields)
    seen: set[str] = set()
    for f in fields:
        if f.code.upper() in seen:
            raise InvalidInput(f"格式配置 {where}：字段 {f.code} 出现了两次")
        seen.add(f.code.upper())
    options = {k: v for k, v in raw.items() if k not in ("name", "title", "direction", "fields")}
    return Profile(name=name, title=str(raw.get("title") or name), direction=str(raw.get("direction") or ""),
                   fields=fields, options=options)


def load(name: str, overrides: dict | None = None) -> Profile:
    """The profile ``name``, with the data directory's override (``Store.format_override``) applied."""
    base = _shipped(name)
    if base is None:
        if overrides is None:
            raise InvalidInput(f"没有名为“{name}”的文件格式（现有：{'、'.join(names())}）")
        base = {"name": name}
    raw = merge(base, overrides, name) if overrides is not None else base
    return build(raw, name, f"formats/{name}.json" if overrides is not None else name)
