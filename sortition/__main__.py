"""``python -m sortition`` runs the ``sortition`` command.

Ctrl-C while this starts is one line and exit 130: ``import sortition`` (which ``-m`` runs before this file)
first imports :mod:`sortition.startup`, which guards the start-up of exactly this command.
"""

from cli.start import main

if __name__ == "__main__":
    main()
