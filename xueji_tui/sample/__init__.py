"""The sample school (docs/sample.md): 吉林师范大学 with four
cohorts, realistic names and numbers, histories, photos, the expected-graduate list and planted
defects of every precheck rule. Pure data here; ``load`` writes it into a data directory through the
store, ``files`` writes the same school as CHSI-style download files.
"""

from xueji_tui.sample.generate import MIN_STUDENTS, School, generate

__all__ = ["MIN_STUDENTS", "School", "generate"]
