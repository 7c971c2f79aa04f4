"""gshp/io"""
