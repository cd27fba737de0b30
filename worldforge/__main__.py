from worldforge.cli import main

main()
