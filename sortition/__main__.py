"""``python -m sortition`` runs the ``sortition`` command."""

from cli.app import main

if __name__ == "__main__":
    main()
