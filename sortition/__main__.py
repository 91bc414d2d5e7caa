"""``python -m sortition`` runs the ``sortition`` command."""

from cli.start import main

if __name__ == "__main__":
    main()
