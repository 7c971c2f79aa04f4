"""gshp/station"""
