"""The commands: each reads and writes a folder's files on top of the pure rules (``sortition.rules``).

``prepare``, ``draw``, ``replace``, ``verify`` and ``report`` import none of each other; ``select`` (practice)
is prepare followed by draw.
"""
