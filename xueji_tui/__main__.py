from xueji_tui.cli import main

main()
