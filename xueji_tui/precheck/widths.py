"""Field widths (GBK bytes) of the 学历注册 upload, for `too-long` — read from the graduates profile.

The layout is data (xueji_tui/data/profiles/graduates.json, overridable per data directory), so the
precheck measures against the same widths the DBF writer will use.
"""

from __future__ import annotations

# profile sources that are not record keys: the school's settings
_SOURCE_ALIASES = {"_president": "XZXM", "_school_code": "YXDM", "_school_name": "YXMC"}


def graduates_widths(overrides: dict | None = None) -> dict[str, tuple[str, int]]:
    """Upload field code (as in precheck.graduates.UPLOAD_FIELDS) -> (file column, width in bytes)."""
    from xueji_tui.formats import profiles

    out: dict[str, tuple[str, int]] = {}
    for f in profiles.load("graduates", overrides).fields:
        key = _SOURCE_ALIASES.get(f.source, f.source)
        out[key] = (f.code, f.width)
    return out
