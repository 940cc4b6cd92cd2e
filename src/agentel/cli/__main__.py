from agentel.cli import main

main()
