"""Imports of CHSI files and college workbooks: a summary first (``plan_import``, no writes), then one
transaction (``apply_import``). The CLI (`xueji import`) and the 文件 area call these same functions.

The work is split by job: import_prepare (read, normalise, reject), import_diff (compare with the
store), import_photos (the photo status list), workbooks (college verdicts), import_apply (one
transaction, the rejects file), import_summary (what the clerk reads); import_plan holds the types.
"""

from xueji_tui.formats.rejects import rejects_path
from xueji_tui.services.import_apply import apply_import, write_rejects
from xueji_tui.services.import_diff import protected
from xueji_tui.services.import_plan import KINDS, Changed, Conflict, ImportPlan, Reject
from xueji_tui.services.import_prepare import plan_import, profile_for
from xueji_tui.services.import_summary import summary_lines

__all__ = ["KINDS", "Changed", "Conflict", "ImportPlan", "Reject", "apply_import", "plan_import", "profile_for",
           "protected", "rejects_path", "summary_lines", "write_rejects"]
