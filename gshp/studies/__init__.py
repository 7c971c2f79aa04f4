"""gshp/studies"""
