"""python -m kpitui"""

from .cli import main

main()
