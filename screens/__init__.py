"""Textual screens, modals and widgets (installed as xueji_tui.screens). They collect input and call
xueji_tui.services; they never touch the store or files themselves."""
