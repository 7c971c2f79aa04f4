"""gshp/station/kernel/control"""
