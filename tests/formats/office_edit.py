"""Type into a workbook with LibreOffice itself, as a clerk would, and save it (run by the system
python3, which has LibreOffice's UNO bridge; tests/formats/test_office.py calls it).

    python3 office_edit.py PROFILE_DIR IN.xlsx EDITS.json OUT.xlsx [OUT.xls ...]

EDITS.json: [[sheet name, column heading, row number (1-based, as Calc shows it), text], ...]. Each
text goes in through the ``.uno:EnterString`` command on the selected cell — the path of typing into
it and pressing Enter — so the cell's own number format decides whether 220183200502266118 stays
text or becomes a number (the API's ``setFormula`` would ignore a text format).
"""

import json
import os
import shutil
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    profile, src, edits_file, *outs = sys.argv[1:]
    pipe = f"xueji_edit_{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--nologo", "--norestore",
                               f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(200):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.1)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # a private copy: a lock file (.~lock.NAME#) left by an earlier Calc must not stop the load
        private = os.path.join(profile, "in" + os.path.splitext(src)[1])
        shutil.copyfile(src, private)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(private)), "_blank", 0,
                                           (prop("Hidden", True),))
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {src}")
        controller = doc.getCurrentController()
        frame = controller.getFrame()
        dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        with open(edits_file, encoding="utf-8") as f:
            edits = json.load(f)
        headings = {}  # one call per sheet: every call over the bridge is time Calc can die in
        for sheet_name, heading, row, text in edits:
            sheet = doc.Sheets.getByName(sheet_name)
            if sheet_name not in headings:
                headings[sheet_name] = [str(v) for v in sheet.getCellRangeByPosition(0, 0, 199, 0).getDataArray()[0]]
            if heading not in headings[sheet_name]:
                raise SystemExit(f"no column {heading!r} in {sheet_name}")
            col = headings[sheet_name].index(heading)
            controller.setActiveSheet(sheet)
            controller.select(sheet.getCellByPosition(col, row - 1))
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0,
                                       (prop("StringName", text), prop("SynchronMode", True)))
        filters = {".xlsx": "Calc MS Excel 2007 XML", ".xls": "MS Excel 97", ".ods": "calc8"}
        for out in outs:
            ext = os.path.splitext(out)[1].lower()
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), (prop("FilterName", filters[ext]),))
        try:
            doc.close(True)
        except Exception:  # every output is stored: a Calc that dies while closing changes nothing
            pass
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
