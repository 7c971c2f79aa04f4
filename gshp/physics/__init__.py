"""gshp/physics"""
