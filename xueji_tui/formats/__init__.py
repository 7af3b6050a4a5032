"""CHSI files: format profiles (data), readers of .dbf/.xlsx/.xls/.csv and writers of .dbf/.xlsx.

Knows files, not the store: services pass records in and get rows out (docs/formats.md).
"""
