"""The domain: student records, code tables, validation, the status state machine.

Imports nothing of ours outside domain/, and neither Textual nor TinyDB (tests/core/test_layers.py
enforces it).
"""
