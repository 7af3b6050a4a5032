"""The roster model without a terminal: filters, facets, sort, walks, the verification queue."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xueji_tui.domain.record import ROW
from xueji_tui.roster import (Facets, KshView, RosterModel, Walk, needles, verification_progress,
                              verification_queue)
from xueji_tui.services import roster as roster_service


def model_of(school, clerk="office1") -> RosterModel:
    """The roster model as the app loads it from the store (each store groups its rows its own way)."""
    m = RosterModel()
    m.load(roster_service.load(school.session(clerk)))
    return m


def shown(m: RosterModel, field: str) -> list:
    return [m.row(i)[ROW[field]] for i in range(len(m))]


def test_loads_every_student_in_scope(seeded):
    m = model_of(seeded)
    assert m.total == len(m) == 60
    assert shown(m, "XH") == sorted(shown(m, "XH"))  # 学号 order by default
    college = model_of(seeded, "wenxue")
    assert college.total and set(shown(college, "FY")) == {"文学院"}


def test_query_by_id_prefix_name_and_initials(seeded):
    m = model_of(seeded)
    m.set_query("2025")
    assert len(m) and all(x.startswith("2025") for x in shown(m, "XH"))
    one = m.rows[7]
    m.set_query(one[ROW["KSH"]])
    assert shown(m, "KSH") == [one[ROW["KSH"]]]
    m.set_query(one[ROW["SFZH"]][:10])
    assert one[ROW["KSH"]] in shown(m, "KSH")
    m.set_query(one[ROW["XM"]][:1])
    assert len(m) and all(one[ROW["XM"]][:1] in x for x in shown(m, "XM"))
    initials = one[ROW["py"]]
    m.set_query(initials.upper())  # case does not matter for initials
    assert len(m) and all(p.startswith(initials) for p in shown(m, "py"))
    m.set_query("")
    assert len(m) == 60


def test_full_width_digits_and_spaces_are_normalised():
    assert needles(" ２０２５ ") == ("\n2025",)
    assert needles("zs") == ("\tZS", "\nZS")  # initials and IDs, as the upper-cased search key holds them
    assert needles("张") == ("张",)
    assert needles("  ") == ()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789zsxlwj张王李", min_size=1, max_size=6))
def test_typing_char_by_char_gives_the_same_rows_as_one_query(roster_rows, text):
    typed = RosterModel()
    typed.load(roster_rows)
    for i in range(1, len(text) + 1):
        typed.set_query(text[:i])
    fresh = RosterModel()
    fresh.load(roster_rows)
    fresh.set_query(text)
    assert typed.view == fresh.view


def test_facets_and_problems(seeded):
    m = model_of(seeded)
    m.set_facets(Facets(college="文学院", grade="2025"))
    assert len(m) and set(shown(m, "FY")) == {"文学院"} and set(shown(m, "DQSZJ")) == {"2025"}
    m.set_facets(Facets(problems=True))
    assert len(m) and all(m.row(i)[ROW["problems"]] or m.row(i)[ROW["wrong"]] for i in range(len(m)))
    assert "有问题" in m.describe()
    m.clear()
    assert len(m) == 60 and m.describe() == "显示 60 / 60"


def test_sort_by_any_column_and_back(seeded):
    m = model_of(seeded)
    m.sort("XM")
    assert shown(m, "py") == sorted(shown(m, "py"))
    m.sort("verified", descending=True)
    assert shown(m, "verified") == sorted(shown(m, "verified"), reverse=True)
    m.set_query("2025")
    assert shown(m, "verified") == sorted(shown(m, "verified"), reverse=True)  # filter keeps the order


def test_exact_match_and_walk(seeded):
    m = model_of(seeded)
    row = m.rows[3]
    m.set_query(row[ROW["XH"]][:6])
    assert [r[ROW["KSH"]] for r in m.exact(row[ROW["XH"]])] == [row[ROW["KSH"]]]
    walk = Walk(KshView(m.rows, m.view), 0)
    first = walk.kshs[0]
    second = walk.step(1)
    assert second == m.row(1)[ROW["KSH"]] and walk.step(-1) == first
    assert walk.step(-1) is None and walk.where == f"1 / {len(m)}"


def test_verification_queue_is_class_by_class_with_progress(seeded):
    m = model_of(seeded)
    queue = verification_queue(m.rows)
    assert queue and all(r[ROW["verified"]] < 13 or r[ROW["wrong"]] for r in queue)
    keys = [(r[ROW["FY"]], r[ROW["BH"]]) for r in queue]
    assert len(set(keys)) == len([k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k])  # grouped
    colleges, classes = verification_progress(m.rows)
    assert sum(t for _, t in colleges.values()) == sum(t for _, t in classes.values())
    assert sum(t - d for d, t in colleges.values()) == len(queue)


def test_search_ignores_the_filter(seeded):
    m = model_of(seeded)
    m.set_query("nothing-like-this")
    target = m.rows[10]
    assert [r[ROW["KSH"]] for r in m.search(target[ROW["XH"]])][:1] == [target[ROW["KSH"]]]
