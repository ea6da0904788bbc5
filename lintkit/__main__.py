from lintkit.cli import main

main()
