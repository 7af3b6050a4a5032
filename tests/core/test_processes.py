"""Real processes: the CLI as a subprocess, several writers at once, and writers killed with SIGKILL."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from xueji_testkit import make_student
from xueji_tui.store import open_store
from xueji_tui.store.evidence import check_files, check_trail

pytestmark = pytest.mark.slow  # real processes: the CLI, writers at once, SIGKILL rounds
PY = sys.executable


def xueji(data, *args, clerk="office1", **kw):
    return subprocess.run([PY, "-m", "xueji_tui", "--data", str(data), "--clerk", clerk, *args],
                          capture_output=True, text=True, **kw)


def test_cli_subprocess_lookup_and_exit_codes(school):
    s = make_student(4)
    r = xueji(school, "lookup", s["XH"], "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["KSH"] == s["KSH"]
    assert xueji(school, "lookup", "nobody-here").returncode == 1
    assert xueji(school, "lookup", make_student(1)["XH"], clerk="wenxue").returncode == 3
    r = xueji(school, "change", s["XH"], "9999", "--date", "bad")
    assert r.returncode == 2 and "日期" in r.stderr and "Traceback" not in r.stderr


def test_lookup_does_not_import_textual(school):
    code = ("import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('\\nLOADED:' + ','.join(m for m in ('textual', 'openpyxl', 'pypinyin') if m in sys.modules)))\n"
            "from xueji_tui.cli import main\n"
            f"sys.argv = ['xueji', '--data', {str(school)!r}, '--clerk', 'office1', 'lookup', {make_student(2)['XH']!r}]\n"
            "main()\n")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().endswith("LOADED:")



def test_the_quick_exit_waits_for_a_running_thread_and_keeps_the_exit_code(tmp_path):
    """``main`` ends the process without the interpreter's teardown only when nothing is left running:
    a thread still writing gets the ordinary exit, which waits for it; the exit code is kept."""
    done = tmp_path / "done"
    code = ("import sys, threading, time\n"
            "from xueji_tui.cli import leave\n"
            f"def late():\n    time.sleep(0.3)\n    open({str(done)!r}, 'w').write('ok')\n"
            "threading.Thread(target=late).start()\n"
            "print('before', flush=False)\n"
            "leave(4)\n")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True)
    assert (r.returncode, r.stdout, done.read_text()) == (4, "before\n", "ok")
    r = subprocess.run([PY, "-c", "from xueji_tui.cli import leave\nprint('all of it ' * 5000, end='')\nleave(0)"],
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "all of it " * 5000)  # the buffered output is not lost

WRITER = r"""
import sys, time
from xueji_tui.domain.clerks import Clerk
from xueji_tui.services.session import Session
from xueji_tui.store import open_store
root, me, n, kshs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
store = open_store(root)
lat = []
for i in range(n):
    ksh = kshs[i % len(kshs)]
    t = time.perf_counter()
    with store.write(me, "并发测试") as tx:
        s = tx.get(ksh)
        s.setdefault("counters", {})
        s["counters"][me] = s["counters"].get(me, 0) + 1
        tx.put(s)
        tx.log("count", ksh=ksh, field="counters", new=s["counters"][me])
    lat.append(time.perf_counter() - t)
print(max(lat))
"""


def test_concurrent_writers_lose_nothing(school):
    kshs = [make_student(i)["KSH"] for i in range(6)]  # few students: maximal contention
    procs = [subprocess.Popen([PY, "-c", WRITER, str(school), f"w{k}", "40", ",".join(kshs)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    st = open_store(school)
    total = {}
    for ksh in kshs:
        for who, c in (st.get(ksh).get("counters") or {}).items():
            total[who] = total.get(who, 0) + c
    assert total == {f"w{k}": 40 for k in range(6)}
    assert st.verify_trail() == []
    lines = [orjson.loads(x) for x in st.audit.path.read_bytes().splitlines()]
    assert sum(1 for x in lines if x["action"] == "count") == 240


KILLED = r"""
import sys
from xueji_tui.store import open_store
root, ksh = sys.argv[1], sys.argv[2]
store = open_store(root)
i = 0
while True:
    i += 1
    with store.write("office1", "崩溃测试") as tx:
        s = tx.get(ksh)
        s["BZ"] = str(i)
        tx.put(s)
        tx.log("edit", ksh=ksh, field="BZ", new=str(i))
    print(i, flush=True)  # acknowledged only after the commit returned
"""


def test_sigkill_at_random_moments_loses_no_acknowledged_save(school):
    rnd = random.Random(7)
    ksh = make_student(11)["KSH"]
    acked = 0
    for round_ in range(int(os.environ.get("XUEJI_KILL_ROUNDS", "25"))):
        p = subprocess.Popen([PY, "-c", KILLED, str(school), ksh], stdout=subprocess.PIPE, text=True)
        time.sleep(0.25 + rnd.random() * 0.4)
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        done = [int(x) for x in out.split()]
        st = open_store(school)  # always opens; recovery runs here
        assert not list(Path(school).rglob("*.tmp")), "temporary files left after the next start"
        value = int(st.get(ksh).get("BZ") or 0)
        if done:
            assert value >= done[-1], f"round {round_}: acknowledged {done[-1]} but stored {value}"
            assert value <= done[-1] + 1
        assert check_trail(st.audit).texts() == []
        trail = check_trail(st.audit)  # and every data file is what the trail last recorded
        assert check_files(Path(school), trail)[0] == [], f"round {round_}"
        acked += len(done)
    assert acked > 0
