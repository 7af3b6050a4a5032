"""The actions clerks take. The CLI and the screens call these same functions."""
