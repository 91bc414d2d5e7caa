"""The public draw report: what it shows (``data``), rendered as Markdown or self-contained HTML.

``output`` builds a draw folder's report from its files and writes it; the commands call that.
"""
