"""The domain: student records, code tables, validation, the status state machine.

Imports neither Textual nor TinyDB (tests/test_layers.py enforces it).
"""
