"""``python -m scheduler``: the same command line as the ``scheduler`` script."""

from .cli import main

if __name__ == "__main__":
    main()
