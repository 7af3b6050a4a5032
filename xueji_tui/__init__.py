"""xueji — 学籍学历电子注册 for a university's student-status office.

The package is layered (docs/design.md): ``domain`` is plain Python, ``formats`` knows files,
``store`` (installed as ``xueji_tui.store``) is the only code that touches the data directory,
``services`` are the actions the CLI and the screens share, ``screens`` is the Textual UI.
"""

__version__ = "0.1.0"
